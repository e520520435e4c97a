import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './index.ts';

/** A set of plain SQL migration files owned by one module, applied in file-name order. */
export interface MigrationSource {
  module: string;
  directory: string;
}

export interface AppliedMigration {
  module: string;
  name: string;
}

const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies every pending migration in one transaction under an advisory lock, so several
 * processes starting together apply each file exactly once. A file that changed after it was
 * applied is an error: migrations are append-only.
 */
export async function migrate(database: Database, sources: readonly MigrationSource[]): Promise<AppliedMigration[]> {
  return database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.execute(`CREATE TABLE IF NOT EXISTS schema_migrations (
      module text NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (module, name)
    )`);
    const rows = await tx.query<{ module: string; name: string; checksum: string }>(
      'SELECT module, name, checksum FROM schema_migrations',
    );
    const known = new Map(rows.map((row) => [`${row.module}/${row.name}`, row.checksum]));
    const applied: AppliedMigration[] = [];
    for (const source of sources) {
      if (!fs.existsSync(source.directory)) continue;
      const files = fs.readdirSync(source.directory).filter((file) => file.endsWith('.sql')).sort();
      for (const file of files) {
        const text = fs.readFileSync(path.join(source.directory, file), 'utf8');
        const checksum = crypto.createHash('sha256').update(text).digest('hex');
        const previous = known.get(`${source.module}/${file}`);
        if (previous !== undefined) {
          if (previous !== checksum) {
            throw new Error(`migration ${source.module}/${file} changed after it was applied; add a new file instead`);
          }
          continue;
        }
        await tx.execute(text);
        await tx.query('INSERT INTO schema_migrations (module, name, checksum) VALUES ($1, $2, $3)', [
          source.module,
          file,
          checksum,
        ]);
        applied.push({ module: source.module, name: file });
      }
    }
    return applied;
  });
}
