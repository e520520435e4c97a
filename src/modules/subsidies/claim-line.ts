import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import { textArray } from '../../platform/db/arrays.ts';
import type { Database } from '../../platform/db/index.ts';

/** One resident's claim waiting in the line. */
export interface ClaimRequest {
  personId: string;
  programmeId: string;
  releaseId: string;
  idempotencyKey: string | undefined;
  district: string;
  couponId: string;
  requestId: string;
}

export type ClaimOutcome =
  | 'claimed'
  | 'replayed'
  | 'key_reused'
  | 'not_open'
  | 'closed'
  | 'quota_month'
  | 'quota_year'
  | 'sold_out'
  | 'unknown_release'
  | 'failed';

export interface ClaimResult {
  outcome: ClaimOutcome;
  couponId: string | null;
  releaseId: string;
  claimedAt: Date | null;
  expiresAt: Date | null;
  remaining: number | null;
}

interface Waiting {
  request: ClaimRequest;
  sequence: number;
  enqueuedAt: number;
  resolve(result: ClaimResult): void;
}

/** Where the line reports each batch (metrics). */
export interface ClaimLineObserver {
  batchWritten(size: number, seconds: number): void;
}

export interface ClaimLineOptions {
  /** Most claims written by one database call. */
  batchSizeMax: number;
  /** Batches in flight at once (1 on the embedded database, which has one connection). */
  batchesInFlightMax: number;
  /** Most claims waiting in this process; beyond it, new claims are turned away (503). */
  queueLengthMax: number;
}

/**
 * The first-come-first-served line in front of the database. Claims are written in batches: one
 * statement calls subsidy_claim_batch for up to batchSizeMax claims, which also appends one audit
 * entry for the batch; nobody is answered before it commits (acknowledged = durable).
 * While a batch is in flight, new claims gather for the next one, so the batch size follows the
 * load. A person has at most one claim per programme in a batch; a second one waits for the next.
 * The batch is a single statement (one round trip), so the event loop's other work cannot stretch a
 * transaction while the release's row is locked.
 */
