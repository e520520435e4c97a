import { describe, expect, it } from 'vitest';
import { clockOffset } from './serverClock';
import {
  civilInputToInstant,
  civilMonth,
  daysLeft,
  formatCivilDateTime,
  formatCivilTime,
  formatPercent,
  formatYuan,
  instantToCivilInput,
  monthLabel,
  nextMonth,
  nextScheduledRelease,
  releasePhase,
  scheduledOpening,
  splitDuration,
  type SubsidyProgramme,
} from './subsidies';

const digital = {
  id: 'digital-2026',
  releaseSchedule: { dayOfMonth: 1, time: '11:00', months: ['2026-03', '2026-02', '2026-12'] },
} as SubsidyProgramme;

describe('subsidy helpers', () => {
  it('takes the clock offset from the middle of the round trip', () => {
    // Sent at 1000, answered at 1200 (device clock); the server read 5100 half-way, at device time 1100.
    expect(clockOffset(1000, 1200, 5100)).toBe(4000);
  });

  it('shows yuan without decimals when whole, and rates as percentages', () => {
    expect(formatYuan('1500.00', 'zh-CN')).toBe('1,500');
    expect(formatYuan('6000.00', 'en')).toBe('6,000');
    expect(formatYuan('1499.85', 'zh-CN')).toBe('1,499.85');
    expect(formatYuan(3333.34, 'zh-CN')).toBe('3,333.34');
    expect(formatPercent('0.15')).toBe('15%');
  });

  it('reads instants in Tianjin time whatever the device time zone', () => {
    expect(formatCivilDateTime('2026-03-31T16:00:00Z')).toBe('2026-04-01 00:00');
    expect(formatCivilTime('2026-03-01T11:00:07+08:00')).toBe('11:00:07');
    expect(civilMonth('2026-02-28T16:30:00Z')).toBe('2026-03');
    expect(instantToCivilInput('2026-04-01T02:05:00Z')).toBe('2026-04-01T10:05');
    expect(civilInputToInstant('2026-04-01T10:05')).toBe('2026-04-01T10:05:00+08:00');
    expect(civilInputToInstant('2026-04-01T10:05:30')).toBe('2026-04-01T10:05:30+08:00');
    expect(civilInputToInstant('2026-04-01')).toBeUndefined();
  });

  it('names months in the UI language', () => {
    expect(monthLabel('2026-03', 'zh-CN')).toBe('2026年3月');
    expect(monthLabel('2026-03', 'en')).toBe('March 2026');
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(nextMonth('2026-03')).toBe('2026-04');
  });

  it('finds the scheduled opening and the next release (TI-17)', () => {
    expect(scheduledOpening(digital, '2026-04')).toBe('2026-04-01T11:00:00+08:00');
    expect(nextScheduledRelease(digital, '2026-02')).toEqual({ month: '2026-03', opensAt: '2026-03-01T11:00:00+08:00' });
    expect(nextScheduledRelease(digital, '2026-03')).toEqual({ month: '2026-12', opensAt: '2026-12-01T11:00:00+08:00' });
    expect(nextScheduledRelease(digital, '2026-12')).toBeUndefined();
  });

  it('tells the phase of a release on the server clock', () => {
    const release = { opensAt: '2026-03-01T11:00:00+08:00', closesAt: '2026-04-01T00:00:00+08:00', remaining: 5 };
    const at = (iso: string) => Date.parse(iso);
    expect(releasePhase(release, at('2026-03-01T10:59:59.999+08:00'))).toBe('upcoming');
    expect(releasePhase(release, at('2026-03-01T11:00:00+08:00'))).toBe('open');
    expect(releasePhase({ ...release, remaining: 0 }, at('2026-03-01T11:00:01+08:00'))).toBe('soldOut');
    expect(releasePhase(release, at('2026-04-01T00:00:00+08:00'))).toBe('closed');
  });

  it('splits countdowns, rounding the last fraction of a second up', () => {
    expect(splitDuration(8_200)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 9 });
    expect(splitDuration(8_000)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 8 });
    expect(splitDuration(90_061_000)).toEqual({ days: 1, hours: 1, minutes: 1, seconds: 1 });
    expect(splitDuration(-5)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
  });

  it('counts days left until expiry, a started day counting', () => {
    const expires = '2026-04-01T00:00:00+08:00';
    expect(daysLeft(expires, Date.parse('2026-03-01T11:00:00+08:00'))).toBe(31);
    expect(daysLeft(expires, Date.parse('2026-03-31T23:00:00+08:00'))).toBe(1);
    expect(daysLeft(expires, Date.parse('2026-04-01T00:00:00+08:00'))).toBe(0);
  });
});
