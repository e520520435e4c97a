import { describe, expect, it } from 'vitest';
import zhCN from '../i18n/zh-CN.json';
import en from '../i18n/en.json';
import { ApiError } from './api';
import {
  categoryWithIncludes,
  daysOfMonth,
  formatCivilDay,
  fromCents,
  isExchangeable,
  needsSerial,
  normaliseMoney,
  photoProblem,
  qrRefreshDelay,
  scopedProblemMessage,
  secondsLeft,
  showFieldErrors,
  shownQualificationStatus,
  sortQualifications,
  toCents,
  totalsBy,
  type ProgrammeRules,
  type Qualification,
} from './redemption';
import { ROLE_IDS } from './roles';
import { saleBody } from '../counter/till/sale';

const NOW = Date.parse('2026-03-05T10:00:00+08:00');

const programme = (kind: string, ids: string[], extra: Partial<ProgrammeRules> = {}): ProgrammeRules =>
  ({
    id: `${kind}-2026`,
    kind,
    name: { 'zh-CN': kind, en: kind },
    summary: { 'zh-CN': '', en: '' },
    categories: ids.map((id) => ({ id, name: { 'zh-CN': id, en: id }, includes: { 'zh-CN': [], en: [] } })),
    rate: '0.15',
    capPerItem: '1500.00',
    priceLimit: null,
    efficiencyRequirement: null,
    quota: { month: 3, year: 12 },
    channels: ['offline', 'online'],
    startsAt: '',
    endsAt: '',
    releaseSchedule: { dayOfMonth: 1, time: '11:00', months: [] },
    ...extra,
  }) as ProgrammeRules;

describe('money as the cashier and the resident type it', () => {
  it('normalises what people type to the API money string with two places', () => {
    expect(normaliseMoney('8000')).toBe('8000.00');
    expect(normaliseMoney(' 7,999.5 ')).toBe('7999.50');
    expect(normaliseMoney('¥3999.99元')).toBe('3999.99');
    expect(normaliseMoney('８０００．０')).toBe('8000.00');
    expect(normaliseMoney('0.01')).toBe('0.01');
  });

  it('refuses amounts the API would refuse', () => {
    for (const bad of ['', '0', '0.00', '-5', '12.345', '1e3', 'abc', '08000', '12345678901']) expect(normaliseMoney(bad), bad).toBeUndefined();
  });

  it('adds in fen, so sums of yuan amounts have no floating-point error', () => {
    expect(toCents('0.10') + toCents('0.20')).toBe(30);
    expect(fromCents(toCents('1499.85') + toCents('0.15'))).toBe('1500.00');
    expect(fromCents(5)).toBe('0.05');
    expect(Number.isNaN(toCents('x'))).toBe(true);
  });
});

describe('report figures', () => {
  const rows = [
    { day: '2026-03-01', category: 'refrigerator', channel: 'offline', district: '120101', redemptions: 1, subsidy: '0.10', sales: '1.00' },
    { day: '2026-03-01', category: 'television', channel: 'offline', district: null, redemptions: 2, subsidy: '0.20', sales: '2.00' },
    { day: '2026-03-03', category: 'refrigerator', channel: 'online', district: '120101', redemptions: 1, subsidy: '1200.00', sales: '8000.00' },
  ];

  it('sums subsidies by day, category and district exactly', () => {
    expect(totalsBy(rows, 'day')).toEqual([
      { key: '2026-03-01', redemptions: 3, subsidy: '0.30' },
      { key: '2026-03-03', redemptions: 1, subsidy: '1200.00' },
    ]);
    expect(totalsBy(rows, 'category').map((r) => [r.key, r.subsidy])).toEqual([
      ['refrigerator', '1200.10'],
      ['television', '0.20'],
    ]);
    expect(totalsBy(rows, 'district').map((r) => r.key)).toEqual(['', '120101']);
  });

  it('lists every day of a month, leap years included', () => {
    expect(daysOfMonth('2026-03')).toHaveLength(31);
    expect(daysOfMonth('2028-02').at(-1)).toBe('2028-02-29');
    expect(daysOfMonth('2026-02').at(-1)).toBe('2026-02-28');
  });
});