export class ClaimLine {
  readonly #queue: Waiting[] = [];
  #head = 0;
  #inFlight = 0;
  #pumpScheduled = false;
  #sequence = 0;
  #served = 0;
  #throughputPerSecond = 2000;
  #lastRateSample = { at: Date.now(), served: 0 };
  readonly #listeners = new Set<(results: ClaimResult[]) => void>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ClaimLineOptions,
    private readonly observer?: ClaimLineObserver,
  ) {}

  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** Sequence number of the last claim taken into a batch (positions count from it). */
  get servedSequence(): number {
    return this.#served;
  }

  /** Claims written per second, smoothed; used to estimate waits. */
  get throughputPerSecond(): number {
    return this.#throughputPerSecond;
  }

  get full(): boolean {
    return this.length >= this.options.queueLengthMax;
  }

  /** Called after every batch with its results (live statistics). */
  onBatch(listener: (results: ClaimResult[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Puts a claim in line; returns its sequence number and a promise of its result. */
  submit(request: ClaimRequest): { sequence: number; result: Promise<ClaimResult> } {
    this.#sequence += 1;
    const sequence = this.#sequence;
    const result = new Promise<ClaimResult>((resolve) => {
      this.#queue.push({ request, sequence, enqueuedAt: Date.now(), resolve });
    });
    this.#schedulePump();
    return { sequence, result };
  }

  /**
   * Batches are started after the current turn of the event loop, so every request already read
   * from the network joins the same batch (the embedded database blocks the loop while it works,
   * and requests pile up in the sockets meanwhile).
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.options.batchesInFlightMax && this.length > 0) {
      const batch = this.#takeBatch();
      if (batch.length === 0) return;
      this.#inFlight += 1;
      void this.#write(batch).finally(() => {
        this.#inFlight -= 1;
        this.#schedulePump();
      });
    }
  }

  #takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const deferred: Waiting[] = [];
    const seen = new Set<string>();
    while (this.#head < this.#queue.length && batch.length < this.options.batchSizeMax) {
      const waiting = this.#queue[this.#head]!;
      this.#head += 1;
      const key = `${waiting.request.personId}\u0000${waiting.request.programmeId}`;
      if (seen.has(key)) {
        deferred.push(waiting);
        continue;
      }
      seen.add(key);
      batch.push(waiting);
      this.#served = Math.max(this.#served, waiting.sequence);
    }
    // Claims held back keep their place at the front of the line.
    if (deferred.length > 0) {
      this.#head -= deferred.length;
      for (let index = 0; index < deferred.length; index += 1) this.#queue[this.#head + index] = deferred[index]!;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    return batch;
  }

  async #write(batch: Waiting[]): Promise<void> {
    let results: ClaimResult[];
    const started = process.hrtime.bigint();
    try {
      results = await this.#writeBatch(batch.map((waiting) => waiting.request));
      this.observer?.batchWritten(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      // A batch the database refused as a whole (for example one request racing itself on
      // another process) is split, so one odd request never fails the others.
      if (batch.length > 1) {
        const middle = Math.ceil(batch.length / 2);
        await this.#write(batch.slice(0, middle));
        await this.#write(batch.slice(middle));
        return;
      }
      this.logger.error({ err: error, requestId: batch[0]!.request.requestId }, 'claim failed');
      results = [{ outcome: 'failed', couponId: null, releaseId: batch[0]!.request.releaseId, claimedAt: null, expiresAt: null, remaining: null }];
    }
    batch.forEach((waiting, index) => waiting.resolve(results[index]!));
    this.#measure(batch.length);
    for (const listener of this.#listeners) listener(results);
  }

  #measure(count: number): void {
    const now = Date.now();
    const elapsed = now - this.#lastRateSample.at;
    this.#lastRateSample.served += count;
    if (elapsed >= 500) {
      const rate = (this.#lastRateSample.served * 1000) / elapsed;
      this.#throughputPerSecond = Math.max(50, 0.7 * this.#throughputPerSecond + 0.3 * rate);
      this.#lastRateSample = { at: now, served: 0 };
    }
  }

  async #writeBatch(requests: ClaimRequest[]): Promise<ClaimResult[]> {
    const now = this.clock.now();
    const column = (pick: (request: ClaimRequest) => string | undefined) => {
      const values = new Array<string | undefined>(requests.length);
      for (let index = 0; index < requests.length; index += 1) values[index] = pick(requests[index]!);
      return textArray(values);
    };
    // One statement, committed on its own: decisions, coupons, counters, stock and the batch's
    // audit entry (subsidy_claim_batch appends it). No answer leaves before the commit. Times come
    // back as epoch milliseconds (a number is cheaper to read than a timestamp's text).
    const rows = await this.database.query<{
      outcome: ClaimOutcome;
      coupon_id: string | null;
      release_id: string;
      claimed_ms: number | null;
      expires_ms: number | null;
      remaining: number | null;
    }>(
      `SELECT outcome, coupon_id, release_id, (extract(epoch FROM claimed_at) * 1000)::float8 AS claimed_ms,
              (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms, remaining
         FROM subsidy_claim_batch($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz) ORDER BY idx`,
      [
        column((r) => r.personId),
        column((r) => r.releaseId),
        column((r) => r.idempotencyKey),
        column((r) => r.district),
        column((r) => r.couponId),
        column((r) => r.requestId),
        now,
      ],
    );
    if (rows.length !== requests.length) throw new Error(`claim batch answered ${rows.length} of ${requests.length}`);
    const results = new Array<ClaimResult>(rows.length);
    for (let index = 0; index < rows.length; index += 1) {
      const row = rows[index]!;
      results[index] = {
        outcome: row.outcome,
        couponId: row.coupon_id,
        releaseId: row.release_id,
        claimedAt: row.claimed_ms === null ? null : new Date(row.claimed_ms),
        expiresAt: row.expires_ms === null ? null : new Date(row.expires_ms),
        remaining: row.remaining,
      };
    }
    return results;
  }
}
