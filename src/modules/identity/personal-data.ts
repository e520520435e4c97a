import crypto from 'node:crypto';
import { randomBytesPooled } from '../../platform/ids.ts';
import type { Keyring } from '../../platform/keys.ts';

/**
 * Encryption at rest for sensitive personal data (PIPL Arts. 28, 29; reference.md): AES-256-GCM
 * with the keyring's active key, the key id stored with the ciphertext so rotated-out keys still
 * decrypt, and the column name as associated data so a ciphertext cannot be moved to another
 * column. Look-ups use a keyed hash (HMAC-SHA256), never the clear value.
 */
export class PersonalDataCipher {
  readonly #keys: Map<string, Buffer>;
  constructor(private readonly keyring: Keyring) {
    this.#keys = new Map(keyring.dataKeys.map((key) => [key.id, key.key]));
  }

  get activeKeyId(): string {
    return this.keyring.activeDataKeyId;
  }

  /** `v1:<keyId>:<iv>:<ciphertext>:<tag>` (base64url parts). */
  encrypt(plain: string, field: string): string {
    const key = this.#keys.get(this.keyring.activeDataKeyId);
    if (!key) throw new Error('the active data key is missing from the keyring');
    // A fresh random IV per value (GCM needs uniqueness); drawn from a pooled random buffer.
    const iv = Buffer.from(randomBytesPooled(12));
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(field));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', this.keyring.activeDataKeyId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
  }

  decrypt(sealed: string, field: string): string {
    const [version, keyId, iv, ciphertext, tag] = sealed.split(':');
    if (version !== 'v1' || !keyId || !iv || ciphertext === undefined || !tag) throw new Error('not a sealed value');
    const key = this.#keys.get(keyId);
    if (!key) throw new Error(`data key ${keyId} is not in the keyring`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(field));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The key id a sealed value was encrypted with. */
  keyIdOf(sealed: string): string {
    return sealed.split(':')[1] ?? '';
  }

  /** Keyed hash for equality look-ups; the field name separates the hash spaces. */
  lookupHash(plain: string, field: string): string {
    return crypto.createHmac('sha256', this.keyring.hmacKey).update(field).update('\0').update(plain).digest('base64url');
  }
}
