import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, newIdempotencyKey } from '../../shared/api';
import type { Coupon, QueuedClaim } from '../../shared/subsidies';
import { attemptForPress, isLostAnswer, isWorking, pollDelayMs, retryKeepsKey, stateForAnswer, stateForError, type Attempt, type ClaimState } from './claim';
import { currentPosition } from '../../shared/location';

type Answer = { coupon: Coupon } | QueuedClaim;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const handle = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(handle);
      resolve();
    });
  });
}

/**
 * One release's claim: position → POST …/claims (one Idempotency-Key per press, the same key again
 * when retrying a lost answer) → the coupon, or a place in line that is polled until it is served.
 * `onSettled` runs after every final answer, so the page can refresh stock and quota.
 */
export function useClaim(releaseId: string, onSettled: () => void) {
  const [state, setState] = useState<ClaimState>({ kind: 'idle' });
  const stateRef = useRef<ClaimState>(state);
  const attempt = useRef<Attempt | undefined>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  const settled = useRef(onSettled);
  settled.current = onSettled;

  const set = useCallback((next: ClaimState) => {
    stateRef.current = next;
    setState(next);
  }, []);

  useEffect(() => () => abort.current?.abort(), []);

  const finish = useCallback(
    (next: ClaimState) => {
      set(next);
      if (!retryKeepsKey(next)) attempt.current = undefined;
      settled.current();
    },
    [set],
  );

  /** Sends the claim of the current attempt (again) and follows a place in line until it is served. */
  const send = useCallback(
    async (signal: AbortSignal) => {
      const current = attempt.current!;
      set({ kind: 'claiming' });
      let answer: Answer;
      try {
        answer = await api.post<Answer>(`/subsidies/releases/${encodeURIComponent(releaseId)}/claims`, { location: current.position }, {
          idempotencyKey: current.key,
          signal,
        });
      } catch (error) {
        if (!signal.aborted) finish(stateForError(error));
        return;
      }
      let next = stateForAnswer(answer);
      let failures = 0;
      while (next.kind === 'queued' && !signal.aborted) {
        const queued = next;
        set(queued);
        await sleep(pollDelayMs(queued.pollAfterSeconds, failures), signal);
        if (signal.aborted) return;
        try {
          const polled = await api.get<Answer>(`/subsidies/claims/${encodeURIComponent(queued.ticketId)}`, undefined, { signal });
          failures = 0;
          next = stateForAnswer(polled);
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof ApiError && error.code === 'CLAIM_TICKET_NOT_FOUND') {
            // The place in line was lost (e.g. a restart): asking again with the same key returns
            // the coupon if it was issued, or a new place in line.
            await send(signal);
            return;
          }
          if (!isLostAnswer(error)) {
            finish(stateForError(error));
            return;
          }
          failures += 1;
          next = { ...queued, reconnecting: true };
        }
      }
      if (!signal.aborted) finish(next);
    },
    [releaseId, set, finish],
  );

  /** A press of the button: a new attempt, or the same attempt again after a lost answer. */
  const claim = useCallback(async () => {
    if (isWorking(stateRef.current)) return;
    attempt.current = attemptForPress(attempt.current, stateRef.current, newIdempotencyKey);
    abort.current?.abort();
    const ctrl = new AbortController();
    abort.current = ctrl;
    if (!attempt.current.position) {
      set({ kind: 'locating' });
      try {
        attempt.current.position = await currentPosition();
      } catch (error) {
        if (!ctrl.signal.aborted) set(stateForError(error));
        return;
      }
      if (ctrl.signal.aborted) return;
    }
    await send(ctrl.signal);
  }, [send, set]);

  const reset = useCallback(() => {
    abort.current?.abort();
    attempt.current = undefined;
    set({ kind: 'idle' });
  }, [set]);

  return { state, claim, reset };
}
