// Subsidy coupons (systems.md S2): the API's shapes and the small rules the pages share
// (phases of a release, the next release, money and Tianjin civil time). No UI kit here.
import type { Lang } from '../i18n';

export type Localised = { 'zh-CN': string; en: string };
export type Channel = 'offline' | 'online';

/** GET /api/v1/subsidies/programmes */
export interface SubsidyProgramme {
  id: string;
  kind: 'appliances' | 'digital' | string;
  name: Localised;
  summary: Localised;
  categories: { id: string; name: Localised; includes: { 'zh-CN': string[]; en: string[] } }[];
  /** Decimal fraction, e.g. "0.15". */
  rate: string;
  /** Yuan, two places, e.g. "1500.00". */
  capPerItem: string;
  priceLimit: string | null;
  efficiencyRequirement: Localised | null;
  quota: { month: number; year: number };
  channels: string[];
  startsAt: string;
  endsAt: string;
  releaseSchedule: { dayOfMonth: number; time: string; months: string[] };
}

/** GET /api/v1/subsidies/releases */
export interface SubsidyRelease {
  id: string;
  programme: string;
  channel: string;
  month: string;
  opensAt: string;
  closesAt: string;
  stock: number;
  issued: number;
  remaining: number;
}

export type CouponStatus = 'claimed' | 'exchanged' | 'expired';

export interface Coupon {
  id: string;
  releaseId: string;
  programme: string;
  channel: string;
  month: string;
  claimedAt: string;
  expiresAt: string;
  status: CouponStatus | string;
}

/** 202 from a claim or from polling its place in line. */
export interface QueuedClaim {
  status: 'queued';
  ticketId: string;
  position: number;
  estimatedWaitSeconds: number;
  pollAfterSeconds: number;
}

export interface QuotaUse {
  programme: string;
  month: string;
  monthUsed: number;
  monthQuota: number;
  yearUsed: number;
  yearQuota: number;
}

/** GET /api/v1/admin/subsidies/releases/{id}/stats */
export interface ReleaseStats {
  release: SubsidyRelease;
  serverTime: string;
  claimsPerSecond: { at: string; claims: number }[];
  line: { waiting: number; throughputPerSecond: number };
}

export interface Distribution {
  coupons: number;
  people: number;
}

/** GET /api/v1/admin/subsidies/quota-stats */
export interface QuotaStats {
  month: string;
  programmes: {
    programme: string;
    monthQuota: number;
    yearQuota: number;
    monthDistribution: Distribution[];
    yearDistribution: Distribution[];
    byDistrict: { district: string | null; coupons: number }[];
  }[];
}

export const TIME_ZONE = 'Asia/Shanghai';
/** Tianjin keeps +08:00 all year (no daylight saving time). */
export const CIVIL_OFFSET = '+08:00';
const OFFSET_MS = 8 * 3600_000;

export function localised(text: Localised | null | undefined, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text['zh-CN'];
}

export function isChannel(value: string): value is Channel {
  return value === 'offline' || value === 'online';
}

/** "1500.00" → "1,500", "1499.85" → "1,499.85" (yuan; whole amounts without decimals). */
export function formatYuan(amount: string | number, lang: Lang): string {
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  const whole = Number.isInteger(value);
  return new Intl.NumberFormat(lang, { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 }).format(value);
}

/** "0.15" → "15%". */
export function formatPercent(rate: string): string {
  const value = Number(rate) * 100;
  return `${Number.isFinite(value) ? Math.round(value * 100) / 100 : rate}%`;
}

export function formatCount(value: number, lang: Lang): string {
  return new Intl.NumberFormat(lang).format(value);
}

export interface CivilParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

/** The wall-clock reading in Tianjin of an instant, whatever the device's time zone. */
export function civilParts(instant: number | string | Date): CivilParts {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  // Fixed offset: exact for Asia/Shanghai since 1991, and independent of the device's time-zone data.
  const shifted = new Date(ms + OFFSET_MS).toISOString();
  return {
    year: shifted.slice(0, 4),
    month: shifted.slice(5, 7),
    day: shifted.slice(8, 10),
    hour: shifted.slice(11, 13),
    minute: shifted.slice(14, 16),
    second: shifted.slice(17, 19),
  };
}

/** "2026-04-01 00:00" in Tianjin time. */
export function formatCivilDateTime(instant: number | string | Date): string {
  const p = civilParts(instant);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "2026-04-01" in Tianjin time. */
export function formatCivilDate(instant: number | string | Date): string {
  const p = civilParts(instant);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "11:00:07" in Tianjin time. */
export function formatCivilTime(instant: number | string | Date): string {
  const p = civilParts(instant);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** The civil month (YYYY-MM) of an instant, in Tianjin. */
export function civilMonth(instant: number | string | Date): string {
  const p = civilParts(instant);
  return `${p.year}-${p.month}`;
}

/** "2026-03" → "2026年3月" / "March 2026". */
export function monthLabel(month: string, lang: Lang): string {
  const [year, mon] = month.split('-').map(Number);
  if (!year || !mon) return month;
  return new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(year, mon - 1, 15)));
}

export function nextMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
}

/** TI-17: the opening of a programme's release in a month (e.g. the 1st at 11:00), RFC 3339 with +08:00. */
export function scheduledOpening(programme: SubsidyProgramme, month: string): string {
  const day = String(programme.releaseSchedule.dayOfMonth).padStart(2, '0');
  return `${month}-${day}T${programme.releaseSchedule.time}:00${CIVIL_OFFSET}`;
}

/** The programme's next scheduled release after `month`, or undefined after its last month. */
export function nextScheduledRelease(programme: SubsidyProgramme, month: string): { month: string; opensAt: string } | undefined {
  const next = [...programme.releaseSchedule.months].sort().find((m) => m > month);
  return next ? { month: next, opensAt: scheduledOpening(programme, next) } : undefined;
}

export type ReleasePhase = 'upcoming' | 'open' | 'soldOut' | 'closed';

/** Where a release stands at server time `now`: before opening, open, sold out, or past its month. */
export function releasePhase(release: Pick<SubsidyRelease, 'opensAt' | 'closesAt' | 'remaining'>, now: number): ReleasePhase {
  if (now >= Date.parse(release.closesAt)) return 'closed';
  if (now < Date.parse(release.opensAt)) return 'upcoming';
  if (release.remaining <= 0) return 'soldOut';
  return 'open';
}

export interface DurationParts {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Splits a countdown into whole days, hours, minutes and seconds (rounding the seconds up, so 0.2 s left reads 1 s). */
export function splitDuration(ms: number): DurationParts {
  let rest = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  return { days, hours, minutes, seconds: rest - minutes * 60 };
}

/** Whole days left until `expiresAt` at server time `now`, counting a started day (0 once expired). */
export function daysLeft(expiresAt: string, now: number): number {
  const left = Date.parse(expiresAt) - now;
  return left <= 0 ? 0 : Math.ceil(left / 86_400_000);
}

/** Value of an `<input type="datetime-local">` ("2026-04-01T10:00"), read as Tianjin time → RFC 3339. */
export function civilInputToInstant(value: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (!match) return undefined;
  return `${match[1]}T${match[2]}${match[3] ?? ':00'}${CIVIL_OFFSET}`;
}

/** The `<input type="datetime-local">` value showing an instant in Tianjin time. */
export function instantToCivilInput(instant: number | string | Date): string {
  const p = civilParts(instant);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
