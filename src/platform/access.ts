/**
 * Who may call a route. Every route declares its access in `config.access`; the HTTP layer
 * refuses to register a route without one, and checks it on every request.
 */
export const roles = [
  'citizen',
  'merchant',
  'platform',
  'kiosk',
  'window_officer',
  'lobby_officer',
  'hall_manager',
  'verifier',
  'registry',
  'case_handler_city',
  'case_handler_district',
  'admin_platform',
  'admin_subsidies',
  'admin_halls',
  'admin_credentials',
  'admin_cases',
  'admin_transparency',
] as const;
export type Role = (typeof roles)[number];

/** Staff of a service hall, any of the three posts. */
export const hallStaffRoles: readonly Role[] = ['window_officer', 'lobby_officer', 'hall_manager'];

/** The authenticated caller of a request. */
export interface Principal {
  /** Stable subject id: a resident's or staff member's id, or a machine client's id. */
  subject: string;
  kind: 'person' | 'client';
  roles: readonly Role[];
  /** The hall a member of hall staff works in. */
  hallId?: string | undefined;
  /** The district a district case handler works for (GB/T 2260 code). */
  districtCode?: string | undefined;
  /** The organisation a machine client or cashier belongs to (merchant or platform id). */
  organisationId?: string | undefined;
  /** A resident's birth date (YYYY-MM-DD) from their identity number, carried by the signed token. */
  birthDate?: string | undefined;
  /** How the caller proved who they are: a bearer token or a browser session cookie. */
  via: 'bearer' | 'session';
}

export type Access = 'public' | { roles: readonly Role[] };

/** Whether a principal satisfies an access declaration. */
export function isAllowed(access: Access, principal: Principal | undefined): 'allowed' | 'unauthenticated' | 'forbidden' {
  if (access === 'public') return 'allowed';
  if (!principal) return 'unauthenticated';
  if (principal.roles.includes('admin_platform') && access.roles.some((role) => role.startsWith('admin_'))) return 'allowed';
  return access.roles.some((role) => principal.roles.includes(role)) ? 'allowed' : 'forbidden';
}

/** Turns a request's credentials into a principal; provided by the identity module. */
export interface Authenticator {
  /** The principal of a request, synchronously when it can be known without waiting (a token seen before). */
  authenticate(headers: { authorization?: string | undefined; cookie?: string | undefined }): Principal | undefined | Promise<Principal | undefined>;
}

export const noAuthenticator: Authenticator = { authenticate: async () => undefined };
