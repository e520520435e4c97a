// What the claim button says at each step: the claim's state, and how an API answer or error
// moves it. Pure functions, so every state can be tested without a browser.
import { ApiError } from '../../shared/api';
import type { Coupon, QueuedClaim } from '../../shared/subsidies';
import { LocationError, type LocationProblem, type Position } from '../../shared/location';

export type ClaimState =
  | { kind: 'idle' }
  | { kind: 'locating' }
  | { kind: 'claiming' }
  | { kind: 'queued'; ticketId: string; position: number; estimatedWaitSeconds: number; pollAfterSeconds: number; reconnecting: boolean }
  | { kind: 'success'; coupon: Coupon }
  | { kind: 'soldOut' }
  | { kind: 'quotaMonth' }
  | { kind: 'quotaYear' }
  | { kind: 'outsideCity' }
  | { kind: 'notOpen' }
  | { kind: 'closed' }
  /** Too many requests or too many people waiting: nothing was issued; try again in a moment. */
  | { kind: 'busy'; code: 'RATE_LIMITED' | 'LINE_FULL' }
  /** The answer was lost (network, server restart): the claim may or may not have gone through. */
  | { kind: 'network' }
  | { kind: 'location'; problem: LocationProblem }
  | { kind: 'signIn' }
  | { kind: 'error'; error: unknown };

export type ClaimKind = ClaimState['kind'];

/** States in which the resident is waiting and the button must not start another claim. */
export function isWorking(state: ClaimState): boolean {
  return state.kind === 'locating' || state.kind === 'claiming' || state.kind === 'queued';
}

/**
 * Whether a retry from this state must send the same Idempotency-Key: yes when the first attempt
 * may have reached the server (its answer was lost, or it was turned away before being recorded),
 * so the server returns the coupon it issued, if any, rather than issuing a second one.
 */
export function retryKeepsKey(state: ClaimState): boolean {
  return state.kind === 'network' || state.kind === 'busy';
}

/** One claim attempt: its Idempotency-Key and the position sent with it. */
export interface Attempt {
  key: string;
  position?: Position;
}

/**
 * The attempt a press of the button sends: the previous one again (same key, same body) when its
 * answer was lost or it was turned away before being recorded, else a new one with a fresh key.
 */
export function attemptForPress(previous: Attempt | undefined, state: ClaimState, newKey: () => string): Attempt {
  return previous && retryKeepsKey(state) ? previous : { key: newKey() };
}

/** States that end with a "try again" button. */
export function canRetry(state: { kind: string }): boolean {
  return state.kind === 'network' || state.kind === 'busy' || state.kind === 'location' || state.kind === 'outsideCity' || state.kind === 'error';
}

export function queuedState(answer: QueuedClaim, reconnecting = false): ClaimState {
  return {
    kind: 'queued',
    ticketId: answer.ticketId,
    position: answer.position,
    estimatedWaitSeconds: answer.estimatedWaitSeconds,
    pollAfterSeconds: answer.pollAfterSeconds,
    reconnecting,
  };
}

/** A 200/201 `{coupon}` or a 202 place in line. */
export function stateForAnswer(answer: { coupon: Coupon } | QueuedClaim): ClaimState {
  if ('coupon' in answer) return { kind: 'success', coupon: answer.coupon };
  return queuedState(answer);
}

/** Whether an error means the answer was lost rather than given (so the same key must be retried). */
export function isLostAnswer(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.code === 'NETWORK' || error.code === 'CLAIM_TICKET_NOT_FOUND') return true;
  return error.status >= 500 && error.code !== 'LINE_FULL';
}

/** The state a failed claim (or a failed poll of its place in line) leads to. */
export function stateForError(error: unknown): ClaimState {
  if (error instanceof LocationError) return { kind: 'location', problem: error.problem };
  if (!(error instanceof ApiError)) return { kind: 'error', error };
  switch (error.code) {
    case 'SOLD_OUT':
      return { kind: 'soldOut' };
    case 'QUOTA_MONTH_REACHED':
      return { kind: 'quotaMonth' };
    case 'QUOTA_YEAR_REACHED':
      return { kind: 'quotaYear' };
    case 'OUTSIDE_CITY':
      return { kind: 'outsideCity' };
    case 'NOT_OPEN':
      return { kind: 'notOpen' };
    case 'RELEASE_CLOSED':
      return { kind: 'closed' };
    case 'RATE_LIMITED':
    case 'LINE_FULL':
      return { kind: 'busy', code: error.code };
    case 'UNAUTHENTICATED':
      return { kind: 'signIn' };
    default:
      return isLostAnswer(error) ? { kind: 'network' } : { kind: 'error', error };
  }
}

/** How long to wait before asking about a place in line again: the server's hint, within 1–10 s. */
export function pollDelayMs(pollAfterSeconds: number, failures = 0): number {
  const base = Math.min(10, Math.max(1, pollAfterSeconds || 2)) * 1000;
  return Math.min(10_000, base * 2 ** Math.min(failures, 3));
}

/** What a release card shows: the claim's own state while it runs, else what the release and quota allow. */
export type CardView = ClaimState | { kind: 'upcoming' } | { kind: 'open' };

export function cardView(input: {
  phase: 'upcoming' | 'open' | 'soldOut' | 'closed';
  claim: ClaimState;
  quota: { monthUsed: number; monthQuota: number; yearUsed: number; yearQuota: number } | undefined;
  signedIn: boolean;
}): CardView {
  const { phase, claim, quota, signedIn } = input;
  if (isWorking(claim) || claim.kind === 'success') return claim;
  if (phase === 'closed') return { kind: 'closed' };
  if (phase === 'soldOut') return { kind: 'soldOut' };
  if (quota && quota.yearUsed >= quota.yearQuota) return { kind: 'quotaYear' };
  if (quota && quota.monthUsed >= quota.monthQuota) return { kind: 'quotaMonth' };
  if (claim.kind === 'soldOut' || claim.kind === 'quotaMonth' || claim.kind === 'quotaYear' || claim.kind === 'closed') return claim;
  if (phase === 'upcoming') return { kind: 'upcoming' };
  if (!signedIn || claim.kind === 'signIn') return { kind: 'signIn' };
  if (claim.kind === 'idle' || claim.kind === 'notOpen') return { kind: 'open' };
  return claim;
}
