import crypto from 'node:crypto';

/**
 * Random identifiers from a pooled buffer: one random fill for many ids instead of one system call
 * each (the claim path makes an id per request). Cryptographically random, URL-safe.
 */
const POOL_BYTES = 64 * 1024;
let pool = crypto.randomBytes(POOL_BYTES);
let offset = 0;

/** `bytes` random bytes (a fresh view; do not keep it past the next call if you need to mutate it). */
export function randomBytesPooled(bytes: number): Buffer {
  if (bytes > POOL_BYTES) return crypto.randomBytes(bytes);
  if (offset + bytes > POOL_BYTES) {
    pool = crypto.randomBytes(POOL_BYTES);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return slice;
}

/** `prefix_` followed by `bytes` random bytes in base64url. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytesPooled(bytes).toString('base64url')}`;
}
