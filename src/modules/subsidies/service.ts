import { appendAudit, systemActor, type Actor } from '../../platform/audit.ts';
import { batchLineMetrics } from '../../platform/batch-line.ts';
import { civilMonth, formatCivil, monthEnd } from '../../platform/civil-time.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, problem } from '../../platform/errors.ts';
import { districtMap } from '../../platform/geo.ts';
import { randomId } from '../../platform/ids.ts';
import type { PlatformContext } from '../../platform/module.ts';
import { ClaimLine, type ClaimResult } from './claim-line.ts';
import type { RedemptionService } from './redemption.ts';
import { readProgrammeFiles, type Channel, type Programme, type ProgrammeFile } from './programmes.ts';
import { checkReleaseWindow, effectiveOpening, releaseCloses, scheduledOpening } from './rules/release-window.ts';

export interface ReleaseRow {
  id: string;
  programme_id: string;
  channel: Channel;
  month: string;
  opens_at: Date;
  closes_at: Date;
  stock: number;
  issued: number;
}

/** What the claim path keeps in memory about a release, so NOT_OPEN and SOLD_OUT need no database. */
interface CachedRelease {
  id: string;
  programmeId: string;
  channel: Channel;
  month: string;
  opensAt: number;
  closesAt: number;
  stock: number;
  remaining: number;
  soldOutBody?: string;
}

export interface CouponDto {
  id: string;
  releaseId: string;
  programme: string;
  channel: Channel;
  month: string;
  claimedAt: string;
  expiresAt: string;
  status: string;
}

export function releaseDto(row: ReleaseRow) {
  return {
    id: row.id,
    programme: row.programme_id,
    channel: row.channel,
    month: row.month,
    opensAt: formatCivil(row.opens_at),
    closesAt: formatCivil(row.closes_at),
    stock: row.stock,
    issued: row.issued,
    remaining: row.stock - row.issued,
  };
}

export interface LineTicket {
  id: string;
  personId: string;
  sequence: number;
  releaseId: string;
  result?: ClaimResult;
  createdAt: number;
}

/** Configurable protections of the claim path (per process). */
export interface ClaimLimits {
  /** Claims a person may send per minute (any result). */
  perPersonPerMinute: number;
  /** Claims one network address may send per second (0 = no limit; behind a proxy set TRUST_PROXY=1). */
  perAddressPerSecond: number;
  /** A claim expected to wait longer than this is answered 202 with its place in line. */
  holdMs: number;
}

const RELEASE_REFRESH_MS = 1000;
const TICKET_TTL_MS = 10 * 60_000;
const PEOPLE_MEMORY_MAX = 2_000_000;

/**
 * One resident as this process has seen them, in one map entry (a flash release meets a million
 * people; one look-up per claim instead of four keeps the hot path short): the per-person rate
 * limit window and, per programme, the coupons known to be claimed (only ever grows within a
 * month and year; the database decides, this only answers repeated attempts early).
 */
interface PersonMemory {
  windowStart: number;
  count: number;
  quota: QuotaMemory[] | undefined;
}

interface QuotaMemory {
  programmeId: string;
  month: string;
  monthUsed: number;
  yearUsed: number;
}

/** The quota memory of a person for a programme in a month (TI-19, TI-20), started afresh for a new month or year. */
function quotaMemory(person: PersonMemory, programmeId: string, month: string): QuotaMemory {
  person.quota ??= [];
  let known = person.quota.find((entry) => entry.programmeId === programmeId);
  if (!known) {
    known = { programmeId, month, monthUsed: 0, yearUsed: 0 };
    person.quota.push(known);
  } else if (known.month !== month) {
    if (known.month.slice(0, 4) !== month.slice(0, 4)) known.yearUsed = 0;
    known.month = month;
    known.monthUsed = 0;
  }
  return known;
}

/**
 * Subsidy programmes, releases and coupon claims (systems.md S2, TI-01–TI-05, TI-15–TI-21, TI-24).
 * The claim path answers what it can from memory (not open, sold out, quota known to be used up,
 * outside the city) and sends the rest through the ClaimLine to the database, which alone decides.
 */
