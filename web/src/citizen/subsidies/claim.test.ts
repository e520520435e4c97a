import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Problem } from '../../shared/api';
import type { Coupon } from '../../shared/subsidies';
import { attemptForPress, canRetry, cardView, pollDelayMs, retryKeepsKey, stateForAnswer, stateForError, type ClaimState } from './claim';
import { IDLE_POLL_MS, LIVE_POLL_MS, releasesPollMs, sortReleases } from './data';
import { currentPosition, LocationError, problemOf, roundPosition } from '../../shared/location';
import { fullSubsidyFrom } from './ProgrammeInfo';

const problem = (status: number, code: string): ApiError => new ApiError({ type: 'about:blank', title: code, status, code } as Problem);
const coupon: Coupon = {
  id: 'c_1',
  releaseId: 'digital-2026-offline-2026-03',
  programme: 'digital-2026',
  channel: 'offline',
  month: '2026-03',
  claimedAt: '2026-03-01T11:00:01+08:00',
  expiresAt: '2026-04-01T00:00:00+08:00',
  status: 'claimed',
};
const quota = (monthUsed: number, yearUsed = monthUsed) => ({ monthUsed, monthQuota: 2, yearUsed, yearQuota: 8 });

describe('claim states', () => {
  it('turns each answer of the claim API into what the button says', () => {
    expect(stateForError(problem(409, 'SOLD_OUT'))).toEqual({ kind: 'soldOut' });
    expect(stateForError(problem(409, 'QUOTA_MONTH_REACHED'))).toEqual({ kind: 'quotaMonth' });
    expect(stateForError(problem(409, 'QUOTA_YEAR_REACHED'))).toEqual({ kind: 'quotaYear' });
    expect(stateForError(problem(403, 'OUTSIDE_CITY'))).toEqual({ kind: 'outsideCity' });
    expect(stateForError(problem(409, 'NOT_OPEN'))).toEqual({ kind: 'notOpen' });
    expect(stateForError(problem(409, 'RELEASE_CLOSED'))).toEqual({ kind: 'closed' });
    expect(stateForError(problem(429, 'RATE_LIMITED'))).toEqual({ kind: 'busy', code: 'RATE_LIMITED' });
    expect(stateForError(problem(503, 'LINE_FULL'))).toEqual({ kind: 'busy', code: 'LINE_FULL' });
    expect(stateForError(problem(401, 'UNAUTHENTICATED'))).toEqual({ kind: 'signIn' });
    expect(stateForError(problem(0, 'NETWORK'))).toEqual({ kind: 'network' });
    expect(stateForError(problem(503, 'UNAVAILABLE'))).toEqual({ kind: 'network' });
    expect(stateForError(problem(404, 'CLAIM_TICKET_NOT_FOUND'))).toEqual({ kind: 'network' });
    expect(stateForError(new LocationError('denied'))).toEqual({ kind: 'location', problem: 'denied' });
    expect(stateForError(problem(422, 'IDEMPOTENCY_KEY_REUSED')).kind).toBe('error');
    expect(stateForAnswer({ coupon })).toEqual({ kind: 'success', coupon });
    expect(stateForAnswer({ status: 'queued', ticketId: 't_1', position: 42, estimatedWaitSeconds: 7, pollAfterSeconds: 2 })).toEqual({
      kind: 'queued',
      ticketId: 't_1',
      position: 42,
      estimatedWaitSeconds: 7,
      pollAfterSeconds: 2,
      reconnecting: false,
    });
  });

  it('sends the same Idempotency-Key again only when the first answer was lost or turned away', () => {
    let n = 0;
    const newKey = () => `k${++n}`;
    const first = attemptForPress(undefined, { kind: 'idle' }, newKey);
    expect(first).toEqual({ key: 'k1' });
    first.position = { lat: 39.1237, lng: 117.202 };
    expect(attemptForPress(first, { kind: 'network' }, newKey)).toBe(first);
    expect(attemptForPress(first, { kind: 'busy', code: 'LINE_FULL' }, newKey)).toBe(first);
    expect(attemptForPress(first, { kind: 'success', coupon }, newKey)).toEqual({ key: 'k2' });
    expect(attemptForPress(first, { kind: 'outsideCity' }, newKey)).toEqual({ key: 'k3' });
    expect(retryKeepsKey({ kind: 'location', problem: 'denied' })).toBe(false);
    expect(canRetry({ kind: 'location' })).toBe(true);
    expect(canRetry({ kind: 'soldOut' })).toBe(false);
  });

  it('shows the claim while it runs, then what the release and quota allow', () => {
    const idle: ClaimState = { kind: 'idle' };
    expect(cardView({ phase: 'upcoming', claim: idle, quota: quota(0), signedIn: true }).kind).toBe('upcoming');
    expect(cardView({ phase: 'open', claim: idle, quota: quota(0), signedIn: true }).kind).toBe('open');
    expect(cardView({ phase: 'open', claim: idle, quota: undefined, signedIn: false }).kind).toBe('signIn');
    expect(cardView({ phase: 'open', claim: idle, quota: quota(2), signedIn: true }).kind).toBe('quotaMonth');
    expect(cardView({ phase: 'open', claim: idle, quota: quota(1, 8), signedIn: true }).kind).toBe('quotaYear');
    expect(cardView({ phase: 'soldOut', claim: idle, quota: quota(0), signedIn: true }).kind).toBe('soldOut');
    expect(cardView({ phase: 'closed', claim: idle, quota: quota(0), signedIn: true }).kind).toBe('closed');
    // A coupon just claimed stays on screen even though stock and quota have moved on.
    expect(cardView({ phase: 'soldOut', claim: { kind: 'success', coupon }, quota: quota(2), signedIn: true }).kind).toBe('success');
    expect(cardView({ phase: 'open', claim: { kind: 'claiming' }, quota: quota(0), signedIn: true }).kind).toBe('claiming');
    // The server said "sold out" before this page's stock figure caught up.
    expect(cardView({ phase: 'open', claim: { kind: 'soldOut' }, quota: quota(0), signedIn: true }).kind).toBe('soldOut');
    expect(cardView({ phase: 'open', claim: { kind: 'network' }, quota: quota(0), signedIn: true }).kind).toBe('network');
    expect(cardView({ phase: 'open', claim: { kind: 'notOpen' }, quota: quota(0), signedIn: true }).kind).toBe('open');
  });

  it('polls a place in line at the server’s pace, backing off while the network fails', () => {
    expect(pollDelayMs(2)).toBe(2000);
    expect(pollDelayMs(0)).toBe(2000);
    expect(pollDelayMs(60)).toBe(10_000);
    expect(pollDelayMs(2, 1)).toBe(4000);
    expect(pollDelayMs(2, 5)).toBe(10_000);
  });

  it('polls releases every few seconds near and after the opening', () => {
    const base = { id: 'r', programme: 'p', channel: 'offline', month: '2026-03', stock: 10, issued: 0, closesAt: '2026-04-01T00:00:00+08:00' };
    const release = { ...base, opensAt: '2026-03-01T11:00:00+08:00', remaining: 10 };
    expect(releasesPollMs(undefined, 0)).toBe(IDLE_POLL_MS);
    expect(releasesPollMs([release], Date.parse('2026-03-01T10:00:00+08:00'))).toBe(IDLE_POLL_MS);
    expect(releasesPollMs([release], Date.parse('2026-03-01T10:59:00+08:00'))).toBe(LIVE_POLL_MS);
    expect(releasesPollMs([release], Date.parse('2026-03-01T11:30:00+08:00'))).toBe(LIVE_POLL_MS);
    expect(releasesPollMs([{ ...release, remaining: 0 }], Date.parse('2026-03-01T11:30:00+08:00'))).toBe(IDLE_POLL_MS);
    const programmes = [{ id: 'appliances-2026' }, { id: 'digital-2026' }] as never[];
    const sorted = sortReleases(
      [
        { ...release, id: 'd-on', programme: 'digital-2026', channel: 'online' },
        { ...release, id: 'a-on', programme: 'appliances-2026', channel: 'online' },
        { ...release, id: 'd-off', programme: 'digital-2026', channel: 'offline' },
      ],
      programmes,
    );
    expect(sorted.map((r) => r.id)).toEqual(['a-on', 'd-off', 'd-on']);
  });

  it('keeps only what the location check needs', () => {
    expect(roundPosition(39.123_749_9, 117.202_05)).toEqual({ lat: 39.1237, lng: 117.2021 });
    expect([problemOf(1), problemOf(2), problemOf(3)]).toEqual(['denied', 'unavailable', 'timeout']);
  });

  describe('the position for the TI-05 check', () => {
    afterEach(() => vi.unstubAllGlobals());
    const browser = (state: PermissionState | 'throws' | 'none') => {
      const asked = { position: 0 };
      vi.stubGlobal('navigator', {
        permissions:
          state === 'none'
            ? undefined
            : { query: async () => { if (state === 'throws') throw new TypeError('unknown name'); return { state }; } },
        geolocation: {
          getCurrentPosition: (resolve: (position: { coords: { latitude: number; longitude: number } }) => void) => {
            asked.position += 1;
            resolve({ coords: { latitude: 39.123_749_9, longitude: 117.202_05 } });
          },
        },
      });
      return asked;
    };

    it('is not read once the resident has withdrawn the permission (the browser might still hold one)', async () => {
      const asked = browser('denied');
      await expect(currentPosition()).rejects.toMatchObject({ problem: 'denied' });
      expect(asked.position).toBe(0);
    });

    it('is read, rounded, when allowed, when still to be asked, or where the browser cannot tell', async () => {
      for (const state of ['granted', 'prompt', 'throws', 'none'] as const) {
        const asked = browser(state);
        await expect(currentPosition()).resolves.toEqual({ lat: 39.1237, lng: 117.2021 });
        expect(asked.position).toBe(1);
      }
    });
  });

  it('says from which price the subsidy is at its cap (TI-09, TI-11)', () => {
    expect(fullSubsidyFrom({ rate: '0.15', capPerItem: '1500.00' })).toBe(10_000);
    expect(fullSubsidyFrom({ rate: '0.15', capPerItem: '500.00' })).toBe(3333.34);
  });
});
