// Subsidy redemption (systems.md S2.4–S2.9): the API's shapes for qualifications, the till, sales after
// the sale and the administrators' views, plus the small rules the pages share. No UI kit here.
import type { Lang } from '../i18n';
import { ApiError, CSRF_COOKIE, CSRF_HEADER, problemMessage, readCookie, toProblem, type Translate } from './api';
import { localised, type Localised, type SubsidyProgramme } from './subsidies';

/** GET /subsidies/programmes, with the after-sale rules the redemption pages explain. */
export interface ProgrammeRules extends SubsidyProgramme {
  /** Day of the next month by which an item must be delivered (TI-32/TI-33). */
  deliveryDeadlineDay?: number;
  /** From this day of the next month on, only quality problems are returned (TI-38/TI-39). */
  returnCutoffDay?: number;
  /** Digital and smart products: a photo of the activated product before handover (TI-34). */
  activationPhotoRequired?: boolean;
}

/** GET /subsidies/platforms */
export interface DesignatedPlatform {
  id: string;
  name: string;
  names: Localised;
}

export type QualificationStatus = 'active' | 'used' | 'expired' | 'lapsed';
export const QUALIFICATION_STATUSES: readonly QualificationStatus[] = ['active', 'used', 'expired', 'lapsed'];

/** GET /me/qualifications */
export interface Qualification {
  id: string;
  couponId: string;
  programme: string;
  category: string;
  channel: string;
  platform?: string;
  month: string;
  expiresAt: string;
  status: QualificationStatus | string;
}

/** POST /subsidies/quote */
export interface QuoteResult {
  eligible: boolean;
  subsidy: string;
  payable: string;
  reason?: string;
}

/** POST /me/qualifications/{id}/qr */
export interface QrCode {
  token: string;
  expiresAt: string;
  /** Ten digits a cashier may type instead of scanning (valid as long as the token). */
  typedCode: string;
}

/** POST /merchant/redemptions/verify */
export interface VerifyResult {
  qualificationId: string;
  holder: string;
  category: string;
  price: string;
  subsidy: string;
  payable: string;
}

export type SaleStatus = 'paid' | 'delivered' | 'returned';
export const SALE_STATUSES: readonly SaleStatus[] = ['paid', 'delivered', 'returned'];
export type PhotoState = 'not_required' | 'missing' | 'pending' | 'approved' | 'rejected';
export const PHOTO_STATES: readonly PhotoState[] = ['not_required', 'missing', 'pending', 'approved', 'rejected'];
export type ReturnReason = 'quality' | 'late_delivery' | 'other';
export const RETURN_REASONS: readonly ReturnReason[] = ['quality', 'late_delivery', 'other'];

/** A subsidised sale (POST /merchant/redemptions, GET /merchant/redemptions). */
export interface Redemption {
  id: string;
  qualificationId: string;
  programme: string;
  category: string;
  channel: string;
  sellerId: string;
  orderId: string;
  invoiceNumber: string;
  invoiceAmount: string;
  price: string;
  subsidy: string;
  payable: string;
  serial: string | null;
  status: SaleStatus | string;
  redeemedAt: string;
  /** Civil date YYYY-MM-DD (inclusive). */
  deliveryDue: string;
  deliveredAt: string | null;
  deliveryOverdue: boolean;
  /** Civil date YYYY-MM-DD from which only quality problems are returned. */
  returnCutoff: string;
  activationPhoto: PhotoState | string;
  returnedAt: string | null;
  returnReason: string | null;
  refundAmount: string | null;
}

/** GET /admin/subsidies/activation-photos */
export interface PhotoForReview {
  id: string;
  redemptionId: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: string;
  category: string;
  serial: string | null;
  sellerId: string;
}

export interface ReportRow {
  day: string;
  category: string;
  channel: string;
  district: string | null;
  redemptions: number;
  subsidy: string;
  sales: string;
}

export interface PlanRow {
  programme: string;
  channel: string;
  couponsPlanned: number;
  couponsClaimed: number;
  qualifications: number;
}

/** GET /admin/subsidies/report */
export interface SubsidyReport {
  month: string;
  totalSubsidy: string;
  rows: ReportRow[];
  plan: PlanRow[];
}

export type FlagKind = 'one_invoice_title_many_qualifications' | 'prices_just_under_limit' | 'serial_sold_twice';
export const FLAG_KINDS: readonly FlagKind[] = ['one_invoice_title_many_qualifications', 'prices_just_under_limit', 'serial_sold_twice'];

/** GET /admin/subsidies/flags */
export interface SubsidyFlag {
  kind: FlagKind | string;
  sellerId: string | null;
  count: number;
  detail: string;
}

