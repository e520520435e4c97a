import crypto from 'node:crypto';
import type { Principal, Role } from '../../platform/access.ts';

/**
 * The platform's own access tokens: `hh1.<payload>.<signature>`, payload base64url JSON and an
 * HMAC-SHA256 signature with the session secret. They are verified with one HMAC per request
 * (performance.md: a JWS check costs about seven no-op requests; HMAC far less), carry the
 * principal, expire, and can be revoked by session id or subject.
 */
export interface TokenClaims {
  sub: string;
  kind: 'person' | 'client';
  roles: Role[];
  sid: string;
  /** Issued at, in milliseconds since the epoch (revocations compare at that precision). */
  iat: number;
  /** Expires at, in seconds since the epoch. */
  exp: number;
  hallId?: string;
  districtCode?: string;
  organisationId?: string;
  /**
   * A resident's birth date (YYYY-MM-DD), read from their identity number when the token is issued,
   * for rules by age on the day (the halls' elderly priority): a ticket then needs no read and no
   * decryption of the identity number. Absent when the person has no valid number on file.
   */
  birthDate?: string;
}

const PREFIX = 'hh1.';

export class TokenSigner {
  constructor(private readonly secret: Buffer) {}

  sign(claims: TokenClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = crypto.createHmac('sha256', this.secret).update(payload).digest('base64url');
    return `${PREFIX}${payload}.${signature}`;
  }

  /** The claims of a well-signed, unexpired token; undefined otherwise. */
  verify(token: string, nowSeconds: number): TokenClaims | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const dot = token.indexOf('.', PREFIX.length);
    if (dot < 0) return undefined;
    const payload = token.slice(PREFIX.length, dot);
    // Compared as base64url text in constant time (no buffers to allocate on every first request).
    const expected = crypto.createHmac('sha256', this.secret).update(payload).digest('base64url');
    if (!sameText(token, dot + 1, expected)) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return undefined;
    return claims;
  }
}

/** Whether text from offset on equals expected, in time that depends only on expected's length. */
function sameText(text: string, offset: number, expected: string): boolean {
  if (text.length - offset !== expected.length) return false;
  let difference = 0;
  for (let index = 0; index < expected.length; index += 1) difference |= text.charCodeAt(offset + index) ^ expected.charCodeAt(index);
  return difference === 0;
}

export function principalFromClaims(claims: TokenClaims, via: Principal['via']): Principal {
  return {
    subject: claims.sub,
    kind: claims.kind,
    roles: claims.roles,
    hallId: claims.hallId,
    districtCode: claims.districtCode,
    organisationId: claims.organisationId,
    birthDate: claims.birthDate,
    via,
  };
}
