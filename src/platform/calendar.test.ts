import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { migrationSources } from '../app.ts';
import {
  expandCalendarYear,
  loadCalendar,
  readCalendar,
  readCalendarFiles,
  storeCalendarYear,
  WorkingCalendar,
  type CalendarYear,
} from './calendar.ts';
import { addDays, civilInstant } from './civil-time.ts';
import { migrate } from './db/migrate.ts';

const year2026 = readCalendarFiles().find((data) => data.year === 2026)!;

describe('the shipped 2026 calendar', () => {
  const calendar = new WorkingCalendar([year2026]);

  it('is loaded', () => {
    expect(year2026).toBeDefined();
    expect(calendar.hasYear(2026)).toBe(true);
    expect(calendar.hasYear(2027)).toBe(false);
    expect(calendar.years()).toEqual([2026]);
  });

  it.each([
    ['2026-02-13', 1, '2026-02-14', 'Friday + 1 = the make-up Saturday before the Spring Festival'],
    ['2026-02-14', 1, '2026-02-24', 'the make-up Saturday + 1 = the first day after the holiday 02-15..02-23'],
    ['2026-02-27', 1, '2026-02-28', 'Friday + 1 = the make-up Saturday after the Spring Festival'],
    ['2026-03-06', 1, '2026-03-09', 'an ordinary weekend'],
    ['2026-02-13', 2, '2026-02-24', 'two working days across the holiday'],
    ['2026-02-12', 5, '2026-02-26', 'five working days across the holiday'],
    ['2025-12-31', 1, '2026-01-04', 'New Year holiday then the make-up Sunday'],
    ['2026-09-30', 1, '2026-10-08', 'National Day holiday'],
    ['2026-10-08', 2, '2026-10-10', 'the make-up Saturday after National Day'],
  ])('%s + %i working day(s) = %s (%s)', (from, count, expected) => {
    expect(calendar.addWorkingDays(from, count)).toBe(expected);
  });

  it('knows which days are working days', () => {
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true); // Saturday, make-up day
    expect(calendar.isWorkingDay('2026-02-16')).toBe(false); // Monday, Spring Festival
    expect(calendar.isWorkingDay('2026-03-07')).toBe(false); // ordinary Saturday
    expect(calendar.isWorkingDay('2026-03-09')).toBe(true); // ordinary Monday
    expect(calendar.isWorkingDay('2027-01-04')).toBe(true); // a year without data: Monday
  });

  it('adds zero working days as "this day if it is one, else the next"', () => {
    expect(calendar.addWorkingDays('2026-03-09', 0)).toBe('2026-03-09');
    expect(calendar.addWorkingDays('2026-02-15', 0)).toBe('2026-02-24');
    expect(() => calendar.addWorkingDays('2026-03-09', -1)).toThrow();
    expect(() => calendar.addWorkingDays('2026-03-09', 1.5)).toThrow();
  });

  it('counts working days between two dates', () => {
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
    expect(calendar.workingDaysBetween('2026-03-06', '2026-03-13')).toBe(5);
    expect(calendar.workingDaysBetween('2026-03-06', '2026-03-06')).toBe(0);
  });

  it('ends a deadline at 24:00 Asia/Shanghai of the last working day', () => {
    // An event on Friday 13 February at 23:30 in Beijing (15:30 UTC).
    const event = new Date('2026-02-13T15:30:00Z');
    expect(calendar.deadlineAfter(event, 1).toISOString()).toBe('2026-02-14T16:00:00.000Z');
    expect(calendar.deadlineAfter(event, 1)).toEqual(civilInstant('2026-02-15'));
    // Half an hour later it is Saturday 14 February in Beijing, though still Friday in UTC.
    const afterMidnight = new Date('2026-02-13T16:30:00Z');
    expect(calendar.deadlineAfter(afterMidnight, 1).toISOString()).toBe('2026-02-24T16:00:00.000Z');
    expect(calendar.deadlineAfter(new Date('2026-03-06T01:00:00Z'), 1).toISOString()).toBe('2026-03-09T16:00:00.000Z');
  });
});