export function isKnown<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

// ---- money ---------------------------------------------------------------------------------

const MONEY = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

/**
 * What a person typed as an amount → the API's money string with two places ("8000" → "8000.00"),
 * or undefined when it is not an amount above zero. Full-width digits (Chinese keyboards), thousands
 * separators, spaces and a leading ¥ are accepted.
 */
export function normaliseMoney(input: string): string | undefined {
  const ascii = input
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/[\s,，¥￥元]/g, '');
  if (!MONEY.test(ascii)) return undefined;
  const [whole, fraction = ''] = ascii.split('.') as [string, string?];
  const value = `${whole}.${fraction.padEnd(2, '0')}`;
  return toCents(value) > 0 ? value : undefined;
}

/** "1499.85" → 149985 (integer fen, so sums never meet floating-point error). */
export function toCents(amount: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return Number.NaN;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

/** 149985 → "1499.85". */
export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "6800.00" → "6,800.00": always two places, for amounts a cashier reads out. */
export function formatMoney(amount: string, lang: Lang): string {
  const cents = toCents(amount);
  if (!Number.isFinite(cents)) return amount;
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(cents / 100);
}

// ---- categories ----------------------------------------------------------------------------

export interface CategoryInfo {
  programme: ProgrammeRules;
  id: string;
  name: Localised;
  includes: { 'zh-CN': string[]; en: string[] };
}

export function findCategory(programmes: readonly ProgrammeRules[] | undefined, id: string): CategoryInfo | undefined {
  for (const programme of programmes ?? []) {
    const category = programme.categories.find((c) => c.id === id);
    if (category) return { programme, ...category };
  }
  return undefined;
}

/** "冰箱" — or the id itself while the programmes are not loaded. */
export function categoryName(programmes: readonly ProgrammeRules[] | undefined, id: string, lang: Lang): string {
  const found = findCategory(programmes, id);
  return found ? localised(found.name, lang) : id;
}

/** "冰箱（含家用冰柜）". */
export function categoryWithIncludes(category: Pick<CategoryInfo, 'name' | 'includes'>, lang: Lang): string {
  const name = localised(category.name, lang);
  const includes = category.includes[lang].length > 0 ? category.includes[lang] : category.includes['zh-CN'];
  if (includes.length === 0) return name;
  return lang === 'en' ? `${name} (including ${includes.join(', ')})` : `${name}（含${includes.join('、')}）`;
}

/** Digital and smart products need a serial (IMEI/SN) and an activation photo (TI-34–TI-36). */
export function needsSerial(programmes: readonly ProgrammeRules[] | undefined, category: string): boolean {
  const found = findCategory(programmes, category);
  if (!found) return false;
  return found.programme.activationPhotoRequired ?? found.programme.kind === 'digital';
}

export function platformName(platforms: readonly DesignatedPlatform[] | undefined, id: string | undefined, lang: Lang): string {
  if (!id) return '';
  const platform = platforms?.find((p) => p.id === id);
  return platform ? localised(platform.names, lang) || platform.name : id;
}

// ---- coupons and qualifications -------------------------------------------------------------

/** A coupon that can still be exchanged: claimed and not expired at server time `now` (TI-18, TI-22). */
export function isExchangeable(coupon: { status: string; expiresAt: string }, now: number): boolean {
  return coupon.status === 'claimed' && Date.parse(coupon.expiresAt) > now;
}

/** The status to show: an active qualification past its expiry reads "expired" before the nightly job runs. */
export function shownQualificationStatus(q: Pick<Qualification, 'status' | 'expiresAt'>, now: number): string {
  if (q.status === 'active' && Date.parse(q.expiresAt) <= now) return 'expired';
  return q.status;
}

/** Active qualifications first, then the newest month. */
export function sortQualifications(list: readonly Qualification[], now: number): Qualification[] {
  const rank = (q: Qualification) => (shownQualificationStatus(q, now) === 'active' ? 0 : 1);
  return [...list].sort((a, b) => rank(a) - rank(b) || b.month.localeCompare(a.month));
}

/** Milliseconds until a QR code should be fetched again: `leadMs` before it expires, at least `minMs` from now. */
export function qrRefreshDelay(expiresAt: string, now: number, leadMs = 20_000, minMs = 1_000): number {
  const expires = Date.parse(expiresAt);
  if (!Number.isFinite(expires)) return minMs;
  return Math.max(minMs, expires - now - leadMs);
}

/** Whole seconds left until `expiresAt` (0 once past). */
export function secondsLeft(expiresAt: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

// ---- dates ---------------------------------------------------------------------------------

/** "2026-04-10" → "2026年4月10日" / "10 April 2026" (a civil date, no time zone shift). */
export function formatCivilDay(day: string, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12));
  return new Intl.DateTimeFormat(lang, { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' }).format(date);
}

// ---- problems ------------------------------------------------------------------------------

/**
 * Plain-language text for a failed call, in the words of the page's audience: `${scope}.${code}`
 * first (e.g. the cashier's wording), then the platform-wide `errors.${code}`, then the problem's detail.
 */
export function scopedProblemMessage(err: unknown, t: Translate | ((...args: never[]) => unknown), scope: string): string {
  const tr = t as Translate;
  if (err instanceof ApiError && /^[A-Z][A-Z0-9_]*$/.test(err.code)) {
    const key = `${scope}.${err.code}`;
    const text = tr(key, { defaultValue: '\u0000' });
    if (typeof text === 'string' && text !== '\u0000' && text !== key) return text;
  }
  return problemMessage(err, t);
}

/**
 * Whether the server's per-field notes are worth showing: only for a plain INVALID_REQUEST, or a code
 * without words of its own (the notes are the server's, in English; a known code already says it all).
 */
export function showFieldErrors(err: unknown, t: Translate | ((...args: never[]) => unknown), scope: string): boolean {
  if (!(err instanceof ApiError) || err.errors.length === 0) return false;
  if (err.code === 'INVALID_REQUEST') return true;
  const tr = t as Translate;
  const known = (key: string) => {
    const text = tr(key, { defaultValue: '\u0000' });
    return typeof text === 'string' && text !== '\u0000' && text !== key;
  };
  return !known(`${scope}.${err.code}`) && !known(`errors.${err.code}`);
}

// ---- files ---------------------------------------------------------------------------------

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

/** Why a chosen file cannot be the activation photo, or undefined when it can. */
export function photoProblem(file: { type: string; size: number }): 'type' | 'size' | 'empty' | undefined {
  if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) return 'type';
  if (file.size === 0) return 'empty';
  if (file.size > PHOTO_MAX_BYTES) return 'size';
  return undefined;
}

async function failure(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    const text = await res.text();
    body = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    body = undefined;
  }
  return new ApiError(toProblem(res.status, res.statusText, body));
}

