import { isMobileNumber } from '../rules/masking.ts';

/**
 * The one place where a person's fields meet OpenID Connect claim names, in both directions: the
 * built-in provider releases a person under these names, and the relying party reads a city's own
 * provider through them. A city whose provider uses other names changes this object only.
 */
export const claimMapping = {
  name: 'name',
  idNumber: 'id_number',
  phone: 'phone_number',
  district: 'district_code',
} as const;

/**
 * Which scope releases which claim. The identity number is sensitive personal information (PIPL
 * Art. 28) and is released only when the relying party asks for the `realname` scope.
 */
export const scopeClaims: Record<string, string[]> = {
  openid: ['sub'],
  profile: [claimMapping.name],
  phone: [claimMapping.phone],
  realname: [claimMapping.idNumber],
  district: [claimMapping.district],
};

/**
 * What the platform asks for. From its own provider only `openid`: the person is found by `sub`,
 * so nothing else needs to travel. From a city's provider everything needed to register a resident.
 */
export const builtInScopes = ['openid'] as const;
export const externalScopes = ['openid', 'profile', 'phone', 'realname', 'district'] as const;

/** A person's facts as the provider reads them (clear values, only those the scopes allow). */
export interface ReleasableFacts {
  name: string;
  idNumber?: () => string | undefined;
  phone?: () => string | undefined;
  districtCode?: string | null | undefined;
}

/**
 * The claims the built-in provider releases for a person under the granted scopes. Sealed values
 * are opened only when their scope was granted.
 */
export function claimsFor(subject: string, facts: ReleasableFacts, scopes: ReadonlySet<string>): Record<string, unknown> & { sub: string } {
  const claims: Record<string, unknown> & { sub: string } = { sub: subject };
  if (scopes.has('profile')) claims[claimMapping.name] = facts.name;
  if (scopes.has('realname')) {
    const idNumber = facts.idNumber?.();
    if (idNumber) claims[claimMapping.idNumber] = idNumber;
  }
  if (scopes.has('phone')) {
    const phone = facts.phone?.();
    if (phone) claims[claimMapping.phone] = `+86${phone}`;
  }
  if (scopes.has('district') && facts.districtCode) claims[claimMapping.district] = facts.districtCode;
  return claims;
}

/** A resident's facts read from an external provider's claims; absent or malformed values are left out. */
export interface MappedIdentity {
  name?: string;
  idNumber?: string;
  phone?: string;
  districtCode?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Reads the mapped claims; the identity number is checked later (validateIdNumber), the rest here. */
export function mapClaims(claims: Record<string, unknown>): MappedIdentity {
  const mapped: MappedIdentity = {};
  const name = text(claims[claimMapping.name]);
  if (name && [...name].length <= 64) mapped.name = name;
  const idNumber = text(claims[claimMapping.idNumber]);
  if (idNumber) mapped.idNumber = idNumber.toUpperCase();
  const phone = text(claims[claimMapping.phone])?.replace(/[\s()-]/g, '').replace(/^(\+|00)86/, '');
  if (phone && isMobileNumber(phone)) mapped.phone = phone;
  const district = text(claims[claimMapping.district]);
  if (district && /^\d{6}$/.test(district)) mapped.districtCode = district;
  return mapped;
}
