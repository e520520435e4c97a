import crypto from 'node:crypto';

/**
 * Entrance tags (POL-19; reference.md "Web NFC, honestly"): the hall's NFC sticker and QR poster
 * carry a URL with a signed token naming the hall, the tag kind and the hall's tag generation.
 * The phone that opens it is already signed in under the resident's real name, so the ticket is
 * that person's; the token only proves the phone is at the hall's entrance. Rotating the
 * generation voids every printed tag of the hall.
 *
 *   token = "t1." hallId "." kind "." generation "." base64url(HMAC-SHA256(tagKey, "t1." hallId "." kind "." generation))
 */
export type TagKind = 'nfc' | 'qr';
export const TAG_KINDS: readonly TagKind[] = ['nfc', 'qr'];

export interface TagClaims {
  hallId: string;
  kind: TagKind;
  generation: number;
}

/** The tag signing key, derived from the keyring's HMAC key so it is never the look-up key itself. */
export function tagKey(hmacKey: Buffer): Buffer {
  return crypto.createHmac('sha256', hmacKey).update('haihe/halls/entrance-tags/v1').digest();
}

export function signTag(key: Buffer, claims: TagClaims): string {
  const body = `t1.${claims.hallId}.${claims.kind}.${claims.generation}`;
  const signature = crypto.createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${signature}`;
}

/** The claims of a well-signed token, or undefined (it says nothing about whether the generation is current). */
export function readTag(key: Buffer, token: string): TagClaims | undefined {
  const match = /^t1\.([a-z0-9][a-z0-9-]{1,63})\.(nfc|qr)\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, hallId, kind, generation, signature] = match as unknown as [string, string, TagKind, string, string];
  const expected = crypto.createHmac('sha256', key).update(`t1.${hallId}.${kind}.${generation}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  return { hallId, kind, generation: Number(generation) };
}

/** The URL printed on the sticker or poster: the citizen page that takes the ticket. */
export function tagUrl(publicUrl: string, claims: TagClaims, token: string): string {
  return `${publicUrl}/citizen/halls/${encodeURIComponent(claims.hallId)}/take?via=${claims.kind}&tag=${encodeURIComponent(token)}`;
}
