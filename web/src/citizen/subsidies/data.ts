import { api } from '../../shared/api';
import type { Coupon, QuotaUse, SubsidyProgramme, SubsidyRelease } from '../../shared/subsidies';
import { releasePhase } from '../../shared/subsidies';

export const loadProgrammes = (signal: AbortSignal) => api.get<SubsidyProgramme[]>('/subsidies/programmes', undefined, { signal });
/** This month's releases (the server's month). */
export const loadReleases = (signal: AbortSignal) => api.get<SubsidyRelease[]>('/subsidies/releases', undefined, { signal });
export const loadQuota = (signal: AbortSignal) => api.get<QuotaUse[]>('/me/subsidy-quota', undefined, { signal });
export const loadCoupons = (signal: AbortSignal) => api.get<Coupon[]>('/me/coupons', undefined, { signal });

/** Stock changes by the second once a release is open: poll every few seconds near and after opening. */
export const LIVE_POLL_MS = 3000;
export const IDLE_POLL_MS = 60_000;
const NEAR_OPENING_MS = 2 * 60_000;

/** How often to ask for the releases at server time `now`. */
export function releasesPollMs(releases: readonly SubsidyRelease[] | undefined, now: number): number {
  if (!releases) return IDLE_POLL_MS;
  const live = releases.some((release) => {
    const phase = releasePhase(release, now);
    if (phase === 'open') return true;
    return phase === 'upcoming' && Date.parse(release.opensAt) - now <= NEAR_OPENING_MS;
  });
  return live ? LIVE_POLL_MS : IDLE_POLL_MS;
}

/** Releases in the order of the programmes, offline before online. */
export function sortReleases(releases: readonly SubsidyRelease[], programmes: readonly SubsidyProgramme[]): SubsidyRelease[] {
  const order = (id: string) => {
    const index = programmes.findIndex((p) => p.id === id);
    return index < 0 ? programmes.length : index;
  };
  return [...releases].sort((a, b) => order(a.programme) - order(b.programme) || a.channel.localeCompare(b.channel) || a.id.localeCompare(b.id));
}
