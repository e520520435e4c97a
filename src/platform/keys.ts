import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

/** A data-encryption key with its id, for AES-256-GCM; the newest key encrypts, all keys decrypt. */
export interface DataKey {
  id: string;
  key: Buffer;
}

/** The platform's secrets: data keys (rotatable), the look-up HMAC key, the session signing secret. */
export interface Keyring {
  dataKeys: DataKey[];
  activeDataKeyId: string;
  hmacKey: Buffer;
  sessionSecret: Buffer;
}

interface KeyFile {
  dataKeys: { id: string; key: string }[];
  activeDataKeyId: string;
  hmacKey: string;
  sessionSecret: string;
}

function parseDataKeys(text: string): DataKey[] {
  // HAIHE_DATA_KEYS="k2:base64,k1:base64" (first = active)
  return text.split(',').map((entry) => {
    const [id, material] = entry.trim().split(':');
    const key = Buffer.from(material ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error('HAIHE_DATA_KEYS entries must be id:base64 of 32 bytes');
    return { id, key };
  });
}

export function keyFilePath(config: Config): string {
  return path.join(config.dataDir, 'keys', 'keyring.json');
}

/**
 * Reads keys from the environment, or from DATA_DIR/keys/keyring.json, creating that file with
 * fresh random keys (mode 0600) on the first start. Several processes must share the same keys:
 * give them the same environment or the same DATA_DIR.
 */
export function loadKeyring(config: Config): Keyring {
  const file = keyFilePath(config);
  let stored: KeyFile | undefined;
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  } else if (!config.keys.dataKeys || !config.keys.hmacKey || !config.keys.sessionSecret) {
    const id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    stored = {
      dataKeys: [{ id, key: crypto.randomBytes(32).toString('base64') }],
      activeDataKeyId: id,
      hmacKey: crypto.randomBytes(32).toString('base64'),
      sessionSecret: crypto.randomBytes(32).toString('base64'),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Processes starting together on one DATA_DIR must end up with one set of keys: the complete file
    // is linked into place, which fails if another process got there first; then that file is used.
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      stored = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
    } finally {
      fs.rmSync(temporary, { force: true });
    }
  }
  const dataKeys = config.keys.dataKeys
    ? parseDataKeys(config.keys.dataKeys)
    : stored!.dataKeys.map((entry) => ({ id: entry.id, key: Buffer.from(entry.key, 'base64') }));
  return {
    dataKeys,
    activeDataKeyId: config.keys.dataKeys ? dataKeys[0]!.id : stored!.activeDataKeyId,
    hmacKey: Buffer.from(config.keys.hmacKey ?? stored!.hmacKey, 'base64'),
    sessionSecret: Buffer.from(config.keys.sessionSecret ?? stored!.sessionSecret, 'base64'),
  };
}

/** Adds a new data key to the key file and makes it the active one (old keys stay for decryption). */
export function rotateDataKey(config: Config): DataKey {
  const file = keyFilePath(config);
  if (config.keys.dataKeys) throw new Error('keys come from HAIHE_DATA_KEYS: rotate them there (prepend a new id:key)');
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  const id = `k${Date.now().toString(36)}`;
  const key = crypto.randomBytes(32);
  stored.dataKeys.unshift({ id, key: key.toString('base64') });
  stored.activeDataKeyId = id;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(stored, null, 2), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  return { id, key };
}
