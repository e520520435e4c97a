// The resident's position for the TI-05 check (coupons only inside Tianjin), from the browser's
// Geolocation API. It is asked for only when a coupon is claimed (or checked beforehand on request),
// kept in memory for that claim, and sent once; the server keeps only the district.

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

/** Asks the browser for the current position (it shows its own permission prompt the first time). */
export function currentPosition(timeoutMs = 15_000): Promise<Position> {
  return new Promise((resolve, reject) => {
    if (typeof navigator === 'undefined' || !navigator.geolocation) {
      reject(new LocationError('unsupported'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(roundPosition(position.coords.latitude, position.coords.longitude)),
      (error) => reject(new LocationError(problemOf(error.code))),
      // A position from the last few minutes is good enough to tell whether someone is in Tianjin.
      { enableHighAccuracy: false, timeout: timeoutMs, maximumAge: 5 * 60_000 },
    );
  });
}