describe('coupons, qualifications and the QR code', () => {
  it('offers only claimed coupons that have not expired for exchange', () => {
    expect(isExchangeable({ status: 'claimed', expiresAt: '2026-04-01T00:00:00+08:00' }, NOW)).toBe(true);
    expect(isExchangeable({ status: 'claimed', expiresAt: '2026-03-05T10:00:00+08:00' }, NOW)).toBe(false);
    expect(isExchangeable({ status: 'exchanged', expiresAt: '2026-04-01T00:00:00+08:00' }, NOW)).toBe(false);
  });

  it('shows an active qualification past its expiry as expired, and lists active ones first', () => {
    const q = (id: string, status: string, expiresAt: string, month = '2026-03'): Qualification => ({ id, couponId: '', programme: '', category: '', channel: 'offline', month, expiresAt, status });
    expect(shownQualificationStatus(q('a', 'active', '2026-03-01T00:00:00+08:00'), NOW)).toBe('expired');
    expect(shownQualificationStatus(q('b', 'used', '2026-04-01T00:00:00+08:00'), NOW)).toBe('used');
    const sorted = sortQualifications([q('old', 'expired', '2026-03-01T00:00:00+08:00', '2026-02'), q('used', 'used', '2026-04-01T00:00:00+08:00'), q('live', 'active', '2026-04-01T00:00:00+08:00')], NOW);
    expect(sorted.map((x) => x.id)).toEqual(['live', 'used', 'old']);
  });

  it('fetches a new QR code 20 s before the current one expires, never in a tight loop', () => {
    const expiresAt = new Date(NOW + 120_000).toISOString();
    expect(qrRefreshDelay(expiresAt, NOW)).toBe(100_000);
    expect(qrRefreshDelay(expiresAt, NOW + 110_000)).toBe(1_000);
    expect(qrRefreshDelay('not a date', NOW)).toBe(1_000);
    expect(secondsLeft(expiresAt, NOW + 0.5)).toBe(120);
    expect(secondsLeft(expiresAt, NOW + 200_000)).toBe(0);
  });
});

describe('categories and the till', () => {
  const programmes = [programme('appliances', ['refrigerator']), programme('digital', ['mobile_phone'], { activationPhotoRequired: true })];

  it('asks for a serial (IMEI/SN) for digital products only', () => {
    expect(needsSerial(programmes, 'mobile_phone')).toBe(true);
    expect(needsSerial(programmes, 'refrigerator')).toBe(false);
    expect(needsSerial(programmes, 'unknown')).toBe(false);
    expect(needsSerial(undefined, 'mobile_phone')).toBe(false);
  });

  it('names a category with what it includes, in either language', () => {
    const fridge = { name: { 'zh-CN': '冰箱', en: 'Refrigerator' }, includes: { 'zh-CN': ['家用冰柜'], en: ['household freezer'] } };
    expect(categoryWithIncludes(fridge, 'zh-CN')).toBe('冰箱（含家用冰柜）');
    expect(categoryWithIncludes(fridge, 'en')).toBe('Refrigerator (including household freezer)');
    expect(categoryWithIncludes({ ...fridge, includes: { 'zh-CN': [], en: [] } }, 'en')).toBe('Refrigerator');
  });

  it('sends the sale as the API expects: trimmed, invoice amount as money, serial only for digital products', () => {
    const checked = { code: 'hq1.x.y', category: 'refrigerator', price: '8000.00' };
    const form = { orderId: ' ORD-1 ', invoiceNumber: ' 2612 ', invoiceTitle: ' 张三 ', invoiceAmount: '8000', serial: ' SN1 ' };
    expect(saleBody(checked, form, false)).toEqual({
      qrToken: 'hq1.x.y',
      category: 'refrigerator',
      price: '8000.00',
      orderId: 'ORD-1',
      invoice: { number: '2612', title: '张三', amount: '8000.00' },
    });
    expect(saleBody(checked, form, true).serial).toBe('SN1');
    expect('serial' in saleBody(checked, { ...form, serial: '  ' }, true)).toBe(false);
  });

  it('formats civil dates without shifting the day', () => {
    expect(formatCivilDay('2026-04-10', 'zh-CN')).toBe('2026年4月10日');
    expect(formatCivilDay('2026-04-10', 'en')).toMatch(/10 April 2026|April 10, 2026/);
    expect(formatCivilDay('soon', 'en')).toBe('soon');
  });

  it('accepts only photos the server accepts', () => {
    expect(photoProblem({ type: 'image/jpeg', size: 1000 })).toBeUndefined();
    expect(photoProblem({ type: 'image/gif', size: 1000 })).toBe('type');
    expect(photoProblem({ type: 'image/png', size: 0 })).toBe('empty');
    expect(photoProblem({ type: 'image/webp', size: 5 * 1024 * 1024 + 1 })).toBe('size');
  });
});

