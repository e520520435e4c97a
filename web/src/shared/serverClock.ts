// The platform's clock as seen from the browser: countdowns must follow the server (which may run a
// demo clock far from the device's), not the device's own clock. GET /api/v1/time is sampled, the
// offset is taken from the middle of the round trip, and it is sampled again every minute.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { api } from './api';

export interface ServerTime {
  now: string;
  epochMs: number;
  timeZone: string;
}

export const RESYNC_MS = 60_000;

/** Server time minus device time, from one round trip: the server read its clock about half-way through. */
export function clockOffset(sentAt: number, receivedAt: number, serverEpochMs: number): number {
  return serverEpochMs - (sentAt + receivedAt) / 2;
}

interface ClockState {
  offsetMs: number;
  synced: boolean;
  /** At least one sync has finished, successfully or not. */
  attempted: boolean;
  /** Round trip of the sample the offset came from (a shorter one is more precise). */
  roundTripMs: number;
}

let state: ClockState = { offsetMs: 0, synced: false, attempted: false, roundTripMs: Infinity };
const listeners = new Set<() => void>();
let inFlight: Promise<void> | undefined;

function publish(next: ClockState): void {
  state = next;
  for (const listener of listeners) listener();
}

async function sample(): Promise<{ offsetMs: number; roundTripMs: number }> {
  const sentAt = Date.now();
  const time = await api.get<ServerTime>('/time');
  const receivedAt = Date.now();
  return { offsetMs: clockOffset(sentAt, receivedAt, time.epochMs), roundTripMs: receivedAt - sentAt };
}

/** Samples the server clock twice and keeps the sample with the shorter round trip. Failures keep the last offset. */
export function syncServerClock(): Promise<void> {
  inFlight ??= (async () => {
    try {
      const first = await sample();
      const second = await sample().catch(() => first);
      const best = second.roundTripMs < first.roundTripMs ? second : first;
      publish({ offsetMs: best.offsetMs, roundTripMs: best.roundTripMs, synced: true, attempted: true });
    } catch {
      // Offline for a moment: the previous offset stays; the next resync tries again.
      if (!state.attempted) publish({ ...state, attempted: true });
    } finally {
      inFlight = undefined;
    }
  })();
  return inFlight;
}

/** The server's current time in epoch milliseconds (the device's clock until the first sync). */
export function serverNow(): number {
  return Date.now() + state.offsetMs;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function onVisible(): void {
  if (document.visibilityState === 'visible') void syncServerClock();
}

function start(): () => void {
  users += 1;
  if (users === 1) {
    void syncServerClock();
    timer = setInterval(() => void syncServerClock(), RESYNC_MS);
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    users -= 1;
    if (users === 0) {
      clearInterval(timer);
      timer = undefined;
      document.removeEventListener('visibilitychange', onVisible);
    }
  };
}

/**
 * Keeps the offset synced while mounted; `synced` is false until the first answer from the server,
 * `attempted` until the first try has finished (afterwards, without an answer, the device's clock is used).
 */
export function useServerClockSync(): { synced: boolean; attempted: boolean } {
  useEffect(start, []);
  const synced = useSyncExternalStore(subscribe, () => state.synced, () => false);
  const attempted = useSyncExternalStore(subscribe, () => state.attempted, () => false);
  return { synced, attempted };
}

/**
 * The server time, re-rendered at every whole server second (or every `stepMs`), so a countdown
 * changes exactly when the server's second changes. Also re-renders when the offset changes.
 */
export function useServerNow(stepMs = 1000): number {
  useServerClockSync();
  const offset = useSyncExternalStore(subscribe, () => state.offsetMs, () => 0);
  const [now, setNow] = useState(() => Date.now() + offset);
  useEffect(() => {
    let handle: ReturnType<typeof setTimeout>;
    const tick = () => {
      const current = serverNow();
      setNow(current);
      handle = setTimeout(tick, stepMs - (current % stepMs) + 5);
    };
    tick();
    return () => clearTimeout(handle);
  }, [offset, stepMs]);
  return now;
}
