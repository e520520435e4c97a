import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { keyFilePath, loadKeyring, rotateDataKey } from './keys.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const key32 = () => crypto.randomBytes(32).toString('base64');

describe('keys', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-keys-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates DATA_DIR/keys/keyring.json on the first start, readable by its owner only, and reuses it', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = loadKeyring(config);
    const file = keyFilePath(config);
    expect(file).toBe(path.join(dataDir, 'keys', 'keyring.json'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o077).toBe(0);
    expect(first.dataKeys).toHaveLength(1);
    expect(first.dataKeys[0]!.key).toHaveLength(32);
    expect(first.activeDataKeyId).toBe(first.dataKeys[0]!.id);
    expect(first.hmacKey).toHaveLength(32);
    expect(first.sessionSecret).toHaveLength(32);

    const second = loadKeyring(config);
    expect(second.hmacKey.equals(first.hmacKey)).toBe(true);
    expect(second.dataKeys[0]!.key.equals(first.dataKeys[0]!.key)).toBe(true);
  });

  it('takes every key from the environment without writing a file', () => {
    const data = key32();
    const older = key32();
    const hmac = key32();
    const config = loadConfig({
      DATA_DIR: dataDir,
      HAIHE_DATA_KEYS: `k2:${data},k1:${older}`,
      HAIHE_HMAC_KEY: hmac,
      HAIHE_SESSION_SECRET: key32(),
    });
    const keyring = loadKeyring(config);
    expect(fs.existsSync(keyFilePath(config))).toBe(false);
    expect(keyring.activeDataKeyId).toBe('k2');
    expect(keyring.dataKeys.map((key) => key.id)).toEqual(['k2', 'k1']);
    expect(keyring.dataKeys[1]!.key.toString('base64')).toBe(older);
    expect(keyring.hmacKey.toString('base64')).toBe(hmac);
  });

  it('refuses data keys that are not 32 bytes', () => {
    const config = loadConfig({ DATA_DIR: dataDir, HAIHE_DATA_KEYS: 'k1:c2hvcnQ=', HAIHE_HMAC_KEY: key32(), HAIHE_SESSION_SECRET: key32() });
    expect(() => loadKeyring(config)).toThrow(/32 bytes/);
  });

  it('rotates the data key: the new key is active and the old ones stay', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const before = loadKeyring(config);
    const added = rotateDataKey(config);
    const after = loadKeyring(config);
    expect(after.activeDataKeyId).toBe(added.id);
    expect(after.dataKeys.map((key) => key.id)).toEqual([added.id, before.activeDataKeyId]);
    expect(after.hmacKey.equals(before.hmacKey)).toBe(true);
    expect(fs.statSync(keyFilePath(config)).mode & 0o777).toBe(0o600);
  });

  it('refuses to rotate keys that come from the environment', () => {
    const config = loadConfig({ DATA_DIR: dataDir, HAIHE_DATA_KEYS: `k1:${key32()}`, HAIHE_HMAC_KEY: key32(), HAIHE_SESSION_SECRET: key32() });
    expect(() => rotateDataKey(config)).toThrow(/HAIHE_DATA_KEYS/);
  });

  it('gives processes starting together on one DATA_DIR the same keys', { timeout: 60_000 }, async () => {
    const script = `
      import { loadConfig } from './src/platform/config.ts';
      import { loadKeyring } from './src/platform/keys.ts';
      // Every process waits for the same instant, so they really start together.
      while (Date.now() < Number(process.env.START_AT)) {}
      const keyring = loadKeyring(loadConfig({ DATA_DIR: process.env.KEYS_DIR }));
      console.log(keyring.hmacKey.toString('base64'));
    `;
    const startAt = String(Date.now() + 5_000);
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
          const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['--eval', script], {
            cwd: ROOT,
            env: { ...process.env, KEYS_DIR: dataDir, START_AT: startAt },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk) => (out += chunk));
          child.stderr.on('data', (chunk) => (err += chunk));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, out: out.trim(), err }));
        }),
      ),
    );
    for (const run of runs) expect(run.code, run.err).toBe(0);
    expect(new Set(runs.map((run) => run.out)).size).toBe(1);
    const stored = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'keyring.json'), 'utf8')) as { hmacKey: string };
    expect(runs[0]!.out).toBe(stored.hmacKey);
    expect(fs.readdirSync(path.join(dataDir, 'keys'))).toEqual(['keyring.json']);
  });
});