describe('problems in the words of each page', () => {
  const lookup = (messages: Record<string, unknown>) => (key: string, options?: { defaultValue?: string }) => {
    let node: unknown = messages;
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    return typeof node === 'string' ? node : (options?.defaultValue ?? key);
  };
  const problem = (code: string) => new ApiError({ type: 'about:blank', title: code, status: 409, code, detail: 'server detail' });

  it('prefers the page’s wording, then the platform’s, then the server’s detail', () => {
    const t = lookup(zhCN);
    expect(scopedProblemMessage(problem('QR_EXPIRED'), t, 'redemption.till.errors')).toBe(zhCN.redemption.till.errors.QR_EXPIRED);
    expect(scopedProblemMessage(problem('HOLDER_MISMATCH'), t, 'redemption.till.errors')).toBe(zhCN.errors.HOLDER_MISMATCH);
    expect(scopedProblemMessage(problem('SOMETHING_NEW'), t, 'redemption.till.errors')).toBe('server detail');
  });

  it('lists the server’s field notes only when the code has no words of its own', () => {
    const t = lookup(zhCN);
    const withField = (code: string) => new ApiError({ type: 'about:blank', title: code, status: 409, code, errors: [{ field: 'invoice.title', message: 'must be the holder’s real name' }] });
    expect(showFieldErrors(withField('INVOICE_TITLE_MISMATCH'), t, 'redemption.till.errors')).toBe(false);
    expect(showFieldErrors(withField('INVALID_REQUEST'), t, 'redemption.till.errors')).toBe(true);
    expect(showFieldErrors(withField('SOMETHING_NEW'), t, 'redemption.till.errors')).toBe(true);
    expect(showFieldErrors(problem('SOMETHING_NEW'), t, 'redemption.till.errors')).toBe(false);
  });

  it('has plain words for every redemption error code of the contract, in both languages', () => {
    const codes = [
      'COUPON_EXPIRED', 'COUPON_ALREADY_EXCHANGED', 'CATEGORY_NOT_IN_PROGRAMME', 'PLATFORM_REQUIRED', 'CATEGORY_ALREADY_SUBSIDISED',
      'NATIONAL_CHECK_UNAVAILABLE', 'QUALIFICATION_NOT_ACTIVE', 'PLATFORM_ONLY_ONLINE', 'QR_INVALID', 'QR_EXPIRED', 'CATEGORY_MISMATCH',
      'PRICE_OVER_LIMIT', 'CHANNEL_MISMATCH', 'QUALIFICATION_ALREADY_USED', 'ORDER_ALREADY_USED', 'INVOICE_ALREADY_USED',
      'INVOICE_TITLE_MISMATCH', 'INVOICE_AMOUNT_MISMATCH', 'NOT_DESIGNATED_PLATFORM', 'ACTIVATION_PHOTO_REQUIRED', 'RETURN_WINDOW_CLOSED',
    ];
    for (const messages of [zhCN, en] as Record<string, unknown>[]) {
      const errors = messages.errors as Record<string, string>;
      for (const code of codes) expect(typeof errors[code], code).toBe('string');
    }
    const till = zhCN.redemption.till.errors as Record<string, string>;
    for (const code of ['QR_INVALID', 'QR_EXPIRED', 'QUALIFICATION_NOT_ACTIVE', 'CATEGORY_MISMATCH', 'PRICE_OVER_LIMIT', 'CHANNEL_MISMATCH', 'QUALIFICATION_ALREADY_USED', 'ORDER_ALREADY_USED', 'INVOICE_ALREADY_USED', 'INVOICE_TITLE_MISMATCH', 'INVOICE_AMOUNT_MISMATCH']) {
      expect(typeof till[code], code).toBe('string');
    }
  });

  it('names the registry role in plain words', () => {
    expect(ROLE_IDS).toContain('registry');
    expect(zhCN.roles.registry).toMatch(/全国/);
  });
});
