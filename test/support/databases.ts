import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseKind } from '../../src/platform/db/index.ts';

/** The databases the shared integration suites run on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  database: Database;
  /** postgres://… of the fresh database (postgres kind only), for a second process. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind: in-memory PGlite, or a new database on the test server. */
export async function freshDatabase(kind: DatabaseKind, poolSize = 8): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const database = await openDatabase({ dataDir: '', inMemory: true });
    return { database, url: undefined, drop: () => database.close() };
  }
  const url = freshPostgresUrl();
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const name = new URL(url).pathname.slice(1);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const database = await openDatabase({ databaseUrl: url, dataDir: '', poolSize });
  return {
    database,
    url,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function freshPostgresUrl(): string {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const url = new URL(base);
  url.pathname = `/haihe_test_${crypto.randomBytes(6).toString('hex')}`;
  return url.toString();
}
