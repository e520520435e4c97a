import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { migrationSources, openAndMigrate } from '../app.ts';
import { appendAudit, canonicalJson, verifyAudit, type AuditEntry } from './audit.ts';
import { loadConfig } from './config.ts';
import type { Database, Queryable } from './db/index.ts';
import { migrate } from './db/migrate.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function entry(index: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: { subject: `officer-${index % 3}`, role: 'window_officer' },
    action: 'case.update',
    entityType: 'case',
    entityId: `case-${index}`,
    summary: { step: index, from: 'open', to: 'closed', amount: '1499.85', nested: { b: 1, a: [1, 'x', null] } },
    requestId: `req-${index}`,
    occurredAt: new Date(Date.UTC(2026, 1, 14, 2, 0, index)),
    ...overrides,
  };
}

async function appendMany(database: Database, count: number, start = 1): Promise<void> {
  await database.transaction((tx) => appendAudit(tx, Array.from({ length: count }, (_, i) => entry(start + i))));
}

/** Runs statements with the append-only triggers switched off, as someone with table-owner rights could. */
async function tamper(database: Database, statements: string[]): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.execute('ALTER TABLE audit_log DISABLE TRIGGER USER');
    for (const statement of statements) await tx.execute(statement);
    await tx.execute('ALTER TABLE audit_log ENABLE TRIGGER USER');
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"x":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson(new Date('2026-02-14T00:00:00Z'))).toBe('"2026-02-14T00:00:00.000Z"');
  });
});

