import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Database, Queryable } from './db/index.ts';

/** What a job handler receives. */
export interface JobContext {
  id: number;
  name: string;
  payload: Record<string, unknown>;
  runAt: Date;
  attempt: number;
}

export type JobHandler = (job: JobContext) => Promise<void>;

/** A recurring job: given the last planned run, when is the next one? */
export interface Schedule {
  name: string;
  next(after: Date): Date;
}

export interface EnqueueOptions {
  runAt: Date;
  payload?: Record<string, unknown>;
  /** A job with the same unique key is enqueued once, however many processes ask. */
  uniqueKey?: string;
  maxAttempts?: number;
}

const LEASE_MS = 60_000;
const BATCH_SIZE = 5;
const RETRY_BASE_MS = 5_000;

/** Adds a job; returns false when one with the same unique key already exists. */
export async function enqueueJob(q: Queryable, name: string, options: EnqueueOptions): Promise<boolean> {
  const changed = await q.execute(
    `INSERT INTO jobs (name, unique_key, run_at, payload, max_attempts) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (unique_key) DO NOTHING`,
    [name, options.uniqueKey ?? null, options.runAt, JSON.stringify(options.payload ?? {}), options.maxAttempts ?? 5],
  );
  return changed === 1;
}

/**
 * Runs scheduled work. Each due job is claimed by exactly one process with FOR UPDATE SKIP LOCKED
 * and a lease; a process that dies mid-job lets the lease run out and another process retries it,
 * so handlers must be idempotent (they run at least once, and only one process at a time).
 */
export class JobRunner {
  readonly #handlers = new Map<string, JobHandler>();
  readonly #schedules: Schedule[] = [];
  readonly #workerId = `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
  ) {}

  register(name: string, handler: JobHandler): void {
    if (this.#handlers.has(name)) throw new Error(`job ${name} is registered twice`);
    this.#handlers.set(name, handler);
  }

  /** Registers a recurring job; its next run is enqueued once per planned instant. */
  schedule(schedule: Schedule, handler: JobHandler): void {
    this.register(schedule.name, async (job) => {
      try {
        await handler(job);
      } finally {
        await this.#planNext(schedule, job.runAt);
      }
    });
    this.#schedules.push(schedule);
  }

  async #planNext(schedule: Schedule, after: Date): Promise<void> {
    const runAt = schedule.next(after);
    await enqueueJob(this.database, schedule.name, { runAt, uniqueKey: `${schedule.name}@${runAt.toISOString()}` });
  }

  /** Makes sure every schedule has its next run planned. */
  async planSchedules(): Promise<void> {
    for (const schedule of this.#schedules) {
      const pending = await this.database.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM jobs WHERE name = $1 AND state IN ('pending', 'running')`,
        [schedule.name],
      );
      if ((pending[0]?.count ?? 0) === 0) await this.#planNext(schedule, this.clock.now());
    }
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.runDue()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.error({ err: error }, 'job runner tick failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.pollIntervalMs);
        });
    };
    void this.planSchedules()
      .catch((error: unknown) => this.logger.error({ err: error }, 'planning schedules failed'))
      .finally(tick);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** Claims and runs every job due now; returns how many ran. Tests call it directly. */
  async runDue(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = this.clock.now();
      const claimed = await this.database.query<{
        id: number;
        name: string;
        payload: Record<string, unknown>;
        run_at: Date;
        attempts: number;
        max_attempts: number;
      }>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $2, locked_until = $3
          WHERE id IN (
            SELECT id FROM jobs
             WHERE (state = 'pending' AND run_at <= $1) OR (state = 'running' AND locked_until < $1)
             ORDER BY run_at, id
             LIMIT $4
             FOR UPDATE SKIP LOCKED)
          RETURNING id, name, payload, run_at, attempts, max_attempts`,
        [now, this.#workerId, new Date(now.getTime() + LEASE_MS), BATCH_SIZE],
      );
      if (claimed.length === 0) return ran;
      for (const job of claimed.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || a.id - b.id)) {
        ran += 1;
        const handler = this.#handlers.get(job.name);
        try {
          if (!handler) throw new Error(`no handler registered for job ${job.name}`);
          await handler({ id: job.id, name: job.name, payload: job.payload, runAt: job.run_at, attempt: job.attempts });
          await this.database.execute(
            `UPDATE jobs SET state = 'done', finished_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1 AND locked_by = $3`,
            [job.id, this.clock.now(), this.#workerId],
          );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const finalAttempt = job.attempts >= job.max_attempts;
          this.logger.error({ job: job.name, id: job.id, attempt: job.attempts, err: error }, 'job failed');
          await this.database.execute(
            `UPDATE jobs SET state = $2, last_error = $3, locked_until = NULL, run_at = $4,
                    finished_at = CASE WHEN $2 = 'failed' THEN $5::timestamptz ELSE NULL END
              WHERE id = $1 AND locked_by = $6`,
            [
              job.id,
              finalAttempt ? 'failed' : 'pending',
              message.slice(0, 2000),
              new Date(this.clock.now().getTime() + RETRY_BASE_MS * 2 ** (job.attempts - 1)),
              this.clock.now(),
              this.#workerId,
            ],
          );
        }
      }
    }
  }
}
