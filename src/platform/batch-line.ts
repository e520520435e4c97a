import type { Metrics } from './metrics.ts';

/** Where a line reports each batch it wrote (metrics). */
export interface BatchLineObserver {
  batchWritten(size: number, seconds: number): void;
}

/**
 * An observer that records each batch in two histograms, `<name>_size` (requests per batch) and
 * `<name>_seconds` (time to write one, its transaction included). `what` names the requests.
 */
export function batchLineMetrics(metrics: Metrics, name: string, what: string): BatchLineObserver {
  const sizes = metrics.histogram(`${name}_size`, `${what} written per database call`, [1, 8, 32, 64, 128, 256, 512]);
  const seconds = metrics.histogram(`${name}_seconds`, `Time to write one batch of ${what.toLowerCase()} (its transaction included)`, [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
  return {
    batchWritten(size, elapsed) {
      sizes.observe(size);
      seconds.observe(elapsed);
    },
  };
}

export interface BatchLineOptions {
  /** Most requests written by one database call. */
  batchSizeMax: number;
  /** Batches in flight at once (1 on the embedded database, which has one connection). */
  batchesInFlightMax: number;
  /** Most requests waiting in this process; beyond it the caller turns new ones away. */
  queueLengthMax: number;
}

interface Waiting<R, T> {
  request: R;
  sequence: number;
  resolve(result: T): void;
}

/**
 * A first-come-first-served line in front of the database (docs/adr/0005-batched-claims.md):
 * requests are written in batches, one database call each, and nobody is answered before the
 * batch's call returns. Batches start after the current turn of the event loop, so every request
 * already read from the network joins the same batch (the embedded database blocks the loop while it
 * works, and requests pile up in the sockets meanwhile); while a batch is in flight the next one
 * gathers, so the batch size follows the load. Requests with the same key never share a batch: a
 * later one keeps its place at the front of the line for the next batch. A batch the database
 * refuses as a whole (a constraint raced on another process, a deadlock victim) is split in halves
 * until the odd request is alone, so one request never fails the others.
 *
 * Subclasses say how a request is keyed, how a batch is written and what a request that failed
 * alone is answered.
 */
export abstract class BatchLine<R, T> {
  readonly #queue: Waiting<R, T>[] = [];
  #head = 0;
  #inFlight = 0;
  #pumpScheduled = false;
  #sequence = 0;
  #served = 0;
  #throughputPerSecond = 2000;
  #lastRateSample = { at: Date.now(), served: 0 };
  readonly #listeners = new Set<(requests: R[], results: T[]) => void>();

  constructor(
    protected readonly options: BatchLineOptions,
    private readonly observer?: BatchLineObserver,
  ) {}

  /** Requests that must not share a batch have the same key. */
  protected abstract keyOf(request: R): string;
  /** Writes one batch; answers one result per request, in order. */
  protected abstract writeBatch(requests: R[]): Promise<T[]>;
  /** The answer of a request the database refused on its own. */
  protected abstract failed(request: R, error: unknown): T;

  get length(): number {
    return this.#queue.length - this.#head;
  }

  get full(): boolean {
    return this.length >= this.options.queueLengthMax;
  }

  /** Sequence number of the last request taken into a batch (places in line count from it). */
  get servedSequence(): number {
    return this.#served;
  }

  /** Requests written per second, smoothed; used to estimate waits. */
  get throughputPerSecond(): number {
    return this.#throughputPerSecond;
  }

  /** Called after every batch with its requests and results. */
  onBatch(listener: (requests: R[], results: T[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Puts a request in line; returns its sequence number and a promise of its result. */
  submit(request: R): { sequence: number; result: Promise<T> } {
    this.#sequence += 1;
    const sequence = this.#sequence;
    const result = new Promise<T>((resolve) => {
      this.#queue.push({ request, sequence, resolve });
    });
    this.#schedulePump();
    return { sequence, result };
  }

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

  #takeBatch(): Waiting<R, T>[] {
    const batch: Waiting<R, T>[] = [];
    const deferred: Waiting<R, T>[] = [];
    const seen = new Set<string>();
    while (this.#head < this.#queue.length && batch.length < this.options.batchSizeMax) {
      const waiting = this.#queue[this.#head]!;
      this.#head += 1;
      const key = this.keyOf(waiting.request);
      if (seen.has(key)) {
        deferred.push(waiting);
        continue;
      }
      seen.add(key);
      batch.push(waiting);
      this.#served = Math.max(this.#served, waiting.sequence);
    }
    // Requests held back keep their place at the front of the line.
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

  async #write(batch: Waiting<R, T>[]): Promise<void> {
    const requests = batch.map((waiting) => waiting.request);
    let results: T[];
    const started = process.hrtime.bigint();
    try {
      results = await this.writeBatch(requests);
      if (results.length !== requests.length) throw new Error(`batch answered ${results.length} of ${requests.length}`);
      this.observer?.batchWritten(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      if (batch.length > 1) {
        const middle = Math.ceil(batch.length / 2);
        await this.#write(batch.slice(0, middle));
        await this.#write(batch.slice(middle));
        return;
      }
      results = [this.failed(requests[0]!, error)];
    }
    batch.forEach((waiting, index) => waiting.resolve(results[index]!));
    this.#measure(batch.length);
    for (const listener of this.#listeners) listener(requests, results);
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
}
