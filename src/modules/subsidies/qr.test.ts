import crypto from 'node:crypto';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { QR_TTL_SECONDS, QrSigner } from './qr.ts';

describe('subsidy QR payloads (TI-26)', () => {
  const signer = new QrSigner(crypto.randomBytes(32));
  const now = Date.parse('2026-03-05T10:00:00+08:00');

  it('signs, verifies, and expires after two minutes', () => {
    const { token, expiresAt } = signer.sign('q_abc', now);
    expect(expiresAt.getTime()).toBe(now + QR_TTL_SECONDS * 1000);
    expect(signer.verify(token, now)).toMatchObject({ q: 'q_abc' });
    expect(signer.verify(token, now + QR_TTL_SECONDS * 1000)).toBe('expired');
  });

  it('refuses codes it did not sign, and tampered ones', () => {
    const { token } = signer.sign('q_abc', now);
    expect(new QrSigner(crypto.randomBytes(32)).verify(token, now)).toBe('invalid');
    const [prefix, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ q: 'q_other', n: 'x', exp: 9_999_999_999 })).toString('base64url');
    expect(signer.verify(`${prefix}.${forged}.${signature}`, now)).toBe('invalid');
    expect(signer.verify(`${prefix}.${payload}`, now)).toBe('invalid');
    expect(signer.verify('https://example.com/', now)).toBe('invalid');
  });

  it('a QR image of the payload decodes back to it (the camera path: qrcode renders, jsQR reads)', async () => {
    const { token } = signer.sign('q_camera', now);
    const png = PNG.sync.read(await QRCode.toBuffer(token, { errorCorrectionLevel: 'M', margin: 4, scale: 6 }));
    const jsQR = jsQRModule as unknown as typeof jsQRModule.default;
    const decoded = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(decoded?.data).toBe(token);
    expect(signer.verify(decoded!.data, now)).toMatchObject({ q: 'q_camera' });
  });
});
