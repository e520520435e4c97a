import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import { PGliteThread } from './pglite-thread.ts';
import { OID_DATE, OID_DATE_ARRAY, OID_INT8, OID_INT8_ARRAY, OID_NUMERIC, OID_NUMERIC_ARRAY, toNumber } from './types.mjs';

export type DatabaseKind = 'pglite' | 'postgres';

/** Anything SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one parameterised statement ($1, $2, …) and returns its rows. */
  query<R = Record<string, unknown>>(text: string, parameters?: readonly unknown[]): Promise<R[]>;
  /** Runs one statement and returns the number of rows it changed. */
  execute(text: string, parameters?: readonly unknown[]): Promise<number>;
  /** Typed query builder bound to the same connection or transaction. */
  readonly kysely: Kysely<any>;
}

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
}

/** The platform's database: PGlite in DATA_DIR or a PostgreSQL server, behind one interface. */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  script(text: string): Promise<void>;
  /** Pool statistics for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

function queryable(kysely: Kysely<any>): Queryable {
  return {
    kysely,
    async query<R>(text: string, parameters: readonly unknown[] = []) {
      const result = await kysely.executeQuery<R>(CompiledQuery.raw(text, [...parameters]));
      return result.rows as R[];
    },
    async execute(text: string, parameters: readonly unknown[] = []) {
      const result = await kysely.executeQuery(CompiledQuery.raw(text, [...parameters]));
      return Number(result.numAffectedRows ?? 0n);
    },
  };
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** For tests: an in-memory PGlite instead of files in dataDir. */
  inMemory?: boolean;
}

/** Opens PGlite (files under dataDir/db) or a pg pool (databaseUrl), ready for queries. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 8);
  return openPglite(options);
}

/**
 * The embedded database belongs to one process: PGlite's files must never be opened by two at once
 * (a CLI command while the platform runs, a second `npm start`). A lock file with the owner's pid
 * refuses a second opener; a lock left by a killed process is taken over.
 */
export function lockDataDirectory(dataDir: string): () => void {
  const file = path.join(dataDir, 'db', 'haihe-process.lock');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new Error(`The embedded database in ${dataDir} is in use by process ${owner}; stop it first (or use DATABASE_URL for several processes)`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  let dataDirectory: string | undefined;
  let unlock = () => {};
  if (!options.inMemory) {
    dataDirectory = path.join(options.dataDir, 'db');
    fs.mkdirSync(dataDirectory, { recursive: true });
    unlock = lockDataDirectory(options.dataDir);
  }
  // The database runs on a thread of its own (docs/adr/0008-embedded-database-thread.md), with the
  // same type parsers as the pg pool (./types.mjs).
  let pglite: PGliteThread;
  try {
    pglite = await PGliteThread.open(dataDirectory);
  } catch (error) {
    unlock();
    throw error;
  }
  const kysely = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  const base = queryable(kysely);
  return {
    ...base,
    kind: 'pglite',
    transaction: (fn, transactionOptions) => runTransaction(kysely, fn, transactionOptions),
    async script(text) {
      await kysely.executeQuery(CompiledQuery.raw(text.includes(';') ? text : `${text};`));
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    async close() {
      await kysely.destroy();
      // Kysely closes the driver only if a query ever opened it: the thread must stop either way.
      await pglite.close();
      unlock();
    },
  };
}

// pg-types' own array parser (its type declarations describe an older shape).
const arrayParser = pg.types.arrayParser as unknown as {
  create(source: string, transform: (element: string) => unknown): { parse(): unknown[] };
};
function parseArray(text: string, transform: (element: string) => unknown): unknown[] {
  return arrayParser.create(text, transform).parse();
}

async function openPostgres(databaseUrl: string, poolSize: number): Promise<Database> {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === OID_INT8) return toNumber;
      if (oid === OID_NUMERIC || oid === OID_DATE) return (value: string) => value;
      // Arrays of these types follow the same rules as their elements (PGlite does this by itself;
      // pg would return int8[] as strings, numeric[] as floats and date[] as Dates at UTC midnight).
      if (oid === OID_INT8_ARRAY) return (value: string) => parseArray(value, toNumber);
      if (oid === OID_NUMERIC_ARRAY || oid === OID_DATE_ARRAY) return (value: string) => parseArray(value, (element) => element);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    types: types as pg.CustomTypesConfig,
    options: '-c TimeZone=Asia/Shanghai',
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Nothing was in flight.
  });
  // Fail fast with a readable message when the server cannot be reached.
  const probe = await pool.connect();
  probe.release();
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const base = queryable(kysely);
  return {
    ...base,
    kind: 'postgres',
    transaction: (fn, transactionOptions) => runTransaction(kysely, fn, transactionOptions),
    async script(text) {
      await pool.query(text);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await kysely.destroy();
    },
  };
}

async function runTransaction<T>(
  kysely: Kysely<any>,
  fn: (tx: Queryable) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  let builder = kysely.transaction();
  if (options.isolationLevel) builder = builder.setIsolationLevel(options.isolationLevel);
  return builder.execute((trx: Transaction<any>) => fn(queryable(trx)));
}
