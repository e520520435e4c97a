/**
 * Civil time in Asia/Shanghai. China has kept UTC+08:00 without daylight saving since 1991, so a
 * fixed offset is exact for every date the platform handles; the functions below rely on it.
 */
export const CIVIL_TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** 'YYYY-MM-DD' of the civil day an instant falls on. */
export function civilDate(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** 'YYYY-MM' of the civil month an instant falls on. */
export function civilMonth(instant: Date): string {
  return civilDate(instant).slice(0, 7);
}

/** The instant of a civil date and time in Asia/Shanghai. */
export function civilInstant(date: string, time = '00:00:00'): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a civil date: ${date}`);
  const [hours = '0', minutes = '0', seconds = '0'] = time.split(':');
  const utc = Date.parse(`${date}T00:00:00Z`) + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  return new Date(utc - OFFSET_MS);
}

// The last two instants formatted: answers of one batch share their times (the batch's moment and
// the release's end), so most calls on a busy path are a comparison.
const formatted: [number, string, number, string] = [NaN, '', NaN, ''];

/** RFC 3339 with the +08:00 offset, as the API contract writes times. */
export function formatCivil(instant: Date): string {
  const time = instant.getTime();
  if (time === formatted[0]) return formatted[1];
  if (time === formatted[2]) return formatted[3];
  const shifted = new Date(time + OFFSET_MS).toISOString();
  const fraction = instant.getUTCMilliseconds() === 0 ? '' : shifted.slice(19, 23);
  const text = `${shifted.slice(0, 19)}${fraction}+08:00`;
  formatted[2] = formatted[0];
  formatted[3] = formatted[1];
  formatted[0] = time;
  formatted[1] = text;
  return text;
}

/** Adds days to a civil date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday of a civil date: 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** First instant of the civil month 'YYYY-MM'. */
export function monthStart(month: string): Date {
  return civilInstant(`${month}-01`);
}

/** First instant of the month after 'YYYY-MM' (the exclusive end of the month). */
export function monthEnd(month: string): Date {
  return monthStart(nextMonth(month));
}

export function nextMonth(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return monthNumber === 12 ? `${year + 1}-01` : `${year}-${String(monthNumber + 1).padStart(2, '0')}`;
}

export function isCivilMonth(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}
