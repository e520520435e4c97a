// Thin wrappers over localStorage that never throw (private mode, disabled storage).

/** Reads a device preference; storage may be unavailable, so failures read as "not set". */
export function readPref(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Saves a device preference; losing it is harmless, so failures are ignored. */
export function writePref(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    /* storage unavailable: the preference lasts for this page only */
  }
}
