import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Config } from '../../../platform/config.ts';
import type { Keyring } from '../../../platform/keys.ts';

/** The platform's own client of the built-in provider (its web pages). */
export const WEB_CLIENT_ID = 'haihe-web';

export function jwksFilePath(config: Config): string {
  return path.join(config.dataDir, 'keys', 'oidc-jwks.json');
}

/** A purpose-bound secret derived from the keyring's session secret (HKDF-SHA256). */
export function deriveSecret(keys: Keyring, purpose: string, length = 32): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', keys.sessionSecret, Buffer.alloc(0), `haihe ${purpose}`, length));
}

/** The web client's secret: derived, so every process sharing the keyring agrees without storing it. */
export function webClientSecret(keys: Keyring): string {
  return deriveSecret(keys, `oidc client ${WEB_CLIENT_ID}`).toString('base64url');
}

/** Keys that sign the built-in provider's cookies. */
export function cookieKeys(keys: Keyring): string[] {
  return [deriveSecret(keys, 'oidc cookies').toString('base64url')];
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
}

/**
 * The provider's signing keys: read from DATA_DIR/keys/oidc-jwks.json, generated into it (mode 0600)
 * on the first start with one ES256 key (fast to make and to check; the platform's own client uses
 * it). An operator may add keys, e.g. an RS256 key for a relying party that knows only that: the
 * provider offers every algorithm the file holds. Processes sharing DATA_DIR share the keys; the
 * first to write the file wins, the others read it.
 */
export async function loadSigningKeys(config: Config): Promise<{ keys: JWK[] }> {
  const file = jwksFilePath(config);
  if (!fs.existsSync(file)) {
    const jwks = { keys: [await newSigningKey()] };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(jwks, null, 2), { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(temporary, { force: true });
    }
  }
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys?: JWK[] };
  if (!Array.isArray(stored.keys) || stored.keys.length === 0 || stored.keys.some((key) => !key.d || !key.alg)) {
    throw new Error(`${file} must hold a JWKS of private signing keys, each with its "alg"`);
  }
  return { keys: stored.keys };
}
