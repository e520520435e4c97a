import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../../platform/calendar.ts';
import { readCalendarFiles } from '../../../platform/calendar.ts';
import { inSession, isOpenForTickets, sessionsOn, sessionsProblem, slotsOn, type DayKinds, type Hours } from './hours.ts';

const calendar = new WorkingCalendar(readCalendarFiles());
const holidays = new Set(readCalendarFiles().flatMap((year) => year.holidays.flatMap((holiday) => {
  const days: string[] = [];
  for (let day = new Date(`${holiday.from}T00:00:00Z`); day <= new Date(`${holiday.to}T00:00:00Z`); day = new Date(day.getTime() + 86_400_000)) days.push(day.toISOString().slice(0, 10));
  return days;
})));
const kinds: DayKinds = { isWorkingDay: (date) => calendar.isWorkingDay(date), isHoliday: (date) => holidays.has(date) };
const station: Hours = { workingDays: [['09:00', '12:00'], ['13:30', '17:00']], restDays: [['09:00', '12:00']] };
const at = (instant: string) => new Date(instant);

describe('opening hours and the official calendar (POL-21, reference.md working days)', () => {
  it('working days use working-day hours, make-up Saturdays too; holidays are closed; other weekends use weekend hours', () => {
    expect(sessionsOn(station, '2026-03-02', kinds)).toEqual(station.workingDays);
    expect(sessionsOn(station, '2026-02-14', kinds)).toEqual(station.workingDays);
    expect(sessionsOn(station, '2026-02-17', kinds)).toEqual([]);
    expect(sessionsOn(station, '2026-02-15', kinds)).toEqual([]);
    expect(sessionsOn(station, '2026-03-07', kinds)).toEqual(station.restDays);
  });

  it('tickets from the first session’s start to the last one’s end, lunch break included', () => {
    expect(isOpenForTickets(station, at('2026-03-02T08:59:59+08:00'), kinds)).toBe(false);
    expect(isOpenForTickets(station, at('2026-03-02T09:00:00+08:00'), kinds)).toBe(true);
    expect(isOpenForTickets(station, at('2026-03-02T12:30:00+08:00'), kinds)).toBe(true);
    expect(inSession(station, at('2026-03-02T12:30:00+08:00'), kinds)).toBe(false);
    expect(isOpenForTickets(station, at('2026-03-02T17:00:00+08:00'), kinds)).toBe(false);
  });

  it('slots are whole slots inside each session', () => {
    const slots = slotsOn(station, '2026-03-02', kinds, 45);
    expect(slots.map((slot) => slot.start.toISOString())).toEqual([
      '2026-03-02T01:00:00.000Z', '2026-03-02T01:45:00.000Z', '2026-03-02T02:30:00.000Z', '2026-03-02T03:15:00.000Z',
      '2026-03-02T05:30:00.000Z', '2026-03-02T06:15:00.000Z', '2026-03-02T07:00:00.000Z', '2026-03-02T07:45:00.000Z',
    ]);
    expect(slotsOn(station, '2026-02-17', kinds, 30)).toEqual([]);
  });

  it('sessions must be HH:MM, in order and not overlapping', () => {
    expect(sessionsProblem([['09:00', '12:00'], ['13:00', '17:00']])).toBeUndefined();
    expect(sessionsProblem([['9:00', '12:00']])).toMatch(/HH:MM/);
    expect(sessionsProblem([['12:00', '09:00']])).toMatch(/ends before/);
    expect(sessionsProblem([['09:00', '12:00'], ['11:00', '13:00']])).toMatch(/overlaps/);
  });
});
