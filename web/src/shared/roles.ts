// Role helpers for the signed-in user. The server decides what a role may do; these only choose what to show.

/** Every role id the platform knows, in the order they are listed on profile pages. */
export const ROLE_IDS = [
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
export type RoleId = (typeof ROLE_IDS)[number];

export const HALL_STAFF_ROLES: readonly RoleId[] = ['window_officer', 'lobby_officer', 'hall_manager'];

/** Administrators who may manage machine clients (admin_platform may do every administrator's work). */
export const CLIENT_ADMIN_ROLES: readonly RoleId[] = ['admin_platform', 'admin_subsidies', 'admin_halls', 'admin_credentials'];

type Roles = readonly string[] | null | undefined;

export function isKnownRole(role: string): role is RoleId {
  return (ROLE_IDS as readonly string[]).includes(role);
}

export function hasAnyRole(roles: Roles, wanted: readonly string[]): boolean {
  return !!roles && roles.some((role) => wanted.includes(role));
}

export const isResident = (roles: Roles): boolean => hasAnyRole(roles, ['citizen']);
export const isHallStaff = (roles: Roles): boolean => hasAnyRole(roles, HALL_STAFF_ROLES);
export const isMerchant = (roles: Roles): boolean => hasAnyRole(roles, ['merchant']);
export const isVerifier = (roles: Roles): boolean => hasAnyRole(roles, ['verifier']);
export const isCaseHandler = (roles: Roles): boolean => hasAnyRole(roles, ['case_handler_city', 'case_handler_district']);
export const isAdmin = (roles: Roles): boolean => !!roles && roles.some((role) => role.startsWith('admin_'));
export const isPlatformAdmin = (roles: Roles): boolean => hasAnyRole(roles, ['admin_platform']);

/** Anyone who works on the platform rather than only using it as a resident. */
export const isStaff = (roles: Roles): boolean => !!roles && roles.some((role) => role !== 'citizen');

export const canManageClients = (roles: Roles): boolean => hasAnyRole(roles, CLIENT_ADMIN_ROLES);

/** Known roles first, in the platform's order, then anything unknown, without duplicates. */
export function sortRoles(roles: readonly string[]): string[] {
  const unique = [...new Set(roles)];
  const known = ROLE_IDS.filter((role) => unique.includes(role));
  return [...known, ...unique.filter((role) => !isKnownRole(role))];
}