describe('calendar data checks', () => {
  const base: CalendarYear = { year: 2030, source: 'test', holidays: [], workdays: [] };

  it('expands ranges to one entry per day', () => {
    const days = expandCalendarYear({ ...base, holidays: [{ from: '2030-02-27', to: '2030-03-02', name: 'leap check' }] });
    expect([...days.keys()]).toEqual(['2030-02-27', '2030-02-28', '2030-03-01', '2030-03-02']);
  });

  it('refuses overlapping holidays', () => {
    expect(() =>
      expandCalendarYear({
        ...base,
        holidays: [
          { from: '2030-05-01', to: '2030-05-05', name: 'a' },
          { from: '2030-05-05', to: '2030-05-06', name: 'b' },
        ],
      }),
    ).toThrow(/2030-05-05 appears twice/);
  });

  it('refuses a make-up working day inside a holiday', () => {
    expect(() =>
      expandCalendarYear({
        ...base,
        holidays: [{ from: '2030-05-01', to: '2030-05-05', name: 'a' }],
        workdays: [{ date: '2030-05-03', name: 'b' }],
      }),
    ).toThrow(/appears twice/);
  });

  it('refuses days outside the year', () => {
    expect(() => expandCalendarYear({ ...base, holidays: [{ from: '2029-12-31', to: '2030-01-01', name: 'a' }] })).toThrow(
      /2029-12-31 is outside 2030/,
    );
    expect(() => expandCalendarYear({ ...base, holidays: [{ from: '2030-12-31', to: '2031-01-01', name: 'a' }] })).toThrow(
      /2031-01-01 is outside 2030/,
    );
    expect(() => expandCalendarYear({ ...base, workdays: [{ date: '2031-01-04', name: 'a' }] })).toThrow(/outside 2030/);
  });

  it('refuses dates that do not exist, backwards ranges and bad shapes', () => {
    expect(() => expandCalendarYear({ ...base, workdays: [{ date: '2030-02-30', name: 'a' }] })).toThrow(/not a calendar date/);
    expect(() => expandCalendarYear({ ...base, holidays: [{ from: '2030-05-05', to: '2030-05-01', name: 'a' }] })).toThrow(
      /ends before it starts/,
    );
    expect(() => expandCalendarYear({ ...base, year: 1999 })).toThrow(/schema/);
    expect(() => expandCalendarYear({ ...base, extra: true } as unknown as CalendarYear)).toThrow(/schema/);
  });

  it('replaces a year when it is set again', () => {
    const calendar = new WorkingCalendar([{ ...base, holidays: [{ from: '2030-05-06', to: '2030-05-06', name: 'a' }] }]);
    expect(calendar.isWorkingDay('2030-05-06')).toBe(false);
    calendar.setYear({ ...base, holidays: [{ from: '2030-05-07', to: '2030-05-07', name: 'b' }] });
    expect(calendar.isWorkingDay('2030-05-06')).toBe(true);
    expect(calendar.isWorkingDay('2030-05-07')).toBe(false);
  });
});

describe.each(databaseKinds())('calendar in the database on %s', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await freshDatabase(kind);
    await migrate(test.database, migrationSources([]));
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('loads the shipped files into an empty database, and reads back the same calendar', async () => {
    const loaded = await loadCalendar(test.database);
    expect(loaded.hasYear(2026)).toBe(true);
    const fromFile = new WorkingCalendar([year2026]);
    for (let day = '2026-01-01'; day <= '2026-12-31'; day = addDays(day, 1)) {
      expect(loaded.isWorkingDay(day), day).toBe(fromFile.isWorkingDay(day));
    }
  });

  it('round-trips a stored year through storeCalendarYear and readCalendar, replacing the old one', async () => {
    const first: CalendarYear = {
      year: 2031,
      source: 'first upload',
      holidays: [{ from: '2031-01-01', to: '2031-01-03', name: '元旦' }],
      workdays: [{ date: '2031-01-04', name: '调休' }],
    };
    await test.database.transaction((tx) => storeCalendarYear(tx, first));
    let calendar = await readCalendar(test.database);
    expect(calendar.hasYear(2031)).toBe(true);
    expect(calendar.isWorkingDay('2031-01-02')).toBe(false);
    expect(calendar.isWorkingDay('2031-01-04')).toBe(true); // a Saturday
    expect(calendar.addWorkingDays('2030-12-31', 1)).toBe('2031-01-04');

    const second: CalendarYear = { ...first, source: 'corrected', holidays: [{ from: '2031-01-01', to: '2031-01-01', name: '元旦' }], workdays: [] };
    await test.database.transaction((tx) => storeCalendarYear(tx, second));
    calendar = await readCalendar(test.database);
    expect(calendar.isWorkingDay('2031-01-02')).toBe(true);
    expect(calendar.isWorkingDay('2031-01-04')).toBe(false);
    const [row] = await test.database.query<{ source: string; days: number }>(
      `SELECT source, (SELECT count(*) FROM calendar_days WHERE year = 2031) AS days FROM calendar_years WHERE year = 2031`,
    );
    expect(row).toEqual({ source: 'corrected', days: 1 });
    // The shipped year is untouched.
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
  });

  it('refuses to store bad data and keeps what was there', async () => {
    await expect(
      test.database.transaction((tx) =>
        storeCalendarYear(tx, {
          year: 2031,
          source: 'bad',
          holidays: [{ from: '2031-05-01', to: '2031-05-02', name: 'a' }],
          workdays: [{ date: '2031-05-02', name: 'b' }],
        }),
      ),
    ).rejects.toThrow(/appears twice/);
    const [row] = await test.database.query<{ source: string }>('SELECT source FROM calendar_years WHERE year = 2031');
    expect(row!.source).toBe('corrected');
  });
});

describe('calendar routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('needs an administrator to replace a year (401 without a token)', async () => {
    const response = await server.platform.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/calendar/2031',
      payload: { year: 2031, source: 'x', holidays: [], workdays: [] },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('UNAUTHENTICATED');
    const [row] = await server.platform.context.database.query<{ count: number }>('SELECT count(*) AS count FROM calendar_years WHERE year = 2031');
    expect(row!.count).toBe(0);
  });

  it('answers working-day questions from the loaded calendar', async () => {
    const response = await server.platform.app.inject({ method: 'GET', url: '/api/v1/calendar/working-days?from=2026-02-13&add=1' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ from: '2026-02-13', isWorkingDay: true, add: 1, result: '2026-02-14', calendarLoaded: true });
    const year = await server.platform.app.inject({ method: 'GET', url: '/api/v1/calendar/2026' });
    expect(year.statusCode).toBe(200);
    expect(year.json().days).toContainEqual({ date: '2026-02-14', kind: 'workday', name: expect.any(String) });
    const missing = await server.platform.app.inject({ method: 'GET', url: '/api/v1/calendar/2099' });
    expect(missing.statusCode).toBe(404);
  });
});