describe.each(databaseKinds())('audit log on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    test = await freshDatabase(kind);
    database = test.database;
    await migrate(database, migrationSources([]));
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await tamper(database, ['DELETE FROM audit_log']);
    await database.execute(`UPDATE audit_head SET position = 0, hash = 'genesis' WHERE id = 1`);
  });

  it('starts intact and empty', async () => {
    expect(await verifyAudit(database)).toEqual({ ok: true, entries: 0, problems: [] });
  });

  it('chains appended entries: each names the hash of the one before', async () => {
    await appendMany(database, 3);
    await appendMany(database, 2, 4);
    const rows = await database.query<{ position: number; prev_hash: string; hash: string; summary: unknown; actor_role: string }>(
      'SELECT position, prev_hash, hash, summary, actor_role FROM audit_log ORDER BY position',
    );
    expect(rows.map((row) => row.position)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prev_hash).toBe('genesis');
    for (let index = 1; index < rows.length; index += 1) expect(rows[index]!.prev_hash).toBe(rows[index - 1]!.hash);
    expect(new Set(rows.map((row) => row.hash)).size).toBe(5);
    expect(rows[0]!.summary).toEqual(entry(1).summary);
    const [head] = await database.query<{ position: number; hash: string }>('SELECT position, hash FROM audit_head');
    expect(head).toEqual({ position: 5, hash: rows[4]!.hash });
    expect(await verifyAudit(database)).toEqual({ ok: true, entries: 5, problems: [] });
  });

  it('verifies across pages', async () => {
    await appendMany(database, 12);
    expect(await verifyAudit(database, 5)).toEqual({ ok: true, entries: 12, problems: [] });
  });

  it('rolls back its entries with the transaction they describe', async () => {
    await appendMany(database, 2);
    await expect(
      database.transaction(async (tx) => {
        await appendAudit(tx, [entry(3)]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await appendMany(database, 1, 3);
    const positions = await database.query<{ position: number }>('SELECT position FROM audit_log ORDER BY position');
    expect(positions.map((row) => row.position)).toEqual([1, 2, 3]);
    expect((await verifyAudit(database)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE through its triggers', async () => {
    await appendMany(database, 2);
    await expect(database.execute(`UPDATE audit_log SET actor = 'someone-else' WHERE position = 1`)).rejects.toThrow(/append-only/);
    await expect(database.execute('DELETE FROM audit_log WHERE position = 2')).rejects.toThrow(/append-only/);
    await expect(database.execute('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    expect(await verifyAudit(database)).toMatchObject({ ok: true, entries: 2 });
  });

  it('detects an edited row', async () => {
    await appendMany(database, 5);
    await tamper(database, [`UPDATE audit_log SET summary = jsonb_set(summary, '{to}', '"reopened"') WHERE position = 3`]);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain('entry 3 was changed after it was written');
  });

  it('detects an edited time, actor or entity', async () => {
    await appendMany(database, 3);
    await tamper(database, [`UPDATE audit_log SET occurred_at = occurred_at + interval '1 second' WHERE position = 1`]);
    await tamper(database, [`UPDATE audit_log SET actor = 'nobody' WHERE position = 2`]);
    const result = await verifyAudit(database);
    expect(result.problems).toEqual(expect.arrayContaining(['entry 1 was changed after it was written', 'entry 2 was changed after it was written']));
  });

  it('detects a rewritten row whose own hash was recomputed', async () => {
    await appendMany(database, 4);
    // Someone rewrites entry 2 and fixes its hash: entry 3 no longer follows it.
    await tamper(database, [`UPDATE audit_log SET hash = repeat('0', 64) WHERE position = 2`]);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/entry 3 does not follow the entry before it/);
  });

  it('detects a deleted middle row', async () => {
    await appendMany(database, 5);
    await tamper(database, ['DELETE FROM audit_log WHERE position = 3']);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining(['entries 3–3 are missing (deleted)', 'entry 4 does not follow the entry before it (a row was deleted or inserted)']),
    );
  });

  it('detects deleted first rows', async () => {
    await appendMany(database, 3);
    await tamper(database, ['DELETE FROM audit_log WHERE position <= 2']);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain('entries 1–2 are missing (deleted)');
  });

  it('detects a deleted last row', async () => {
    await appendMany(database, 5);
    await tamper(database, ['DELETE FROM audit_log WHERE position = 5']);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'the chain ends at entry 4 but the head says 5 (entries at the end were deleted)',
    ]);
  });

  it('detects a deleted last row even when the head was moved back too', async () => {
    await appendMany(database, 3);
    await tamper(database, ['DELETE FROM audit_log WHERE position = 3']);
    await database.execute(`UPDATE audit_head SET position = 2 WHERE id = 1`);
    // The head's hash still names entry 3: moving the position alone does not hide the deletion.
    expect((await verifyAudit(database)).ok).toBe(false);
  });

  it('detects every row deleted', async () => {
    await appendMany(database, 2);
    await tamper(database, ['DELETE FROM audit_log']);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(['the chain ends at entry 0 but the head says 2 (entries at the end were deleted)']);
  });

  it('detects an inserted row', async () => {
    await appendMany(database, 3);
    await tamper(database, [
      `INSERT INTO audit_log (position, occurred_at, actor, action, entity_type, entity_id, summary, prev_hash, hash)
       VALUES (4, now(), 'intruder', 'case.delete', 'case', 'case-1', '{}', (SELECT hash FROM audit_log WHERE position = 3), 'forged')`,
    ]);
    const result = await verifyAudit(database);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain('entry 4 was changed after it was written');
  });

  it('keeps positions gap-free under concurrent appends from many transactions', async () => {
    const transactions = 24;
    const perTransaction = 3;
    await Promise.all(
      Array.from({ length: transactions }, (_, t) =>
        database.transaction(async (tx: Queryable) => {
          await appendAudit(
            tx,
            Array.from({ length: perTransaction }, (_, i) => entry(t * perTransaction + i + 1, { entityId: `tx-${t}` })),
          );
          // Some transactions roll back: their entries must vanish without leaving a gap.
          if (t % 6 === 5) throw new Error('rolled back');
        }).catch(() => undefined),
      ),
    );
    const committed = transactions - transactions / 6;
    const rows = await database.query<{ position: number; entity_id: string }>('SELECT position, entity_id FROM audit_log ORDER BY position');
    expect(rows.map((row) => row.position)).toEqual(Array.from({ length: committed * perTransaction }, (_, i) => i + 1));
    // Each transaction's entries are consecutive.
    for (let index = 0; index < rows.length; index += perTransaction) {
      const group = rows.slice(index, index + perTransaction).map((row) => row.entity_id);
      expect(new Set(group).size).toBe(1);
    }
    expect(await verifyAudit(database)).toEqual({ ok: true, entries: committed * perTransaction, problems: [] });
  });
});

describe('npm run cli -- audit verify', () => {
  let dataDir: string;

  function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dataDir, HAIHE_DEMO: '0', LOG_LEVEL: 'silent', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function withDatabase(fn: (database: Database) => Promise<void>): Promise<void> {
    const config = loadConfig({ DATA_DIR: dataDir, HAIHE_DEMO: '0' });
    const { database } = await openAndMigrate(config);
    try {
      await fn(database);
    } finally {
      await database.close();
    }
  }

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-audit-cli-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 0 on an intact log and 1 after tampering', { timeout: 120_000 }, async () => {
    await withDatabase((database) => appendMany(database, 4));

    const intact = await runCli(['audit', 'verify']);
    expect(intact.stderr).not.toContain('TAMPERED');
    expect(intact.stdout).toContain('audit log intact: 4 entries');
    expect(intact.code).toBe(0);

    await withDatabase((database) => tamper(database, [`UPDATE audit_log SET entity_id = 'case-99' WHERE position = 2`]));

    const tampered = await runCli(['audit', 'verify']);
    expect(tampered.stderr).toContain('audit log TAMPERED');
    expect(tampered.stderr).toContain('entry 2 was changed after it was written');
    expect(tampered.code).toBe(1);
  });
});
