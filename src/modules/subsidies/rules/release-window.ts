import { civilInstant, isCivilMonth, monthEnd, monthStart } from '../../../platform/civil-time.ts';
import type { Programme } from '../programmes.ts';

/**
 * TI-17: each month's coupons are issued from 11:00 on the 1st, first come first served, until
 * sold out and at the latest until the end of the month. TI-01/TI-02 bound the programme.
 */
export function scheduledOpening(programme: Programme, month: string): Date {
  const day = String(programme.release.dayOfMonth).padStart(2, '0');
  return civilInstant(`${month}-${day}`, `${programme.release.time}:00`);
}

/** TI-17, TI-18: a release closes, and its coupons expire, at the end of its month. */
export function releaseCloses(month: string): Date {
  return monthEnd(month);
}

export type ReleaseWindowProblem = 'month_format' | 'outside_programme' | 'opens_outside_month';

/** Checks an administrator's release: its month within the programme (TI-01, TI-02), its opening within the month. */
export function checkReleaseWindow(programme: Programme, month: string, opensAt: Date): ReleaseWindowProblem | undefined {
  if (!isCivilMonth(month)) return 'month_format';
  if (monthEnd(month).getTime() <= Date.parse(programme.startsAt) || monthStart(month).getTime() >= Date.parse(programme.endsAt)) {
    return 'outside_programme';
  }
  if (opensAt.getTime() < monthStart(month).getTime() || opensAt.getTime() >= monthEnd(month).getTime()) return 'opens_outside_month';
  return undefined;
}

/** TI-01: the first release cannot open before the programme starts. */
export function effectiveOpening(programme: Programme, opensAt: Date): Date {
  const start = Date.parse(programme.startsAt);
  return opensAt.getTime() < start ? new Date(start) : opensAt;
}
