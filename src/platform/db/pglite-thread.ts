import { Worker } from 'node:worker_threads';

/** What the Kysely dialect needs of the embedded database (src/platform/db/pglite-dialect.ts). */
export interface EmbeddedDatabase {
  /** One statement with parameters (extended protocol). */
  query<R>(sql: string, parameters: readonly unknown[]): Promise<{ rows: R[]; affectedRows?: number | undefined }>;
  /** Several statements without parameters (simple protocol); the last one's rows. */
  exec<R>(sql: string): Promise<{ rows: R[]; affectedRows?: number | undefined }>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** A database error as the thread sends it: its message, SQLSTATE code, constraint and so on. */
type ErrorFields = Record<string, unknown> & { message: string };

interface Reply {
  id: number;
  rows?: unknown[];
  affectedRows?: number;
  error?: ErrorFields;
}

/** A database error carried from the database's thread, with its SQLSTATE code, constraint and so on. */
function databaseError(fields: ErrorFields): Error {
  const error = new Error(fields.message);
  Object.assign(error, fields);
  return error;
}

/**
 * PGlite on a worker thread of its own (docs/adr/0008-embedded-database-thread.md). The database's
 * WebAssembly then runs beside the HTTP server instead of taking turns with it on one thread. Every
 * call is a message; the thread carries the messages out strictly in the order they were sent, so
 * the order of calls on this side is the order the database sees (the dialect's lock decides it).
 * A request is answered by its own message, matched by id.
 */
export class PGliteThread implements EmbeddedDatabase {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  #next = 0;
  #closed = false;
  #stopped: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if (reply.error) waiting.reject(databaseError(reply.error));
      else waiting.resolve(reply);
    });
    // The thread is gone (it threw, or ran out of memory): nothing it was asked is answered, so
    // every caller hears it, and every later call is refused at once.
    const stop = (error: Error) => {
      this.#stopped ??= error;
      for (const waiting of this.#pending.values()) waiting.reject(error);
      this.#pending.clear();
    };
    worker.on('error', (error: Error) => stop(new Error(`the embedded database thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => stop(new Error(`the embedded database thread stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens the database in dataDirectory (in memory when undefined). */
  static async open(dataDirectory: string | undefined): Promise<PGliteThread> {
    const worker = new Worker(new URL('./pglite-thread-worker.mjs', import.meta.url), { workerData: { dataDirectory } });
    const ready = await new Promise<{ ready: boolean; error?: ErrorFields }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!ready.ready) {
      await worker.terminate();
      throw databaseError(ready.error ?? { message: 'the embedded database did not open' });
    }
    return new PGliteThread(worker);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #send(message: { op: 'query' | 'exec' | 'close'; sql?: string; params?: readonly unknown[] }): Promise<Reply> {
    if (this.#closed && message.op !== 'close') return Promise.reject(new Error('the embedded database is closed'));
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#next++;
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Posted now, synchronously: the call's place in the order is the moment it was made.
      this.#worker.postMessage({ id, ...message });
    });
  }

  async query<R>(sql: string, parameters: readonly unknown[]): Promise<{ rows: R[]; affectedRows?: number | undefined }> {
    const reply = await this.#send({ op: 'query', sql, params: parameters });
    return { rows: (reply.rows ?? []) as R[], affectedRows: reply.affectedRows };
  }

  async exec<R>(sql: string): Promise<{ rows: R[]; affectedRows?: number | undefined }> {
    const reply = await this.#send({ op: 'exec', sql });
    return { rows: (reply.rows ?? []) as R[], affectedRows: reply.affectedRows };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#stopped) await this.#send({ op: 'close' });
    await this.#worker.terminate();
  }
}