/** POST /merchant/redemptions/{id}/activation-photo as multipart (field `photo`), with the CSRF header. */
export async function uploadActivationPhoto(redemptionId: string, file: Blob, fileName: string): Promise<{ id: string; sha256: string; status: string }> {
  const form = new FormData();
  form.append('photo', file, fileName);
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  const csrf = readCookie(CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1/merchant/redemptions/${encodeURIComponent(redemptionId)}/activation-photo`, {
      method: 'POST',
      body: form,
      headers,
      credentials: 'include',
    });
  } catch {
    throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, code: 'NETWORK' });
  }
  if (!res.ok) throw await failure(res);
  return (await res.json()) as { id: string; sha256: string; status: string };
}

/** GET an activation photo with the session cookie, as a Blob to show through an object URL. */
export async function fetchActivationPhoto(photoId: string, signal?: AbortSignal): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/admin/subsidies/activation-photos/${encodeURIComponent(photoId)}/image`, {
      credentials: 'include',
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, code: 'NETWORK' });
  }
  if (!res.ok) throw await failure(res);
  return res.blob();
}

/** The CSV of a month's report (a plain link: the browser downloads it with the session cookie). */
export function reportCsvUrl(month: string): string {
  return `/api/v1/admin/subsidies/report?${new URLSearchParams({ month, format: 'csv' }).toString()}`;
}

// ---- report figures ------------------------------------------------------------------------

export interface Total {
  key: string;
  redemptions: number;
  /** Yuan with two places. */
  subsidy: string;
}

/** Sums the report rows by one of their fields (money in fen, so 0.1 + 0.2 stays 0.30), in key order. */
export function totalsBy(rows: readonly ReportRow[], field: 'day' | 'category' | 'channel' | 'district'): Total[] {
  const sums = new Map<string, { redemptions: number; cents: number }>();
  for (const row of rows) {
    const key = row[field] ?? '';
    const sum = sums.get(key) ?? { redemptions: 0, cents: 0 };
    sum.redemptions += row.redemptions;
    sum.cents += toCents(row.subsidy);
    sums.set(key, sum);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, sum]) => ({ key, redemptions: sum.redemptions, subsidy: fromCents(sum.cents) }));
}

/** Every day of a month, "2026-03-01" … "2026-03-31" (the day chart shows days without sales too). */
export function daysOfMonth(month: string): string[] {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  if (!year || !mon) return [];
  const count = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}
