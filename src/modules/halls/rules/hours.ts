import { addDays, civilDate, civilInstant, weekday } from '../../../platform/civil-time.ts';

/** A hall's opening sessions in Asia/Shanghai civil time, e.g. [['09:00', '12:00'], ['13:30', '17:00']]. */
export type Sessions = [string, string][];

export interface Hours {
  /** Sessions on official working days (make-up working days 调休 included). */
  workingDays: Sessions;
  /** Sessions on weekend days that are not official holidays (many stations open Saturday mornings). */
  restDays: Sessions;
}

/** What the hall rules need to know about a civil date from the official calendar. */
export interface DayKinds {
  isWorkingDay(date: string): boolean;
  isHoliday(date: string): boolean;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks that sessions are well-formed, in order and not overlapping; returns a problem or undefined. */
export function sessionsProblem(sessions: Sessions): string | undefined {
  let previousEnd = '';
  for (const [from, to] of sessions) {
    if (!TIME.test(from) || !TIME.test(to)) return `session ${from}–${to} is not HH:MM–HH:MM`;
    if (to <= from) return `session ${from}–${to} ends before it starts`;
    if (from < previousEnd) return `session ${from}–${to} overlaps the one before`;
    previousEnd = to;
  }
  return undefined;
}

/** The sessions of a civil date: working days use the working-day hours; holidays are closed. */
export function sessionsOn(hours: Hours, date: string, days: DayKinds): Sessions {
  if (days.isWorkingDay(date)) return hours.workingDays;
  if (days.isHoliday(date)) return [];
  return weekday(date) >= 6 ? hours.restDays : [];
}

/**
 * Tickets are issued from the first session's start to the last session's end of the day
 * (a lunch break between sessions does not turn arriving residents away; the windows call again
 * when the afternoon session starts). [AMBIGUOUS] in the sources; documented in docs/modules/halls.md.
 */
export function isOpenForTickets(hours: Hours, instant: Date, days: DayKinds): boolean {
  const date = civilDate(instant);
  const sessions = sessionsOn(hours, date, days);
  if (sessions.length === 0) return false;
  const opens = civilInstant(date, `${sessions[0]![0]}:00`).getTime();
  const closes = civilInstant(date, `${sessions[sessions.length - 1]![1]}:00`).getTime();
  return instant.getTime() >= opens && instant.getTime() < closes;
}

/** Whether some session is running at the instant (windows are expected to be staffed). */
export function inSession(hours: Hours, instant: Date, days: DayKinds): boolean {
  const date = civilDate(instant);
  return sessionsOn(hours, date, days).some(([from, to]) => {
    const t = instant.getTime();
    return t >= civilInstant(date, `${from}:00`).getTime() && t < civilInstant(date, `${to}:00`).getTime();
  });
}

export interface Slot {
  start: Date;
  end: Date;
}

/** Bookable slots of a civil date: whole slots of `slotMinutes` inside each session. */
export function slotsOn(hours: Hours, date: string, days: DayKinds, slotMinutes: number): Slot[] {
  const slots: Slot[] = [];
  for (const [from, to] of sessionsOn(hours, date, days)) {
    const end = civilInstant(date, `${to}:00`).getTime();
    for (let start = civilInstant(date, `${from}:00`).getTime(); start + slotMinutes * 60_000 <= end; start += slotMinutes * 60_000) {
      slots.push({ start: new Date(start), end: new Date(start + slotMinutes * 60_000) });
    }
  }
  return slots;
}

/** Civil dates from `from` for `count` days. */
export function civilDays(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => addDays(from, index));
}
