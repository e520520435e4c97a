import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { addDays, civilDate, civilInstant, weekday } from './civil-time.ts';
import type { Database, Queryable } from './db/index.ts';

const CivilDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/** The data file (and admin upload) format of one year's official calendar. */
export const CalendarYearSchema = Type.Object(
  {
    year: Type.Integer({ minimum: 2000, maximum: 2100 }),
    source: Type.String({ minLength: 1, maxLength: 500 }),
    holidays: Type.Array(
      Type.Object({ from: CivilDate, to: CivilDate, name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
      { maxItems: 100 },
    ),
    workdays: Type.Array(
      Type.Object({ date: CivilDate, name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);
export type CalendarYear = Static<typeof CalendarYearSchema>;

interface DayEntry {
  kind: 'holiday' | 'workday';
  name: string;
}

/** Expands a calendar file into one entry per day, refusing overlaps and days outside the year. */
export function expandCalendarYear(data: CalendarYear): Map<string, DayEntry> {
  if (!Value.Check(CalendarYearSchema, data)) throw new Error('calendar data does not match the schema');
  const days = new Map<string, DayEntry>();
  const put = (day: string, entry: DayEntry) => {
    if (!day.startsWith(`${data.year}-`)) throw new Error(`${day} is outside ${data.year}`);
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
      throw new Error(`${day} is not a calendar date`);
    }
    if (days.has(day)) throw new Error(`${day} appears twice in the ${data.year} calendar`);
    days.set(day, entry);
  };
  for (const holiday of data.holidays) {
    if (holiday.to < holiday.from) throw new Error(`holiday ${holiday.name} ends before it starts`);
    for (let day = holiday.from; day <= holiday.to; day = addDays(day, 1)) put(day, { kind: 'holiday', name: holiday.name });
  }
  for (const workday of data.workdays) put(workday.date, { kind: 'workday', name: workday.name });
  return days;
}

/**
 * The official working-day calendar: Monday to Friday are working days unless the year's data
 * makes them holidays; weekend days listed as make-up working days (调休) are working days.
 * Years without data fall back to Monday–Friday; `hasYear` tells whether data exists.
 */
export class WorkingCalendar {
  #days = new Map<string, DayEntry>();
  #years = new Set<number>();

  constructor(years: CalendarYear[] = []) {
    for (const year of years) this.setYear(year);
  }

  setYear(data: CalendarYear): void {
    const expanded = expandCalendarYear(data);
    for (const day of [...this.#days.keys()]) if (day.startsWith(`${data.year}-`)) this.#days.delete(day);
    for (const [day, entry] of expanded) this.#days.set(day, entry);
    this.#years.add(data.year);
  }

  hasYear(year: number): boolean {
    return this.#years.has(year);
  }

  years(): number[] {
    return [...this.#years].sort();
  }

  /** Whether a civil date ('YYYY-MM-DD') is an official working day. */
  isWorkingDay(date: string): boolean {
    const entry = this.#days.get(date);
    if (entry) return entry.kind === 'workday';
    return weekday(date) <= 5;
  }

  /** The Nth working day after the civil date (N ≥ 1); N = 0 returns the date itself if it is a working day, else the next one. */
  addWorkingDays(date: string, count: number): string {
    if (!Number.isInteger(count) || count < 0) throw new Error('count must be a whole number ≥ 0');
    let day = date;
    if (count === 0) {
      while (!this.isWorkingDay(day)) day = addDays(day, 1);
      return day;
    }
    let remaining = count;
    while (remaining > 0) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) remaining -= 1;
    }
    return day;
  }

  /**
   * A deadline N working days after an event: the end (24:00 Asia/Shanghai) of the Nth working day
   * after the civil day the event happened on.
   */
  deadlineAfter(event: Date, workingDays: number): Date {
    return civilInstant(addDays(this.addWorkingDays(civilDate(event), workingDays), 1));
  }

  /** Working days strictly after `from` up to and including `to` (both civil dates). */
  workingDaysBetween(from: string, to: string): number {
    let count = 0;
    for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) if (this.isWorkingDay(day)) count += 1;
    return count;
  }
}

export const CALENDAR_DIRECTORY = path.resolve(import.meta.dirname, '../../resources/calendar');

/** Reads every shipped calendar data file. */
export function readCalendarFiles(directory = CALENDAR_DIRECTORY): CalendarYear[] {
  return fs
    .readdirSync(directory)
    .filter((file) => /^\d{4}\.json$/.test(file))
    .sort()
    .map((file) => {
      const data = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')) as CalendarYear;
      expandCalendarYear(data);
      return data;
    });
}

/** Stores one year in the database, replacing what was there (administrator upload or data file). */
export async function storeCalendarYear(tx: Queryable, data: CalendarYear): Promise<void> {
  const days = expandCalendarYear(data);
  await tx.execute('DELETE FROM calendar_years WHERE year = $1', [data.year]);
  await tx.execute('INSERT INTO calendar_years (year, source) VALUES ($1, $2)', [data.year, data.source]);
  const entries = [...days.entries()];
  if (entries.length > 0) {
    await tx.execute(
      `INSERT INTO calendar_days (day, year, kind, name)
       SELECT d::date, $1, k, n FROM unnest($2::text[], $3::text[], $4::text[]) AS t(d, k, n)`,
      [data.year, entries.map(([day]) => day), entries.map(([, e]) => e.kind), entries.map(([, e]) => e.name)],
    );
  }
}

/** Loads shipped data files for years the database does not have yet, then reads all years back. */
export async function loadCalendar(database: Database): Promise<WorkingCalendar> {
  const stored = await database.query<{ year: number }>('SELECT year FROM calendar_years');
  const storedYears = new Set(stored.map((row) => row.year));
  for (const data of readCalendarFiles()) {
    if (!storedYears.has(data.year)) {
      await database.transaction((tx) => storeCalendarYear(tx, data));
    }
  }
  return readCalendar(database);
}

/** Builds the in-memory calendar from the database. */
export async function readCalendar(database: Queryable): Promise<WorkingCalendar> {
  const years = await database.query<{ year: number; source: string }>('SELECT year, source FROM calendar_years ORDER BY year');
  const days = await database.query<{ day: string; year: number; kind: 'holiday' | 'workday'; name: string }>(
    'SELECT day, year, kind, name FROM calendar_days ORDER BY day',
  );
  const calendar = new WorkingCalendar();
  for (const year of years) {
    calendar.setYear({
      year: year.year,
      source: year.source,
      holidays: days.filter((d) => d.year === year.year && d.kind === 'holiday').map((d) => ({ from: d.day, to: d.day, name: d.name })),
      workdays: days.filter((d) => d.year === year.year && d.kind === 'workday').map((d) => ({ date: d.day, name: d.name })),
    });
  }
  return calendar;
}
