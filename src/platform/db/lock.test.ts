import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDirectory, openDatabase } from './index.ts';

describe('the embedded database belongs to one process', () => {
  it('refuses a second process while the owner lives, and takes over a lock left by a dead one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-lock-'));
    fs.mkdirSync(path.join(dataDir, 'db'), { recursive: true });
    const lockFile = path.join(dataDir, 'db', 'haihe-process.lock');
    // A live process (pid 1) owns it.
    fs.writeFileSync(lockFile, '1');
    await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by process 1/);
    // A dead process's lock is taken over.
    fs.writeFileSync(lockFile, '999999');
    const database = await openDatabase({ dataDir });
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
    await database.close();
    expect(fs.existsSync(lockFile)).toBe(false);
    const unlock = lockDataDirectory(dataDir);
    unlock();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
