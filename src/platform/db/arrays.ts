/**
 * PostgreSQL array literals for batch parameters (`$1::text[]`), written in one pass. Both drivers
 * can send JavaScript arrays themselves, but they quote and escape every element with two regular
 * expression replacements; a batch of claims sends six arrays of a few hundred identifiers each,
 * and nearly all of them need no quoting at all.
 */
const PLAIN = /^[A-Za-z0-9_.:+=/-]+$/;

/** `{a,b,NULL,"x \"y\""}` for ['a', 'b', null, 'x "y"']; the result is sent as one text parameter. */
export function textArray(values: readonly (string | null | undefined)[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) literal += 'NULL';
    // Unquoted elements must not be empty and must not read as NULL (any letter case).
    else if (PLAIN.test(value) && !(value.length === 4 && value.toUpperCase() === 'NULL')) literal += value;
    else literal += `"${value.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${literal}}`;
}