export class SubsidyService {
  readonly programmes = new Map<string, Programme>();
  readonly files: ProgrammeFile[];
  readonly line: ClaimLine;
  readonly limits: ClaimLimits;
  readonly #releases = new Map<string, CachedRelease>();
  #releasesReadAt = 0;
  #refreshing: Promise<void> | undefined;
  /** What this process knows of each resident: the rate-limit window and quota use seen so far. */
  readonly #people = new Map<string, PersonMemory>();
  readonly #tickets = new Map<string, LineTicket>();
  readonly #releaseLists = new Map<string, { at: number; rows: ReleaseRow[] }>();
  readonly #addressBuckets = new Map<string, { windowStart: number; count: number }>();
  readonly claimsCounter;
  /** The counter's child per outcome, looked up once (labels are hashed on every inc otherwise). */
  readonly #claimCounts = new Map<string, { inc(): void }>();
  /** Qualifications and redemptions (set by the module right after construction). */
  redemptions!: RedemptionService;
  /** Claims written per second over the last minute, per release (for the live chart). */
  readonly #recentClaims = new Map<string, Map<number, number>>();

  constructor(private readonly context: PlatformContext) {
    this.files = readProgrammeFiles();
    for (const file of this.files) for (const programme of file.programmes) this.programmes.set(programme.id, programme);
    const onPglite = context.database.kind === 'pglite';
    // On the embedded database two batches in flight pipeline its thread: the next batch is sent
    // while one runs (docs/adr/0008-embedded-database-thread.md).
    this.line = new ClaimLine(context.database, context.clock, context.logger.child({ component: 'claim-line' }), {
      batchSizeMax: 512,
      batchesInFlightMax: onPglite ? 2 : context.config.claims.batchesInFlight,
      queueLengthMax: 200_000,
    }, batchLineMetrics(context.metrics, 'haihe_subsidies_claim_batch', 'Claims'));
    this.limits = { perPersonPerMinute: context.config.claims.perPersonPerMinute, perAddressPerSecond: context.config.claims.perAddressPerSecond, holdMs: context.config.claims.holdMs };
    this.claimsCounter = context.metrics.counter('haihe_subsidies_claims_total', 'Coupon claims by outcome', ['outcome']);
    this.line.onBatch((_requests, results) => this.#afterBatch(results));
  }

  platforms() {
    return this.files.flatMap((file) => file.platforms);
  }

  programme(id: string): Programme {
    const programme = this.programmes.get(id);
    if (!programme) throw new AppError('INVALID_REQUEST', `Unknown programme ${id}`, { errors: [{ field: 'programme', message: 'is not a programme' }] });
    return programme;
  }

  /** Stores the programme definitions (quota numbers included) so the database enforces them. */
  async loadProgrammes(): Promise<void> {
    await this.context.database.transaction(async (tx) => {
      for (const file of this.files) {
        for (const programme of file.programmes) {
          await tx.execute(
            `INSERT INTO subsidy_programmes (id, kind, version, month_quota, year_quota, starts_at, ends_at, definition)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, month_quota = EXCLUDED.month_quota, year_quota = EXCLUDED.year_quota,
               starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, definition = EXCLUDED.definition, loaded_at = now()
             WHERE subsidy_programmes.definition IS DISTINCT FROM EXCLUDED.definition`,
            [programme.id, programme.kind, file.version, programme.quota.month, programme.quota.year, programme.startsAt, programme.endsAt, JSON.stringify(programme)],
          );
        }
      }
    });
  }

  // ---- releases --------------------------------------------------------------------------

  /**
   * Releases of a month. Residents poll this around 11:00; answers are reused for up to a second
   * per process, so a flash crowd costs at most one query a second here.
   */
  async listReleasesCached(month: string): Promise<ReleaseRow[]> {
    let cached = this.#releaseLists.get(month);
    if (!cached || Date.now() - cached.at >= 1000) {
      const rows = await this.listReleases(month);
      if (this.#releaseLists.size > 100) this.#releaseLists.clear();
      cached = { at: Date.now(), rows };
      this.#releaseLists.set(month, cached);
    }
    // What this process's own batches issued since is already known: show it at once.
    return cached.rows.map((row) => {
      const known = this.#releases.get(row.id);
      if (!known || known.stock !== row.stock) return row;
      return { ...row, issued: Math.max(row.issued, known.stock - known.remaining) };
    });
  }

  async listReleases(month?: string): Promise<ReleaseRow[]> {
    return this.context.database.query<ReleaseRow>(
      `SELECT id, programme_id, channel, month, opens_at, closes_at, stock, issued FROM subsidy_releases
        WHERE ($1::text IS NULL OR month = $1) ORDER BY month DESC, programme_id, channel`,
      [month ?? null],
    );
  }

  async getRelease(id: string): Promise<ReleaseRow> {
    const [row] = await this.context.database.query<ReleaseRow>(
      'SELECT id, programme_id, channel, month, opens_at, closes_at, stock, issued FROM subsidy_releases WHERE id = $1',
      [id],
    );
    if (!row) throw new AppError('RELEASE_NOT_FOUND', `No release ${id}`);
    return row;
  }

  /** Creates a release (administrator or schedule); one per programme, channel and month. */
  async createRelease(
    input: { programme: string; channel: Channel; month: string; opensAt: Date; stock: number },
    actor: Actor,
    tx?: Queryable,
  ): Promise<ReleaseRow> {
    const programme = this.programme(input.programme);
    if (!programme.channels.includes(input.channel)) {
      throw new AppError('INVALID_REQUEST', `${programme.id} has no ${input.channel} channel`, { errors: [{ field: 'channel', message: 'is not a channel of the programme' }] });
    }
    const problem = checkReleaseWindow(programme, input.month, input.opensAt);
    if (problem === 'outside_programme') {
      throw new AppError('INVALID_REQUEST', `${input.month} is outside the programme (${programme.startsAt} – ${programme.endsAt})`, { errors: [{ field: 'month', message: 'is outside the programme' }] });
    }
    if (problem === 'opens_outside_month') {
      throw new AppError('INVALID_REQUEST', 'opensAt must fall within the release month', { errors: [{ field: 'opensAt', message: 'must fall within the month' }] });
    }
    if (problem === 'month_format') throw new AppError('INVALID_REQUEST', 'month must be YYYY-MM', { errors: [{ field: 'month', message: 'must be YYYY-MM' }] });
    const id = `${programme.id}-${input.channel}-${input.month}`;
    const opensAt = effectiveOpening(programme, input.opensAt);
    const run = async (q: Queryable) => {
      const [row] = await q.query<ReleaseRow>(
        `INSERT INTO subsidy_releases (id, programme_id, channel, month, opens_at, closes_at, stock, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
         RETURNING id, programme_id, channel, month, opens_at, closes_at, stock, issued`,
        [id, programme.id, input.channel, input.month, opensAt, releaseCloses(input.month), input.stock, actor.subject],
      );
      if (!row) throw new AppError('RELEASE_EXISTS', `The ${input.channel} release of ${programme.id} for ${input.month} exists already`);
      await appendAudit(q, [{
        actor, action: 'subsidies.release.create', entityType: 'subsidy_release', entityId: id,
        summary: { after: { stock: input.stock, opensAt: opensAt.toISOString() } }, occurredAt: this.context.clock.now(),
      }]);
      return row;
    };
    const row = tx ? await run(tx) : await this.context.database.transaction(run);
    this.#cache(row);
    return row;
  }

  /** Changes a release's stock (the monthly funding plan changed); never below what was issued. */
  async setStock(id: string, stock: number, actor: Actor): Promise<ReleaseRow> {
    const row = await this.context.database.transaction(async (tx) => {
      const [before] = await tx.query<ReleaseRow>('SELECT * FROM subsidy_releases WHERE id = $1 FOR UPDATE', [id]);
      if (!before) throw new AppError('RELEASE_NOT_FOUND', `No release ${id}`);
      if (stock < before.issued) throw new AppError('STOCK_BELOW_ISSUED', `${before.issued} coupons are issued already`);
      const [after] = await tx.query<ReleaseRow>(
        'UPDATE subsidy_releases SET stock = $2 WHERE id = $1 RETURNING id, programme_id, channel, month, opens_at, closes_at, stock, issued',
        [id, stock],
      );
      await appendAudit(tx, [{
        actor, action: 'subsidies.release.stock', entityType: 'subsidy_release', entityId: id,
        summary: { before: { stock: before.stock }, after: { stock } }, occurredAt: this.context.clock.now(),
      }]);
      return after!;
    });
    this.#cache(row);
    return row;
  }

  /** Creates the scheduled releases (TI-17, monthly funding plan TI-02) of a month that are missing. */
  async planReleases(month: string): Promise<number> {
    let created = 0;
    for (const programme of this.programmes.values()) {
      if (!programme.release.months.includes(month)) continue;
      for (const entry of programme.fundingPlan.filter((plan) => plan.month === month)) {
        try {
          await this.createRelease(
            { programme: programme.id, channel: entry.channel, month, opensAt: scheduledOpening(programme, month), stock: entry.stock },
            systemActor,
          );
          created += 1;
        } catch (error) {
          if (!(error instanceof AppError && error.code === 'RELEASE_EXISTS')) throw error;
        }
      }
    }
    return created;
  }

  /** TI-18, TI-24: coupons not exchanged by the end of their month expire. */
  async expireCoupons(): Promise<number> {
    const now = this.context.clock.now();
    return this.context.database.transaction(async (tx) => {
      const expired = await tx.query<{ id: string }>(
        `UPDATE subsidy_coupons SET status = 'expired' WHERE status = 'claimed' AND expires_at <= $1 RETURNING id`,
        [now],
      );
      if (expired.length > 0) {
        await appendAudit(tx, [{
          actor: systemActor, action: 'subsidies.coupons.expire', entityType: 'subsidy_coupon', entityId: `${expired.length} coupons`,
          summary: { count: expired.length, coupons: expired.slice(0, 10_000).map((row) => row.id) }, occurredAt: now,
        }]);
      }
      return expired.length;
    });
  }

  #cache(row: ReleaseRow): void {
    this.#releases.set(row.id, {
      id: row.id,
      programmeId: row.programme_id,
      channel: row.channel,
      month: row.month,
      opensAt: row.opens_at.getTime(),
      closesAt: row.closes_at.getTime(),
      stock: row.stock,
      remaining: row.stock - row.issued,
    });
  }

  /** Re-reads open releases at most once a second, so other processes' sales show up here. */
  async #refreshReleases(): Promise<void> {
    if (Date.now() - this.#releasesReadAt < RELEASE_REFRESH_MS) return;
    this.#refreshing ??= (async () => {
      try {
        const rows = await this.context.database.query<ReleaseRow>(
          `SELECT id, programme_id, channel, month, opens_at, closes_at, stock, issued FROM subsidy_releases WHERE closes_at > $1`,
          [new Date(this.context.clock.now().getTime() - 24 * 3600_000)],
        );
        for (const row of rows) this.#cache(row);
        this.#releasesReadAt = Date.now();
      } finally {
        this.#refreshing = undefined;
      }
    })();
    await this.#refreshing;
  }

  async #cachedRelease(id: string): Promise<CachedRelease> {
    await this.#refreshReleases();
    let release = this.#releases.get(id);
    if (!release) {
      const [row] = await this.context.database.query<ReleaseRow>(
        'SELECT id, programme_id, channel, month, opens_at, closes_at, stock, issued FROM subsidy_releases WHERE id = $1',
        [id],
      );
      if (!row) throw new AppError('RELEASE_NOT_FOUND', `No release ${id}`);
      this.#cache(row);
      release = this.#releases.get(id)!;
    }
    return release;
  }

  // ---- claims ----------------------------------------------------------------------------

  /**
   * The sold-out answer, ready to send, when memory says a release is sold out (TI-17): the
   * busiest answer of a flash release costs no database call, no exception and no serialisation.
   */
  soldOutAnswer(releaseId: string): string | undefined {
    const body = this.soldOutBody(releaseId);
    if (body) this.countSoldOut();
    return body;
  }

  /** The SOLD_OUT problem (TI-17) while the release is open and has no coupon left, from memory; otherwise undefined. */
  soldOutBody(releaseId: string): string | undefined {
    const release = this.#releases.get(releaseId);
    if (Date.now() - this.#releasesReadAt >= RELEASE_REFRESH_MS) void this.#refreshReleases().catch(() => undefined);
    if (!release || release.remaining > 0) return undefined;
    const now = this.context.clock.now().getTime();
    if (now < release.opensAt || now >= release.closesAt) return undefined;
    return (release.soldOutBody ??= JSON.stringify(
      problem('SOLD_OUT', 'All coupons of this release have been claimed; the next release is on the 1st of next month at 11:00', { remaining: 0 }),
    ));
  }

  countSoldOut(): void {
    this.#count('sold_out');
  }

  #count(outcome: string): void {
    let child = this.#claimCounts.get(outcome);
    if (!child) this.#claimCounts.set(outcome, (child = this.claimsCounter.labels(outcome)));
    child.inc();
  }

  #limit(buckets: Map<string, { windowStart: number; count: number }>, key: string, windowMs: number, max: number): boolean {
    if (max <= 0) return true;
    const now = Date.now();
    let bucket = buckets.get(key);
    if (!bucket || now - bucket.windowStart >= windowMs) {
      if (buckets.size > 1_000_000) buckets.clear();
      bucket = { windowStart: now, count: 0 };
      buckets.set(key, bucket);
    }
    bucket.count += 1;
    return bucket.count <= max;
  }

  /**
   * A resident claims a coupon of a release (TI-05, TI-17, TI-19, TI-20). Answers with the coupon,
   * or with the place in line when the wait would be long, or with the reason there is none.
   */
  async claim(input: {
    personId: string;
    releaseId: string;
    location: { lat: number; lng: number };
    idempotencyKey: string | undefined;
    address: string;
    requestId: string;
  }): Promise<{ kind: 'coupon'; coupon: CouponDto; replayed: boolean } | { kind: 'queued'; ticket: LineTicket; position: number; estimatedWaitSeconds: number }> {
    // Known and recently read: no await (a flash release's claims all name the same release).
    const known = this.#releases.get(input.releaseId);
    const release = known && Date.now() - this.#releasesReadAt < RELEASE_REFRESH_MS ? known : await this.#cachedRelease(input.releaseId);
    const now = this.context.clock.now().getTime();
    if (now < release.opensAt) {
      this.#count('not_open');
      throw new AppError('NOT_OPEN', `Coupons of this release are issued from ${formatCivil(new Date(release.opensAt))}`, {
        opensAt: formatCivil(new Date(release.opensAt)),
        serverTime: formatCivil(new Date(now)),
      });
    }
    // A retry whose first attempt succeeded gets its coupon back, even if the release has since
    // sold out or closed (the answer to the first attempt may have been lost in a crash).
    if (input.idempotencyKey && (now >= release.closesAt || release.remaining <= 0)) {
      const replay = await this.#replay(input.personId, input.idempotencyKey, release.id);
      if (replay) return replay;
    }
    if (now >= release.closesAt) {
      this.#count('closed');
      throw new AppError('RELEASE_CLOSED', `This release closed at ${formatCivil(new Date(release.closesAt))}`);
    }
    if (release.remaining <= 0) {
      this.#count('sold_out');
      throw new AppError('SOLD_OUT', 'All coupons of this release have been claimed; the next release is on the 1st of next month at 11:00', { remaining: 0 });
    }
    const person = this.#person(input.personId);
    if (!this.#limit(this.#addressBuckets, input.address, 1000, this.limits.perAddressPerSecond) || !this.#limitPerson(person)) {
      throw new AppError('RATE_LIMITED', 'Too many attempts; please wait a moment and try again');
    }
    const programme = this.programmes.get(release.programmeId)!;
    if (!input.idempotencyKey && person.quota) {
      const known = quotaMemory(person, programme.id, release.month);
      if (known.monthUsed >= programme.quota.month) {
        this.#count('quota_month');
        throw new AppError('QUOTA_MONTH_REACHED', `You have claimed ${programme.quota.month} coupons of this programme this month (TI-19/TI-20)`);
      }
      if (known.yearUsed >= programme.quota.year) {
        this.#count('quota_year');
        throw new AppError('QUOTA_YEAR_REACHED', `You have claimed ${programme.quota.year} coupons of this programme this year (TI-19/TI-20)`);
      }
    }
    // TI-03, TI-05: the claimant must be inside Tianjin's administrative area.
    const district = districtMap().districtAt(input.location.lat, input.location.lng);
    if (!district) {
      this.#count('outside_city');
      throw new AppError('OUTSIDE_CITY', 'Coupons can only be claimed inside Tianjin (TI-05)');
    }
    if (this.line.full) throw new AppError('LINE_FULL', 'The line is full; please try again in a minute');

    const couponId = randomId('c');
    const { sequence, result } = this.line.submit({
      personId: input.personId,
      programmeId: programme.id,
      releaseId: release.id,
      idempotencyKey: input.idempotencyKey,
      district,
      couponId,
      requestId: input.requestId,
    });
    const position = Math.max(1, sequence - this.line.servedSequence);
    const expectedWaitMs = (position / this.line.throughputPerSecond) * 1000;
    if (expectedWaitMs > this.limits.holdMs) {
      const ticket: LineTicket = { id: randomId('t', 9), personId: input.personId, sequence, releaseId: release.id, createdAt: Date.now() };
      this.#tickets.set(ticket.id, ticket);
      void result.then((outcome) => {
        ticket.result = outcome;
      });
      this.#pruneTickets();
      return { kind: 'queued', ticket, position, estimatedWaitSeconds: Math.ceil(expectedWaitMs / 1000) };
    }
    return this.#answer(await result, input.personId);
  }

  async #replay(personId: string, key: string, releaseId: string) {
    const [row] = await this.context.database.query<{ id: string; release_id: string; claimed_at: Date; expires_at: Date }>(
      'SELECT id, release_id, claimed_at, expires_at FROM subsidy_coupons WHERE person_id = $1 AND idempotency_key = $2',
      [personId, key],
    );
    if (!row) return undefined;
    if (row.release_id !== releaseId) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a claim on another release');
    return this.#answer({ outcome: 'replayed', couponId: row.id, releaseId: row.release_id, claimedAt: row.claimed_at, expiresAt: row.expires_at, remaining: null }, personId);
  }

  /** The state of a place in line: still waiting (with position) or the claim's answer. */
  async ticket(ticketId: string, personId: string) {
    const ticket = this.#tickets.get(ticketId);
    if (!ticket || ticket.personId !== personId) throw new AppError('CLAIM_TICKET_NOT_FOUND', 'This place in line is unknown or expired; check 我的兑换券');
    if (!ticket.result) {
      const position = Math.max(1, ticket.sequence - this.line.servedSequence);
      return { kind: 'queued' as const, ticket, position, estimatedWaitSeconds: Math.ceil(position / this.line.throughputPerSecond) };
    }
    return this.#answer(ticket.result, personId);
  }

  #pruneTickets(): void {
    if (this.#tickets.size < 10_000) return;
    const cutoff = Date.now() - TICKET_TTL_MS;
    for (const [id, ticket] of this.#tickets) if (ticket.createdAt < cutoff) this.#tickets.delete(id);
  }

  #answer(result: ClaimResult, personId: string): { kind: 'coupon'; coupon: CouponDto; replayed: boolean } {
    this.#count(result.outcome);
    switch (result.outcome) {
      case 'claimed':
      case 'replayed': {
        const release = this.#releases.get(result.releaseId);
        return {
          kind: 'coupon',
          replayed: result.outcome === 'replayed',
          coupon: {
            id: result.couponId!,
            releaseId: result.releaseId,
            programme: release?.programmeId ?? '',
            channel: release?.channel ?? 'offline',
            month: release?.month ?? civilMonth(result.claimedAt!),
            claimedAt: formatCivil(result.claimedAt!),
            expiresAt: formatCivil(result.expiresAt!),
            status: 'claimed',
          },
        };
      }
      case 'key_reused':
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a claim on another release');
      case 'not_open':
        throw new AppError('NOT_OPEN', 'The release is not open yet');
      case 'closed':
        throw new AppError('RELEASE_CLOSED', 'The release has closed');
      case 'quota_month':
        throw new AppError('QUOTA_MONTH_REACHED', 'You have used this month’s coupons of this programme (TI-19/TI-20)');
      case 'quota_year':
        throw new AppError('QUOTA_YEAR_REACHED', 'You have used this year’s coupons of this programme (TI-19/TI-20)');
      case 'sold_out':
        throw new AppError('SOLD_OUT', 'All coupons of this release have been claimed', { remaining: 0 });
      case 'unknown_release':
        throw new AppError('RELEASE_NOT_FOUND', 'No such release');
      default:
        throw new AppError('UNAVAILABLE', `Your claim could not be recorded; nothing was issued (person ${personId.slice(0, 4)}…); please try again`);
    }
  }

  /** Keeps memory in step with what the database decided: remaining stock, quotas used. */
  #afterBatch(results: ClaimResult[]): void {
    const second = Math.floor(this.context.clock.now().getTime() / 1000);
    for (const result of results) {
      const release = this.#releases.get(result.releaseId);
      if (release && result.remaining !== null) release.remaining = Math.min(release.remaining, result.remaining);
      if (result.outcome === 'claimed') {
        let perSecond = this.#recentClaims.get(result.releaseId);
        if (!perSecond) this.#recentClaims.set(result.releaseId, (perSecond = new Map()));
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      }
    }
    for (const perSecond of this.#recentClaims.values()) for (const key of perSecond.keys()) if (key < second - 120) perSecond.delete(key);
  }

  #person(personId: string): PersonMemory {
    let person = this.#people.get(personId);
    if (!person) {
      if (this.#people.size >= PEOPLE_MEMORY_MAX) this.#people.clear();
      person = { windowStart: 0, count: 0, quota: undefined };
      this.#people.set(personId, person);
    }
    return person;
  }

  #limitPerson(person: PersonMemory): boolean {
    const max = this.limits.perPersonPerMinute;
    if (max <= 0) return true;
    const now = Date.now();
    if (now - person.windowStart >= 60_000) {
      person.windowStart = now;
      person.count = 0;
    }
    person.count += 1;
    return person.count <= max;
  }

  /** Remembers quota use a claim revealed, so repeated attempts are answered from memory. */
  rememberQuota(personId: string, programmeId: string, month: string, outcome: 'claimed' | 'quota_month' | 'quota_year'): void {
    const programme = this.programmes.get(programmeId);
    if (!programme) return;
    const known = quotaMemory(this.#person(personId), programmeId, month);
    if (outcome === 'quota_month') known.monthUsed = Math.max(known.monthUsed, programme.quota.month);
    else if (outcome === 'quota_year') known.yearUsed = Math.max(known.yearUsed, programme.quota.year);
    else {
      known.monthUsed += 1;
      known.yearUsed += 1;
    }
  }

  // ---- residents' and administrators' views ----------------------------------------------

  async myCoupons(personId: string): Promise<CouponDto[]> {
    const rows = await this.context.database.query<{
      id: string; release_id: string; programme_id: string; channel: Channel; month: string; claimed_at: Date; expires_at: Date; status: string;
    }>(
      `SELECT id, release_id, programme_id, channel, month, claimed_at, expires_at,
              CASE WHEN status = 'claimed' AND expires_at <= $2 THEN 'expired' ELSE status END AS status
         FROM subsidy_coupons WHERE person_id = $1 ORDER BY claimed_at DESC LIMIT 500`,
      [personId, this.context.clock.now()],
    );
    return rows.map((row) => ({
      id: row.id,
      releaseId: row.release_id,
      programme: row.programme_id,
      channel: row.channel,
      month: row.month,
      claimedAt: formatCivil(row.claimed_at),
      expiresAt: formatCivil(row.expires_at),
      status: row.status,
    }));
  }

  /** How many coupons a person has this month and year, per programme (shown before claiming). */
  async myQuota(personId: string, month: string) {
    const rows = await this.context.database.query<{ programme_id: string; month: string; month_used: number; year_used: number }>(
      'SELECT programme_id, month, month_used, year_used FROM subsidy_quota WHERE person_id = $1 AND year = $2',
      [personId, month.slice(0, 4)],
    );
    return [...this.programmes.values()].map((programme) => {
      const row = rows.find((r) => r.programme_id === programme.id);
      return {
        programme: programme.id,
        month,
        monthUsed: row && row.month === month ? row.month_used : 0,
        monthQuota: programme.quota.month,
        yearUsed: row?.year_used ?? 0,
        yearQuota: programme.quota.year,
      };
    });
  }

  /** Live figures of a release for the administrators' chart: remaining and claims per second. */
  async releaseStats(id: string) {
    const release = await this.getRelease(id);
    const now = this.context.clock.now();
    const rows = await this.context.database.query<{ second: Date; claims: number }>(
      `SELECT date_trunc('second', claimed_at) AS second, count(*)::int AS claims FROM subsidy_coupons
        WHERE release_id = $1 AND claimed_at > $2 GROUP BY 1 ORDER BY 1`,
      [id, new Date(now.getTime() - 60_000)],
    );
    let soldOutAt: string | null = null;
    if (release.issued >= release.stock && release.stock > 0) {
      const [last] = await this.context.database.query<{ at: Date | null }>('SELECT max(claimed_at) AS at FROM subsidy_coupons WHERE release_id = $1', [id]);
      soldOutAt = last?.at ? formatCivil(last.at) : null;
    }
    return {
      release: releaseDto(release),
      soldOutAt,
      serverTime: formatCivil(now),
      claimsPerSecond: rows.map((row) => ({ at: formatCivil(row.second), claims: row.claims })),
      line: { waiting: this.line.length, throughputPerSecond: Math.round(this.line.throughputPerSecond) },
    };
  }

  /** Quota statistics of a month: people by number of coupons held, per programme (TI-19, TI-20). */
  async quotaStats(month: string) {
    // A month's distribution comes from the coupons themselves (quota rows keep only the latest month).
    const rows = await this.context.database.query<{ programme_id: string; used: number; people: number }>(
      `SELECT programme_id, used, count(*)::int AS people FROM (
         SELECT c.person_id, c.programme_id, count(*)::int AS used FROM subsidy_coupons c
          WHERE c.release_id IN (SELECT id FROM subsidy_releases WHERE month = $1) GROUP BY 1, 2) t
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [month],
    );
    const year = await this.context.database.query<{ programme_id: string; used: number; people: number }>(
      `SELECT programme_id, year_used AS used, count(*)::int AS people FROM subsidy_quota WHERE year = $1 AND year_used > 0 GROUP BY 1, 2 ORDER BY 1, 2`,
      [month.slice(0, 4)],
    );
    const byDistrict = await this.context.database.query<{ programme_id: string; district: string; coupons: number }>(
      `SELECT programme_id, claim_district AS district, count(*)::int AS coupons FROM subsidy_coupons WHERE month = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [month],
    );
    return {
      month,
      programmes: [...this.programmes.values()].map((programme) => ({
        programme: programme.id,
        monthQuota: programme.quota.month,
        yearQuota: programme.quota.year,
        monthDistribution: rows.filter((r) => r.programme_id === programme.id).map((r) => ({ coupons: r.used, people: r.people })),
        yearDistribution: year.filter((r) => r.programme_id === programme.id).map((r) => ({ coupons: r.used, people: r.people })),
        byDistrict: byDistrict.filter((r) => r.programme_id === programme.id).map((r) => ({ district: r.district, coupons: r.coupons })),
      })),
    };
  }

  /** Verifies the database invariants of S2 (used by tests, the crash test and the benchmark). */
  async checkInvariants(): Promise<string[]> {
    const problems: string[] = [];
    const db = this.context.database;
    for (const row of await db.query<{ id: string; stock: number; issued: number; coupons: number }>(
      `SELECT r.id, r.stock, r.issued, (SELECT count(*)::int FROM subsidy_coupons c WHERE c.release_id = r.id) AS coupons FROM subsidy_releases r`,
    )) {
      if (row.issued > row.stock) problems.push(`release ${row.id}: issued ${row.issued} > stock ${row.stock}`);
      if (row.issued !== row.coupons) problems.push(`release ${row.id}: issued ${row.issued} but ${row.coupons} coupons`);
    }
    for (const row of await db.query<{ person_id: string; programme_id: string; year: string; month: string; month_used: number; year_used: number; month_quota: number; year_quota: number; month_coupons: number; year_coupons: number }>(
      `SELECT q.*,
              (SELECT count(*)::int FROM subsidy_coupons c WHERE c.person_id = q.person_id AND c.programme_id = q.programme_id AND c.month = q.month) AS month_coupons,
              (SELECT count(*)::int FROM subsidy_coupons c WHERE c.person_id = q.person_id AND c.programme_id = q.programme_id AND left(c.month, 4) = q.year) AS year_coupons
         FROM subsidy_quota q`,
    )) {
      const key = `${row.person_id}/${row.programme_id}`;
      if (row.year_used !== row.year_coupons) problems.push(`quota ${key}/${row.year}: year_used ${row.year_used} but ${row.year_coupons} coupons`);
      if (row.month_used !== row.month_coupons) problems.push(`quota ${key}/${row.month}: month_used ${row.month_used} but ${row.month_coupons} coupons`);
      if (row.year_used > row.year_quota || row.month_used > row.month_quota) problems.push(`quota ${key}: over its quota`);
    }
    for (const row of await db.query<{ person_id: string; programme_id: string; month: string; coupons: number; quota: number }>(
      `SELECT c.person_id, c.programme_id, c.month, count(*)::int AS coupons, p.month_quota AS quota FROM subsidy_coupons c
         JOIN subsidy_programmes p ON p.id = c.programme_id GROUP BY 1, 2, 3, 5 HAVING count(*) > p.month_quota`,
    )) problems.push(`person ${row.person_id} holds ${row.coupons} coupons of ${row.programme_id} in ${row.month} (quota ${row.quota})`);
    for (const row of await db.query<{ person_id: string; programme_id: string; coupons: number; quota: number }>(
      `SELECT c.person_id, c.programme_id, count(*)::int AS coupons, p.year_quota AS quota FROM subsidy_coupons c
         JOIN subsidy_programmes p ON p.id = c.programme_id GROUP BY 1, 2, 4 HAVING count(*) > p.year_quota`,
    )) problems.push(`person ${row.person_id} holds ${row.coupons} coupons of ${row.programme_id} this year (quota ${row.quota})`);
    return problems;
  }

  currentMonth(): string {
    return civilMonth(this.context.clock.now());
  }

  monthEnd(month: string): Date {
    return monthEnd(month);
  }
}
