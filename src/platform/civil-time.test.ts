import { describe, expect, it } from 'vitest';
import {
  addDays,
  civilDate,
  civilInstant,
  civilMonth,
  formatCivil,
  isCivilMonth,
  monthEnd,
  monthStart,
  nextMonth,
  weekday,
} from './civil-time.ts';

describe('civil time in Asia/Shanghai (UTC+08:00)', () => {
  it('puts instants around midnight Beijing time on the right civil day', () => {
    expect(civilDate(new Date('2026-02-13T15:59:59.999Z'))).toBe('2026-02-13'); // 23:59:59.999 in Beijing
    expect(civilDate(new Date('2026-02-13T16:00:00.000Z'))).toBe('2026-02-14'); // 00:00 in Beijing
    expect(civilDate(new Date('2026-02-14T00:00:00+08:00'))).toBe('2026-02-14');
    expect(civilDate(new Date('2026-02-13T23:59:59+08:00'))).toBe('2026-02-13');
  });

  it('puts instants around midnight at a month and year end in the right civil month', () => {
    expect(civilMonth(new Date('2026-02-28T23:59:59+08:00'))).toBe('2026-02');
    expect(civilMonth(new Date('2026-03-01T00:00:00+08:00'))).toBe('2026-03');
    expect(civilMonth(new Date('2026-02-28T16:00:00Z'))).toBe('2026-03'); // still February in UTC
    expect(civilMonth(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01');
    expect(civilMonth(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12');
  });

  it('turns civil dates and times into instants', () => {
    expect(civilInstant('2026-02-14').toISOString()).toBe('2026-02-13T16:00:00.000Z');
    expect(civilInstant('2026-02-14', '11:00:00').toISOString()).toBe('2026-02-14T03:00:00.000Z');
    expect(civilInstant('2026-02-14', '23:59').toISOString()).toBe('2026-02-14T15:59:00.000Z');
    expect(() => civilInstant('2026-2-14')).toThrow(/not a civil date/);
  });

  it('knows month bounds, the end of December included', () => {
    expect(monthStart('2026-03').toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(monthEnd('2026-02').toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(monthEnd('2026-12').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(monthEnd('2026-12')).toEqual(civilInstant('2027-01-01'));
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(nextMonth('2026-09')).toBe('2026-10');
    expect(nextMonth('2026-01')).toBe('2026-02');
    // The last instant of December is in December, the month end is in January.
    expect(civilMonth(new Date(monthEnd('2026-12').getTime() - 1))).toBe('2026-12');
    expect(civilMonth(monthEnd('2026-12'))).toBe('2027-01');
  });

  it('validates civil months', () => {
    expect(isCivilMonth('2026-12')).toBe(true);
    expect(isCivilMonth('2026-13')).toBe(false);
    expect(isCivilMonth('2026-00')).toBe(false);
    expect(isCivilMonth('2026-1')).toBe(false);
  });

  it('formats instants as RFC 3339 with +08:00', () => {
    expect(formatCivil(new Date('2026-03-01T03:00:00Z'))).toBe('2026-03-01T11:00:00+08:00');
    expect(formatCivil(new Date('2026-02-13T16:00:00Z'))).toBe('2026-02-14T00:00:00+08:00');
    expect(formatCivil(new Date('2026-12-31T16:30:00.250Z'))).toBe('2027-01-01T00:30:00.250+08:00');
    // Round trip: the formatted text parses back to the same instant.
    const instant = new Date('2026-07-01T12:34:56.789Z');
    expect(new Date(formatCivil(instant)).getTime()).toBe(instant.getTime());
  });

  it('adds days and names weekdays', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(weekday('2026-02-13')).toBe(5); // Friday
    expect(weekday('2026-02-14')).toBe(6); // Saturday
    expect(weekday('2026-02-15')).toBe(7); // Sunday
    expect(weekday('2026-03-09')).toBe(1); // Monday
  });

  it('does not depend on the time zone of the process', () => {
    // Whatever TZ the process runs in, civil dates are Beijing dates.
    const previous = process.env.TZ;
    try {
      for (const zone of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = zone;
        const instant = new Date('2026-05-31T20:00:00Z');
        expect(civilDate(instant)).toBe('2026-06-01');
        expect(formatCivil(instant)).toBe('2026-06-01T04:00:00+08:00');
        expect(civilInstant('2026-06-01').toISOString()).toBe('2026-05-31T16:00:00.000Z');
        expect(weekday('2026-06-01')).toBe(1);
      }
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });
});
