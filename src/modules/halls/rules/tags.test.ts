import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTag, signTag, tagKey, tagUrl } from './tags.ts';

const key = tagKey(crypto.randomBytes(32));

describe('entrance tags (POL-19, reference.md "Web NFC, honestly")', () => {
  it('a signed tag names its hall, kind and generation', () => {
    const token = signTag(key, { hallId: 'hall-hexi-xiawafang', kind: 'qr', generation: 3 });
    expect(readTag(key, token)).toEqual({ hallId: 'hall-hexi-xiawafang', kind: 'qr', generation: 3 });
    expect(tagUrl('https://haihe.example', { hallId: 'hall-hexi-xiawafang', kind: 'qr', generation: 3 }, token)).toBe(
      `https://haihe.example/citizen/halls/hall-hexi-xiawafang/take?via=qr&tag=${encodeURIComponent(token)}`,
    );
  });

  it('a changed hall, kind, generation or signature, or another key, is refused', () => {
    const token = signTag(key, { hallId: 'hall-hexi-xiawafang', kind: 'nfc', generation: 1 });
    expect(readTag(key, token.replace('hall-hexi-xiawafang', 'hall-hexi-youyilu'))).toBeUndefined();
    expect(readTag(key, token.replace('.nfc.', '.qr.'))).toBeUndefined();
    expect(readTag(key, token.replace('.1.', '.2.'))).toBeUndefined();
    expect(readTag(key, `${token.slice(0, -2)}AA`)).toBeUndefined();
    expect(readTag(tagKey(crypto.randomBytes(32)), token)).toBeUndefined();
    expect(readTag(key, 'not a token')).toBeUndefined();
  });

  it('the tag key is derived, never the look-up key itself', () => {
    const hmacKey = crypto.randomBytes(32);
    expect(tagKey(hmacKey).equals(hmacKey)).toBe(false);
  });
});
