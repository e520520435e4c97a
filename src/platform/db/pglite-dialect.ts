import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { EmbeddedDatabase } from './pglite-thread.ts';

/**
 * A Kysely dialect over the embedded database, which has a single connection. A transaction holds it
 * exclusively: BEGIN waits on a FIFO lock, which keeps other callers' statements out until COMMIT or
 * ROLLBACK. A statement on its own only takes its turn in that order and does not hold the lock
 * while it runs: the database carries out calls in the order they are made (PGliteThread), so the
 * next statement is already queued there while one runs (docs/adr/0008-embedded-database-thread.md).
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: EmbeddedDatabase) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

/** A FIFO lock: one holder at a time, waiters served in arrival order. */
export class FifoLock {
  #held = false;
  readonly #waiters: Array<() => void> = [];
  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  get held(): boolean {
    return this.#held;
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
  get queued(): number {
    return this.#waiters.length;
  }
}

class PGliteDriver implements Driver {
  readonly #lock = new FifoLock();
  constructor(private readonly pglite: EmbeddedDatabase) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PGliteConnection(this.pglite, this.#lock);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}` : '';
    await (connection as PGliteConnection).begin(`BEGIN${isolation}`);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('COMMIT');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('ROLLBACK');
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).release();
  }
  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

/** One use of the single connection: a statement on its own, or one transaction. */
class PGliteConnection implements DatabaseConnection {
  #inTransaction = false;
  constructor(
    readonly pglite: EmbeddedDatabase,
    private readonly lock: FifoLock,
  ) {}

  async begin(sql: string): Promise<void> {
    await this.lock.acquire();
    this.#inTransaction = true;
    try {
      await this.#run(sql, []);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  async end(sql: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      await this.#run(sql, []);
    } finally {
      this.release();
    }
  }

  release(): void {
    if (!this.#inTransaction) return;
    this.#inTransaction = false;
    this.lock.release();
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = compiledQuery.parameters as unknown[];
    if (this.#inTransaction || !this.lock.held) return this.#run<R>(compiledQuery.sql, parameters);
    // Outside a transaction while one is open or waiting: take the lock in turn, make the call (it
    // is sent to the database before #run's first await) and pass the lock on at once.
    await this.lock.acquire();
    const running = this.#run<R>(compiledQuery.sql, parameters);
    this.lock.release();
    return running;
  }

  async #run<R>(sql: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    // Statements without parameters go through the simple protocol, which allows several statements.
    const result = parameters.length === 0 && sql.includes(';') ? await this.pglite.exec<R>(sql) : await this.pglite.query<R>(sql, parameters);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on the embedded database');
  }
}
