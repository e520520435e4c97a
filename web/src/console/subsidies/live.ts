// Figures of the live release page, from GET /admin/subsidies/releases/{id}/stats (pure, testable).
import { formatCivilTime, type ReleaseStats } from '../../shared/subsidies';

export const LIVE_WINDOW_SECONDS = 60;

export interface LivePoint {
  /** Start of the second (epoch ms). */
  at: number;
  /** "11:00:07" in Tianjin time. */
  label: string;
  claims: number;
  /** Coupons left at the end of that second. */
  remaining: number;
}

/**
 * One point per second over the last minute up to the server time: the claims of that second
 * (0 when none) and the stock left at its end, worked back from the remaining stock now
 * (remaining then = remaining now + claims since).
 */
export function liveSeries(stats: ReleaseStats, windowSeconds = LIVE_WINDOW_SECONDS): LivePoint[] {
  const end = Math.floor(Date.parse(stats.serverTime) / 1000);
  const perSecond = new Map<number, number>();
  for (const entry of stats.claimsPerSecond) {
    const second = Math.floor(Date.parse(entry.at) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + entry.claims);
  }
  const points: LivePoint[] = [];
  let later = 0;
  for (const [second, claims] of perSecond) if (second > end) later += claims;
  let remaining = stats.release.remaining + later;
  for (let second = end; second > end - windowSeconds; second -= 1) {
    const claims = perSecond.get(second) ?? 0;
    points.push({ at: second * 1000, label: formatCivilTime(second * 1000), claims, remaining });
    remaining += claims;
  }
  return points.reverse();
}

export function claimsInWindow(points: readonly LivePoint[]): number {
  return points.reduce((sum, point) => sum + point.claims, 0);
}

/**
 * When the release sold out: the last second with claims in the window, once nothing is left.
 * Undefined while stock remains, or when the last claim is older than the window.
 */
export function soldOutAt(stats: ReleaseStats): string | undefined {
  if (stats.release.remaining > 0) return undefined;
  let last: number | undefined;
  for (const entry of stats.claimsPerSecond) {
    if (entry.claims <= 0) continue;
    const at = Date.parse(entry.at);
    if (last === undefined || at > last) last = at;
  }
  return last === undefined ? undefined : new Date(last).toISOString();
}
