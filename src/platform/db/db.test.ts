import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { migrationSources } from '../../app.ts';
import { openDatabase, type Database } from './index.ts';
import { migrate, type MigrationSource } from './migrate.ts';

function migrationFolder(files: Record<string, string>): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-migrations-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(directory, name), text);
  return directory;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(databaseKinds())('database on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  const folders: string[] = [];

  beforeAll(async () => {
    test = await freshDatabase(kind);
    database = test.database;
  });
  afterAll(async () => {
    await test?.drop();
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  describe('migrations', () => {
    it('applies every file once, in name order; a second run applies nothing', async () => {
      const directory = migrationFolder({
        '0002_more.sql': `ALTER TABLE m_things ADD COLUMN colour text NOT NULL DEFAULT 'blue';\nINSERT INTO m_things (name) VALUES ('second');`,
        '0001_first.sql': `CREATE TABLE m_things (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO m_things (name) VALUES ('first');`,
        'notes.txt': 'not a migration',
      });
      folders.push(directory);
      const sources: MigrationSource[] = [{ module: 'things', directory }];
      const first = await migrate(database, sources);
      expect(first).toEqual([
        { module: 'things', name: '0001_first.sql' },
        { module: 'things', name: '0002_more.sql' },
      ]);
      expect(await migrate(database, sources)).toEqual([]);
      const rows = await database.query<{ name: string; colour: string }>('SELECT name, colour FROM m_things ORDER BY id');
      expect(rows).toEqual([
        { name: 'first', colour: 'blue' },
        { name: 'second', colour: 'blue' },
      ]);
      const recorded = await database.query<{ name: string }>(`SELECT name FROM schema_migrations WHERE module = 'things' ORDER BY name`);
      expect(recorded.map((row) => row.name)).toEqual(['0001_first.sql', '0002_more.sql']);

      // A file added later is applied on the next run, alone.
      fs.writeFileSync(path.join(directory, '0003_later.sql'), `INSERT INTO m_things (name) VALUES ('third');`);
      expect(await migrate(database, sources)).toEqual([{ module: 'things', name: '0003_later.sql' }]);
      expect(await database.query('SELECT * FROM m_things')).toHaveLength(3);
    });

    it('refuses a migration file that changed after it was applied, and applies nothing', async () => {
      const directory = migrationFolder({ '0001_table.sql': 'CREATE TABLE m_changed (id int PRIMARY KEY);' });
      folders.push(directory);
      const sources: MigrationSource[] = [{ module: 'changed', directory }];
      await migrate(database, sources);
      fs.writeFileSync(path.join(directory, '0001_table.sql'), 'CREATE TABLE m_changed (id bigint PRIMARY KEY);');
      fs.writeFileSync(path.join(directory, '0002_new.sql'), 'CREATE TABLE m_changed_new (id int);');
      await expect(migrate(database, sources)).rejects.toThrow(/changed\/0001_table\.sql changed after it was applied/);
      const [table] = await database.query<{ exists: boolean }>(`SELECT to_regclass('m_changed_new') IS NOT NULL AS exists`);
      expect(table!.exists).toBe(false);
    });

    it('rolls back every file of a run when one fails', async () => {
      const directory = migrationFolder({
        '0001_good.sql': 'CREATE TABLE m_partial (id int);',
        '0002_bad.sql': 'CREATE TABLE m_partial_2 (id int REFERENCES no_such_table (id));',
      });
      folders.push(directory);
      await expect(migrate(database, [{ module: 'partial', directory }])).rejects.toThrow();
      const [table] = await database.query<{ exists: boolean }>(`SELECT to_regclass('m_partial') IS NOT NULL AS exists`);
      expect(table!.exists).toBe(false);
      const recorded = await database.query(`SELECT * FROM schema_migrations WHERE module = 'partial'`);
      expect(recorded).toHaveLength(0);
    });

    it('applies the platform migrations with plpgsql functions and triggers', async () => {
      const applied = await migrate(database, migrationSources([]));
      expect(applied.map((entry) => `${entry.module}/${entry.name}`)).toContain('platform/0001_platform.sql');
      expect(await migrate(database, migrationSources([]))).toEqual([]);
    });
  });

  describe('types', () => {
    it('maps int8, numeric, date, timestamptz and jsonb the same way on both databases', async () => {
      const [row] = await database.query<Record<string, unknown>>(
        `SELECT 9007199254740991::int8 AS big, count(*) AS counted, 1499.85::numeric(12,2) AS money,
                0.10::numeric AS tenth, '2026-02-14'::date AS day, '2026-02-14T00:30:00+08:00'::timestamptz AS instant,
                42::int4 AS small, 2.5::float8 AS float, true AS flag, '{"a":[1,"2"]}'::jsonb AS doc, NULL::text AS nothing,
                ARRAY[1, 2]::int8[] AS bigs, ARRAY[1.50, 2]::numeric[] AS moneys, ARRAY['2026-01-01']::date[] AS days,
                ARRAY[3, 4]::int4[] AS smalls, ARRAY['a', 'b']::text[] AS texts
           FROM (VALUES (1), (2)) AS t(x)`,
      );
      expect(row).toEqual({
        big: 9007199254740991,
        counted: 2,
        money: '1499.85',
        tenth: '0.10',
        day: '2026-02-14',
        instant: new Date('2026-02-13T16:30:00.000Z'),
        small: 42,
        float: 2.5,
        flag: true,
        doc: { a: [1, '2'] },
        nothing: null,
        bigs: [1, 2],
        moneys: ['1.50', '2'],
        days: ['2026-01-01'],
        smalls: [3, 4],
        texts: ['a', 'b'],
      });
      expect(row!.instant).toBeInstanceOf(Date);
    });

    it('refuses an int8 beyond the safe integer range instead of losing precision', async () => {
      await expect(database.query('SELECT 9007199254740993::int8 AS big')).rejects.toThrow(/safe integer/);
    });

    it('reads dates as civil dates whatever the session time zone of the server', async () => {
      const [row] = await database.query<{ day: string; zone: string }>(
        `SELECT ('2026-03-01T00:30:00+08:00'::timestamptz)::date AS day, current_setting('TimeZone') AS zone`,
      );
      expect(row).toEqual({ day: '2026-03-01', zone: 'Asia/Shanghai' });
    });

    it('passes Dates and arrays as parameters', async () => {
      const [row] = await database.query<{ instant: Date; total: number }>(
        'SELECT $1::timestamptz AS instant, (SELECT sum(x)::int8 FROM unnest($2::int8[]) AS x) AS total',
        [new Date('2026-02-14T12:00:00.123Z'), [1, 2, 3]],
      );
      expect(row!.instant.toISOString()).toBe('2026-02-14T12:00:00.123Z');
      expect(row!.total).toBe(6);
    });

    it('reports the rows a statement changed', async () => {
      await database.execute('CREATE TABLE t_changed (id int)');
      expect(await database.execute('INSERT INTO t_changed SELECT generate_series(1, 5)')).toBe(5);
      expect(await database.execute('UPDATE t_changed SET id = id + 1 WHERE id > 2')).toBe(3);
      expect(await database.execute('DELETE FROM t_changed WHERE id = 100')).toBe(0);
    });
  });

  describe('transactions', () => {
    beforeAll(async () => {
      await database.execute('CREATE TABLE t_rows (id serial PRIMARY KEY, label text NOT NULL)');
    });
    afterEach(async () => {
      await database.execute('DELETE FROM t_rows');
    });
    const labels = async () =>
      (await database.query<{ label: string }>('SELECT label FROM t_rows ORDER BY label')).map((row) => row.label);

    it('commits when the function resolves', async () => {
      const result = await database.transaction(async (tx) => {
        await tx.execute(`INSERT INTO t_rows (label) VALUES ('kept')`);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await labels()).toEqual(['kept']);
    });

    it('rolls back everything when the function throws, and passes the error on', async () => {
      const failure = new Error('handler failed');
      await expect(
        database.transaction(async (tx) => {
          await tx.execute(`INSERT INTO t_rows (label) VALUES ('one')`);
          await tx.execute(`INSERT INTO t_rows (label) VALUES ('two')`);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await labels()).toEqual([]);
    });

    it('rolls back when a statement fails, and the database stays usable', async () => {
      await expect(
        database.transaction(async (tx) => {
          await tx.execute(`INSERT INTO t_rows (label) VALUES ('before')`);
          await tx.execute(`INSERT INTO t_rows (label) VALUES (NULL)`);
        }),
      ).rejects.toThrow(/null value/);
      expect(await labels()).toEqual([]);
      await database.execute(`INSERT INTO t_rows (label) VALUES ('after')`);
      expect(await labels()).toEqual(['after']);
    });

    it('runs a transaction at the isolation level asked for', async () => {
      const level = await database.transaction(
        async (tx) => (await tx.query<{ level: string }>("SELECT current_setting('transaction_isolation') AS level"))[0]!.level,
        { isolationLevel: 'serializable' },
      );
      expect(level).toBe('serializable');
    });

    it("keeps other callers' statements out of an open transaction", async () => {
      let seenDuringTransaction: string[] | undefined;
      const transaction = database
        .transaction(async (tx) => {
          await tx.execute(`INSERT INTO t_rows (label) VALUES ('inside')`);
          await sleep(50);
          await tx.execute(`INSERT INTO t_rows (label) VALUES ('inside-2')`);
          throw new Error('roll back');
        })
        .catch(() => 'rolled back');
      await sleep(10);
      // Started while the transaction is open: must neither see its rows nor be rolled back with it.
      const outside = (async () => {
        await database.execute(`INSERT INTO t_rows (label) VALUES ('outside')`);
        seenDuringTransaction = (await database.query<{ label: string }>('SELECT label FROM t_rows ORDER BY label')).map(
          (row) => row.label,
        );
      })();
      await Promise.all([transaction, outside]);
      expect(seenDuringTransaction).toEqual(['outside']);
      expect(await labels()).toEqual(['outside']);
    });

    it('runs many concurrent transactions without mixing their statements', async () => {
      await database.execute('CREATE TABLE t_counter (id int PRIMARY KEY, value int NOT NULL)');
      await database.execute('INSERT INTO t_counter VALUES (1, 0)');
      // Each transaction reads, waits, then writes: interleaved on one connection, updates would be lost.
      await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          database.transaction(async (tx) => {
            const [row] = await tx.query<{ value: number }>('SELECT value FROM t_counter WHERE id = 1 FOR UPDATE');
            await sleep(index % 3);
            await tx.execute('UPDATE t_counter SET value = $1 WHERE id = 1', [row!.value + 1]);
            if (index % 5 === 4) throw new Error('rolled back on purpose');
          }).catch(() => undefined),
        ),
      );
      const [counter] = await database.query<{ value: number }>('SELECT value FROM t_counter WHERE id = 1');
      expect(counter!.value).toBe(20);
    });
  });

  describe('scripts', () => {
    it('runs several statements without parameters', async () => {
      await database.script(`CREATE TABLE t_script (id int); INSERT INTO t_script VALUES (1); INSERT INTO t_script VALUES (2);`);
      expect(await database.query('SELECT * FROM t_script')).toHaveLength(2);
    });
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('migrations from several processes on PostgreSQL', () => {
  let test: TestDatabase;
  afterAll(async () => {
    await test?.drop();
  });

  it('applies each file once when processes migrate at the same time', async () => {
    test = await freshDatabase('postgres');
    const directory = migrationFolder({
      // Not idempotent on purpose: applied twice, it fails.
      '0001_table.sql': 'CREATE TABLE m_once (id int PRIMARY KEY);',
      '0002_row.sql': 'INSERT INTO m_once VALUES (1);',
    });
    const processes = await Promise.all(
      Array.from({ length: 4 }, () => openDatabase({ databaseUrl: test.url, dataDir: '', poolSize: 2 })),
    );
    try {
      const sources: MigrationSource[] = [...migrationSources([]), { module: 'once', directory }];
      const results = await Promise.all(processes.map((process) => migrate(process, sources)));
      const applied = results.flat().map((entry) => `${entry.module}/${entry.name}`);
      expect(applied.filter((name) => name.startsWith('once/')).sort()).toEqual(['once/0001_table.sql', 'once/0002_row.sql']);
      expect(applied.filter((name) => name === 'platform/0001_platform.sql')).toHaveLength(1);
      const rows = await test.database.query<{ count: number }>('SELECT count(*) AS count FROM schema_migrations');
      // Every file (the platform's and the two above) recorded once, by exactly one of the processes.
      expect(rows[0]!.count).toBe(applied.length);
      expect(new Set(applied).size).toBe(applied.length);
      expect(await test.database.query('SELECT * FROM m_once')).toEqual([{ id: 1 }]);
    } finally {
      await Promise.all(processes.map((process) => process.close()));
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('embedded database thread (docs/adr/0008-embedded-database-thread.md)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: '', inMemory: true });
    await database.execute('CREATE TABLE t_order (id serial PRIMARY KEY, label int NOT NULL UNIQUE)');
  });
  afterAll(async () => database?.close());

  it('carries out statements made at once, several in flight, in the order they were made', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, index) => database.execute('INSERT INTO t_order (label) VALUES ($1)', [index])));
    const rows = await database.query<{ label: number }>('SELECT label FROM t_order ORDER BY id');
    expect(rows.map((row) => row.label)).toEqual(Array.from({ length: 200 }, (_, index) => index));
  });

  it('runs statements made while a transaction is open after it, never inside it, in their order', async () => {
    await database.execute('DELETE FROM t_order');
    const transaction = database.transaction(async (tx) => {
      await tx.execute('INSERT INTO t_order (label) VALUES (-1)');
      await sleep(30);
      await tx.execute('INSERT INTO t_order (label) VALUES (-2)');
      throw new Error('roll back');
    }).catch(() => 'rolled back');
    await sleep(5);
    const outside = Promise.all(Array.from({ length: 20 }, (_, index) => database.execute('INSERT INTO t_order (label) VALUES ($1)', [index])));
    expect(await transaction).toBe('rolled back');
    await outside;
    const rows = await database.query<{ label: number }>('SELECT label FROM t_order ORDER BY id');
    expect(rows.map((row) => row.label)).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it("keeps a database error's SQLSTATE code and constraint across the thread", async () => {
    await database.execute('INSERT INTO t_order (label) VALUES (1000)');
    await expect(database.execute('INSERT INTO t_order (label) VALUES (1000)')).rejects.toMatchObject({
      code: '23505',
      constraint: 't_order_label_key',
      message: expect.stringMatching(/duplicate key/),
    });
  });

  it('refuses calls once closed instead of leaving them waiting', async () => {
    const other = await openDatabase({ dataDir: '', inMemory: true });
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});

describe('embedded database files', () => {
  it('keeps committed data in DATA_DIR across a reopen', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-pglite-'));
    try {
      const first = await openDatabase({ dataDir });
      await first.execute('CREATE TABLE kept (id int)');
      await first.execute('INSERT INTO kept VALUES (7)');
      await first.close();
      expect(fs.existsSync(path.join(dataDir, 'db'))).toBe(true);
      const second = await openDatabase({ dataDir });
      expect(await second.query('SELECT id FROM kept')).toEqual([{ id: 7 }]);
      await second.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
