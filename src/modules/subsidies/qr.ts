import crypto from 'node:crypto';

/**
 * The subsidy-qualification QR payload (TI-26): `hq1.<payload>.<signature>`, HMAC-SHA256 with a
 * key derived from the keyring, valid for two minutes and refreshed on the holder's screen. It
 * names the qualification and carries a nonce; using a qualification is single-use in the
 * database, so a copied or replayed code can never redeem twice.
 */
export const QR_TTL_SECONDS = 120;
const PREFIX = 'hq1.';

export interface QrClaims {
  q: string; // qualification id
  n: string; // nonce
  exp: number; // seconds since the epoch
}

export class QrSigner {
  readonly #key: Buffer;
  constructor(sessionSecret: Buffer) {
    this.#key = Buffer.from(crypto.hkdfSync('sha256', sessionSecret, Buffer.alloc(0), 'haihe.subsidy-qr', 32));
  }

  sign(qualificationId: string, nowMs: number): { token: string; expiresAt: Date } {
    const claims: QrClaims = { q: qualificationId, n: crypto.randomBytes(6).toString('base64url'), exp: Math.floor(nowMs / 1000) + QR_TTL_SECONDS };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = crypto.createHmac('sha256', this.#key).update(payload).digest('base64url');
    return { token: `${PREFIX}${payload}.${signature}`, expiresAt: new Date(claims.exp * 1000) };
  }

  /** 'invalid' for anything not signed by this platform; 'expired' for an old code. */
  verify(token: string, nowMs: number): QrClaims | 'invalid' | 'expired' {
    const trimmed = token.trim();
    if (!trimmed.startsWith(PREFIX)) return 'invalid';
    const dot = trimmed.indexOf('.', PREFIX.length);
    if (dot < 0) return 'invalid';
    const payload = trimmed.slice(PREFIX.length, dot);
    const given = Buffer.from(trimmed.slice(dot + 1), 'base64url');
    const expected = crypto.createHmac('sha256', this.#key).update(payload).digest();
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'invalid';
    let claims: QrClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as QrClaims;
    } catch {
      return 'invalid';
    }
    if (typeof claims.q !== 'string' || typeof claims.exp !== 'number') return 'invalid';
    return claims.exp * 1000 <= nowMs ? 'expired' : claims;
  }
}
