import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { migrationSources } from '../app.ts';
import { SettableClock } from './clock.ts';
import { openDatabase, type Database } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import { enqueueJob, JobRunner, type JobContext, type Schedule } from './jobs.ts';
import { createLogger } from './logger.ts';

const logger = createLogger('silent');
const T0 = new Date('2026-03-02T01:00:00Z');

interface JobRow {
  id: number;
  name: string;
  state: string;
  attempts: number;
  run_at: Date;
  last_error: string | null;
  finished_at: Date | null;
  unique_key: string | null;
}

describe.each(databaseKinds())('jobs on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  let clock: SettableClock;

  const jobs = () => database.query<JobRow>('SELECT * FROM jobs ORDER BY id');
  const newRunner = (db: Database = database) => new JobRunner(db, clock, logger, 10);

  beforeAll(async () => {
    test = await freshDatabase(kind);
    database = test.database;
    await migrate(database, migrationSources([]));
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await database.execute('DELETE FROM jobs');
    clock = new SettableClock(T0);
  });

  it('runs a due job once, with its payload, and marks it done', async () => {
    const runner = newRunner();
    const seen: JobContext[] = [];
    runner.register('mail.send', async (job) => {
      seen.push(job);
    });
    expect(await enqueueJob(database, 'mail.send', { runAt: T0, payload: { to: 'citizen-1' } })).toBe(true);
    expect(await runner.runDue()).toBe(1);
    expect(await runner.runDue()).toBe(0);
    clock.advance(3_600_000);
    expect(await runner.runDue()).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'mail.send', payload: { to: 'citizen-1' }, attempt: 1 });
    expect(seen[0]!.runAt.getTime()).toBe(T0.getTime());
    const [row] = await jobs();
    expect(row).toMatchObject({ state: 'done', attempts: 1, last_error: null });
    expect(row!.finished_at?.getTime()).toBe(T0.getTime());
  });

  it('does not run a job before its time, and runs it once the clock reaches it', async () => {
    const runner = newRunner();
    let runs = 0;
    runner.register('later', async () => {
      runs += 1;
    });
    await enqueueJob(database, 'later', { runAt: new Date(T0.getTime() + 60_000) });
    expect(await runner.runDue()).toBe(0);
    clock.advance(59_999);
    expect(await runner.runDue()).toBe(0);
    expect(runs).toBe(0);
    clock.advance(1);
    expect(await runner.runDue()).toBe(1);
    expect(runs).toBe(1);
  });

  it('runs due jobs in the order they were due', async () => {
    const runner = newRunner();
    const order: string[] = [];
    runner.register('ordered', async (job) => {
      order.push(String(job.payload.label));
    });
    for (const [label, offset] of [['c', -1_000], ['a', -3_000], ['b', -2_000], ['future', 5_000]] as const) {
      await enqueueJob(database, 'ordered', { runAt: new Date(T0.getTime() + offset), payload: { label } });
    }
    expect(await runner.runDue()).toBe(3);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('retries a failing job with growing back-off and marks it failed after its last attempt', async () => {
    const runner = newRunner();
    const attempts: number[] = [];
    runner.register('flaky', async (job) => {
      attempts.push(job.attempt);
      throw new Error(`attempt ${job.attempt} failed`);
    });
    await enqueueJob(database, 'flaky', { runAt: T0, maxAttempts: 3 });

    expect(await runner.runDue()).toBe(1);
    let [row] = await jobs();
    expect(row).toMatchObject({ state: 'pending', attempts: 1, last_error: 'attempt 1 failed', finished_at: null });
    expect(row!.run_at.getTime()).toBe(T0.getTime() + 5_000);

    clock.advance(4_999);
    expect(await runner.runDue()).toBe(0);
    clock.advance(1);
    expect(await runner.runDue()).toBe(1);
    [row] = await jobs();
    expect(row).toMatchObject({ state: 'pending', attempts: 2, last_error: 'attempt 2 failed' });
    expect(row!.run_at.getTime()).toBe(clock.now().getTime() + 10_000);

    clock.advance(10_000);
    expect(await runner.runDue()).toBe(1);
    [row] = await jobs();
    expect(row).toMatchObject({ state: 'failed', attempts: 3, last_error: 'attempt 3 failed' });
    expect(row!.finished_at?.getTime()).toBe(clock.now().getTime());

    clock.advance(24 * 3_600_000);
    expect(await runner.runDue()).toBe(0);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('succeeds on a retry after a failure', async () => {
    const runner = newRunner();
    let calls = 0;
    runner.register('second-time-lucky', async () => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
    });
    await enqueueJob(database, 'second-time-lucky', { runAt: T0 });
    await runner.runDue();
    clock.advance(5_000);
    await runner.runDue();
    const [row] = await jobs();
    expect(row).toMatchObject({ state: 'done', attempts: 2, last_error: null });
  });

  it('fails a job that has no handler instead of losing it', async () => {
    const runner = newRunner();
    await enqueueJob(database, 'nobody.handles.this', { runAt: T0, maxAttempts: 1 });
    expect(await runner.runDue()).toBe(1);
    const [row] = await jobs();
    expect(row).toMatchObject({ state: 'failed', last_error: 'no handler registered for job nobody.handles.this' });
  });

  it('takes over a job whose runner died after its lease ran out', async () => {
    const dead = newRunner();
    let release!: () => void;
    dead.register('long', () => new Promise<void>((resolve) => (release = resolve)));
    await enqueueJob(database, 'long', { runAt: T0 });
    const hanging = dead.runDue();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const other = newRunner();
    let ran = 0;
    other.register('long', async () => {
      ran += 1;
    });
    expect(await other.runDue()).toBe(0); // leased to the first runner
    clock.advance(60_001);
    expect(await other.runDue()).toBe(1);
    expect(ran).toBe(1);
    // The first runner finishing late does not overwrite the second runner's result.
    release();
    await hanging;
    const [row] = await jobs();
    expect(row).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('enqueues a job with a unique key once', async () => {
    expect(await enqueueJob(database, 'report', { runAt: T0, uniqueKey: 'report@2026-03' })).toBe(true);
    expect(await enqueueJob(database, 'report', { runAt: new Date(T0.getTime() + 1), uniqueKey: 'report@2026-03' })).toBe(false);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => enqueueJob(database, 'report', { runAt: T0, uniqueKey: 'report@2026-04' })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    // Jobs without a key are never deduplicated.
    expect(await enqueueJob(database, 'report', { runAt: T0 })).toBe(true);
    expect(await enqueueJob(database, 'report', { runAt: T0 })).toBe(true);
    expect(await jobs()).toHaveLength(4);
  });

  it('plans a schedule once even when two runners plan it, and plans the next run once after it ran', async () => {
    const hourly: Schedule = {
      name: 'hourly',
      next: (after) => new Date(Math.floor(after.getTime() / 3_600_000) * 3_600_000 + 3_600_000),
    };
    let runs = 0;
    const runners = [newRunner(), newRunner()];
    for (const runner of runners) {
      runner.schedule(hourly, async () => {
        runs += 1;
      });
    }
    clock.set('2026-03-02T01:20:00Z');
    await Promise.all(runners.map((runner) => runner.planSchedules()));
    await Promise.all(runners.map((runner) => runner.planSchedules()));
    let pending = await database.query<JobRow>(`SELECT * FROM jobs WHERE state = 'pending'`);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.run_at.toISOString()).toBe('2026-03-02T02:00:00.000Z');

    clock.set('2026-03-02T02:00:00Z');
    await Promise.all(runners.map((runner) => runner.runDue()));
    expect(runs).toBe(1);
    await Promise.all(runners.map((runner) => runner.planSchedules()));
    pending = await database.query<JobRow>(`SELECT * FROM jobs WHERE state = 'pending'`);
    expect(pending.map((job) => job.run_at.toISOString())).toEqual(['2026-03-02T03:00:00.000Z']);

    // A schedule whose run fails still plans its next run, once.
    const failing: Schedule = { name: 'failing', next: hourly.next };
    const runner = newRunner();
    runner.schedule(failing, async () => {
      throw new Error('broken');
    });
    await runner.planSchedules();
    clock.set('2026-03-02T03:00:00Z');
    await runner.runDue();
    clock.advance(5_000);
    await runner.runDue();
    const failingJobs = await database.query<JobRow>(`SELECT * FROM jobs WHERE name = 'failing' AND state = 'pending' ORDER BY run_at`);
    expect(failingJobs.map((job) => [job.run_at.toISOString(), job.attempts])).toEqual([
      ['2026-03-02T03:00:15.000Z', 2],
      ['2026-03-02T04:00:00.000Z', 0],
    ]);
  });

  it('starts and stops its polling loop', async () => {
    const runner = newRunner();
    let runs = 0;
    runner.register('polled', async () => {
      runs += 1;
    });
    await enqueueJob(database, 'polled', { runAt: T0 });
    runner.start();
    for (let waited = 0; runs === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await runner.stop();
    expect(runs).toBe(1);
    await enqueueJob(database, 'polled', { runAt: T0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs).toBe(1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('jobs across processes on PostgreSQL', () => {
  let test: TestDatabase;
  const databases: Database[] = [];

  beforeAll(async () => {
    test = await freshDatabase('postgres');
    await migrate(test.database, migrationSources([]));
    for (let index = 0; index < 3; index += 1) {
      databases.push(await openDatabase({ databaseUrl: test.url, dataDir: '', poolSize: 3 }));
    }
  });
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.close()));
    await test?.drop();
  });

  it('runs each of 50 jobs exactly once with 3 runners polling at the same time', async () => {
    const clock = new SettableClock(T0);
    const runs = new Map<number, string[]>();
    const runners = databases.map((database, index) => {
      const runner = new JobRunner(database, clock, logger, 10);
      runner.register('work', async (job) => {
        runs.set(job.id, [...(runs.get(job.id) ?? []), `runner-${index}`]);
        await new Promise((resolve) => setTimeout(resolve, job.id % 4));
      });
      return runner;
    });
    for (let index = 0; index < 50; index += 1) {
      await enqueueJob(test.database, 'work', { runAt: new Date(T0.getTime() - index), payload: { index } });
    }
    const counts = await Promise.all(runners.map((runner) => runner.runDue()));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(50);
    expect(runs.size).toBe(50);
    for (const [, by] of runs) expect(by).toHaveLength(1);
    // The work was shared: more than one runner took jobs.
    expect(counts.filter((count) => count > 0).length).toBeGreaterThan(1);
    const [done] = await test.database.query<{ count: number }>(`SELECT count(*) AS count FROM jobs WHERE state = 'done' AND attempts = 1`);
    expect(done!.count).toBe(50);
  });

  it('runs each job once when the runners poll on their own timers', async () => {
    await test.database.execute('DELETE FROM jobs');
    const clock = new SettableClock(T0);
    const runs: number[] = [];
    const runners = databases.map((database) => {
      const runner = new JobRunner(database, clock, logger, 5);
      runner.register('timed', async (job) => {
        runs.push(job.id);
      });
      return runner;
    });
    for (const runner of runners) runner.start();
    try {
      for (let index = 0; index < 50; index += 1) await enqueueJob(test.database, 'timed', { runAt: T0 });
      for (let waited = 0; runs.length < 50 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
    expect(runs).toHaveLength(50);
    expect(new Set(runs).size).toBe(50);
  });
});
