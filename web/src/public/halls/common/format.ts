// Small formatting helpers of the hall pages (no UI kit: every area may use them).
import type { Lang } from '../../../i18n';
import type { Texts } from './types';

/** The text in the UI language. */
export function pick(texts: Texts | null | undefined, lang: Lang): string {
  if (!texts) return '';
  return lang === 'en' ? texts.en : texts['zh-CN'];
}

/** Distance for people: metres below 1 km, else kilometres with one decimal. */
export function formatDistance(metres: number | null, lang: Lang): string {
  if (metres === null) return '';
  if (metres < 1000) return lang === 'en' ? `${metres} m` : `${metres} 米`;
  const km = (metres / 1000).toFixed(1);
  return lang === 'en' ? `${km} km` : `${km} 公里`;
}

/** HH:MM of an instant in Tianjin's civil time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** Month-day of an instant in Tianjin's civil time, e.g. 03-02. */
export function formatDay(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', weekday: 'short' }).format(new Date(iso));
}

/** Today's civil date (Asia/Shanghai) plus `days`, as YYYY-MM-DD. */
export function civilDay(days = 0, from: Date = new Date()): string {
  const shifted = new Date(from.getTime() + 8 * 3600_000 + days * 86_400_000);
  return shifted.toISOString().slice(0, 10);
}

/** Opening hours as "09:00–12:00, 13:30–17:00". */
export function formatSessions(sessions: string[][]): string {
  return sessions.map(([from, to]) => `${from}–${to}`).join(', ');
}

/** Tianjin's city centre, where the map and list start when the device's position is unknown. */
export const CITY_CENTRE = { lat: 39.1256, lng: 117.1909 };
