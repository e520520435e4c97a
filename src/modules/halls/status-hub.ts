import type { Logger } from 'pino';
import type { Database } from '../../platform/db/index.ts';

/** One live subscriber of a hall's status (an SSE response). */
export interface StatusSubscriber {
  /** Writes one chunk; the hub skips subscribers whose socket buffer is still full. */
  write(chunk: string): void;
  /** Bytes waiting in the subscriber's socket buffer. */
  buffered(): number;
  end(): void;
}

export interface StatusHubOptions {
  /** Changes within this many milliseconds go out as one push (status is computed once per push). */
  coalesceMs: number;
  /** How often another process's changes are looked for (PostgreSQL only), in milliseconds. */
  pollMs: number;
  /** A comment line keeps idle connections open through proxies. */
  heartbeatMs: number;
  /** A subscriber with more than this many bytes unsent skips pushes until it catches up. */
  bufferedBytesMax: number;
}

interface HallChannel {
  subscribers: Set<StatusSubscriber>;
  /** Earliest change (epoch ms, platform clock) not yet pushed; undefined when nothing is pending. */
  pendingSince: number | undefined;
  timer: NodeJS.Timeout | undefined;
  version: number;
  /** The last status computed (JSON), served to GET requests and new subscribers. */
  json: string | undefined;
  jsonVersion: number;
}

/**
 * Live hall status (POL-23) pushed as server-sent events within a second of any change. The
 * service calls changed() after each committed change; the hub waits coalesceMs, computes the
 * status once and writes the same bytes to every subscriber of the hall. Several processes on
 * one PostgreSQL stay in step by a short poll of the per-hall version counter (hall_counters.status_version,
 * bumped in every transaction that changes what the status shows): a changed version counts as a
 * change here too. On PGlite one process owns the database, so there is nothing to poll.
 */
export class HallStatusHub {
  readonly #channels = new Map<string, HallChannel>();
  #pollTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;
  pushes = 0;

  constructor(
    private readonly database: Database,
    private readonly compute: (hallId: string) => Promise<{ json: (changedAtMs: number | undefined) => string; version: number } | undefined>,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly options: StatusHubOptions,
  ) {}

  start(): void {
    if (this.database.kind === 'postgres') {
      this.#pollTimer = setInterval(() => void this.#poll(), this.options.pollMs);
      this.#pollTimer.unref();
    }
    this.#heartbeatTimer = setInterval(() => {
      for (const channel of this.#channels.values()) for (const subscriber of channel.subscribers) subscriber.write(': keep-alive\n\n');
    }, this.options.heartbeatMs);
    this.#heartbeatTimer.unref();
  }

  #channel(hallId: string): HallChannel {
    let channel = this.#channels.get(hallId);
    if (!channel) {
      channel = { subscribers: new Set(), pendingSince: undefined, timer: undefined, version: -1, json: undefined, jsonVersion: -1 };
      this.#channels.set(hallId, channel);
    }
    return channel;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const channel of this.#channels.values()) count += channel.subscribers.size;
    return count;
  }

  /** Adds a subscriber and sends it the current status at once. */
  async subscribe(hallId: string, subscriber: StatusSubscriber): Promise<() => void> {
    const channel = this.#channel(hallId);
    channel.subscribers.add(subscriber);
    const json = await this.current(hallId);
    if (json && channel.subscribers.has(subscriber)) subscriber.write(`event: status\ndata: ${json}\n\n`);
    if (channel.pendingSince !== undefined && !channel.timer && !this.#closed) {
      channel.timer = setTimeout(() => void this.#flush(hallId, channel), this.options.coalesceMs);
    }
    return () => {
      channel.subscribers.delete(subscriber);
    };
  }

  /** The current status JSON (computed when a change is pending or nothing is cached). */
  async current(hallId: string): Promise<string | undefined> {
    const channel = this.#channel(hallId);
    if (channel.json !== undefined && channel.pendingSince === undefined && channel.jsonVersion >= channel.version) return channel.json;
    if (channel.subscribers.size === 0) channel.pendingSince = undefined;
    const computed = await this.compute(hallId);
    if (!computed) return undefined;
    channel.version = Math.max(channel.version, computed.version);
    channel.json = computed.json(undefined);
    channel.jsonVersion = computed.version;
    return channel.json;
  }

  /** A change to the hall committed (this process) at `atMs` (platform clock). */
  changed(hallId: string, atMs: number = this.now(), version?: number): void {
    if (this.#closed) return;
    const channel = this.#channel(hallId);
    if (version !== undefined) channel.version = Math.max(channel.version, version);
    channel.pendingSince = channel.pendingSince === undefined ? atMs : Math.min(channel.pendingSince, atMs);
    if (channel.timer) return;
    channel.timer = setTimeout(() => void this.#flush(hallId, channel), this.options.coalesceMs);
  }

  async #flush(hallId: string, channel: HallChannel): Promise<void> {
    const since = channel.pendingSince;
    try {
      if (channel.subscribers.size === 0) {
        // Nobody listens: the next reader computes the status (current() sees the pending change).
        return;
      }
      channel.pendingSince = undefined;
      const computed = await this.compute(hallId);
      if (!computed) return;
      channel.version = Math.max(channel.version, computed.version);
      channel.json = computed.json(undefined);
      channel.jsonVersion = computed.version;
      // The pushed status names the earliest change it reflects, so a subscriber can measure the delay.
      const chunk = `event: status\ndata: ${computed.json(since)}\n\n`;
      for (const subscriber of channel.subscribers) {
        if (subscriber.buffered() > this.options.bufferedBytesMax) continue;
        subscriber.write(chunk);
      }
      this.pushes += 1;
    } catch (error) {
      this.logger.error({ err: error, hallId }, 'hall status push failed');
    } finally {
      channel.timer = undefined;
      if (channel.pendingSince !== undefined && channel.subscribers.size > 0 && !this.#closed) {
        channel.timer = setTimeout(() => void this.#flush(hallId, channel), this.options.coalesceMs);
      }
    }
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    try {
      const rows = await this.database.query<{ id: string; status_version: number; status_changed_at: Date }>(
        'SELECT hall_id AS id, status_version, status_changed_at FROM hall_counters',
      );
      for (const row of rows) {
        const channel = this.#channels.get(row.id);
        if (!channel) continue;
        if (row.status_version > channel.version) {
          if (channel.version >= 0) this.changed(row.id, Math.min(this.now(), row.status_changed_at.getTime()), row.status_version);
          else channel.version = row.status_version;
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'hall status poll failed');
    } finally {
      this.#polling = false;
    }
  }

  /** Ends every stream (the server is closing) and stops the timers. */
  close(): void {
    this.#closed = true;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    for (const channel of this.#channels.values()) {
      if (channel.timer) clearTimeout(channel.timer);
      for (const subscriber of channel.subscribers) subscriber.end();
      channel.subscribers.clear();
    }
  }
}
