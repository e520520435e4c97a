// @ts-check
// One dialect, one set of JavaScript types on both drivers: bigint and numeric come back as
// strings only where precision matters (numeric = money); counts (int8) as numbers; dates as
// 'YYYY-MM-DD' strings so no time zone shifts a civil date. Plain JavaScript, so the embedded
// database's thread (pglite-thread-worker.mjs) and src/platform/db/index.ts share it.
export const OID_INT8 = 20;
export const OID_NUMERIC = 1700;
export const OID_DATE = 1082;
export const OID_INT8_ARRAY = 1016;
export const OID_NUMERIC_ARRAY = 1231;
export const OID_DATE_ARRAY = 1182;

/** An int8 as a number, refused beyond the safe integer range instead of losing precision. */
export function toNumber(/** @type {string} */ value) {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return parsed;
}
