import type { Logger } from 'pino';
import { BatchLine, type BatchLineObserver, type BatchLineOptions } from '../../platform/batch-line.ts';
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

/**
 * The first-come-first-served line of claims in front of the database (BatchLine): one statement
 * calls subsidy_claim_batch for up to batchSizeMax claims, which also appends one audit entry for
 * the batch; nobody is answered before it commits (acknowledged = durable). A person has at most one
 * claim per programme in a batch; a second one waits for the next. The batch is a single statement
 * (one round trip), so the event loop's other work cannot stretch a transaction while the release's
 * row is locked.
 */
export class ClaimLine extends BatchLine<ClaimRequest, ClaimResult> {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: BatchLineOptions,
    observer?: BatchLineObserver,
  ) {
    super(options, observer);
  }

  protected keyOf(request: ClaimRequest): string {
    return `${request.personId}\u0000${request.programmeId}`;
  }

  protected failed(request: ClaimRequest, error: unknown): ClaimResult {
    this.logger.error({ err: error, requestId: request.requestId }, 'claim failed');
    return { outcome: 'failed', couponId: null, releaseId: request.releaseId, claimedAt: null, expiresAt: null, remaining: null };
  }

  protected async writeBatch(requests: ClaimRequest[]): Promise<ClaimResult[]> {
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
