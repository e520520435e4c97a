// The resident's position, from the browser's Geolocation API: for the TI-05 check (coupons only
// inside Tianjin; asked for only when a coupon is claimed, or checked beforehand on request, kept in
// memory for that claim and sent once, the server keeps only the district) and for sorting the
// nearby halls by distance (never sent).

export interface Position {
  lat: number;
  lng: number;
}

export type LocationProblem = 'unsupported' | 'denied' | 'unavailable' | 'timeout';

export class LocationError extends Error {
  constructor(readonly problem: LocationProblem) {
    super(`location ${problem}`);
    this.name = 'LocationError';
  }
}

/** Four decimals (about 11 m): precise enough for the district check, no more precise than needed. */
export function roundPosition(lat: number, lng: number): Position {
  return { lat: Math.round(lat * 1e4) / 1e4, lng: Math.round(lng * 1e4) / 1e4 };
}

export function problemOf(code: number): LocationProblem {
  if (code === 1) return 'denied';
  if (code === 3) return 'timeout';
  return 'unavailable';
}

/**
 * The permission the resident has given this site for their position, where the browser can tell
 * (the Permissions API); undefined where it cannot.
 */
async function permissionState(): Promise<PermissionState | undefined> {
  try {
    if (typeof navigator === 'undefined' || !navigator.permissions?.query) return undefined;
    return (await navigator.permissions.query({ name: 'geolocation' })).state;
  } catch {
    return undefined; // a browser that does not know the name
  }
}

/**
 * Asks the browser for the current position (it shows its own permission prompt the first time).
 * A permission the resident has withdrawn is checked first: a browser may otherwise still hand out
 * the position it remembers from an earlier claim on the same page.
 */
export async function currentPosition(timeoutMs = 15_000): Promise<Position> {
  if (typeof navigator === 'undefined' || !navigator.geolocation) throw new LocationError('unsupported');
  if ((await permissionState()) === 'denied') throw new LocationError('denied');
  return new Promise((resolve, reject) => {
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(roundPosition(position.coords.latitude, position.coords.longitude)),
      (error) => reject(new LocationError(problemOf(error.code))),
      // A position from the last few minutes is good enough to tell whether someone is in Tianjin.
      { enableHighAccuracy: false, timeout: timeoutMs, maximumAge: 5 * 60_000 },
    );
  });
}
