import { describe, expect, it } from 'vitest';
import type { QuotaStats, ReleaseStats } from '../../shared/subsidies';
import { monthOptions } from './common';
import { claimsInWindow, liveSeries, soldOutAt } from './live';
import { distributionBars, districtRows, totals } from './QuotaPage';
import { fieldOf } from './ReleasesPage';

function stats(remaining: number, claims: { at: string; claims: number }[]): ReleaseStats {
  return {
    release: {
      id: 'digital-2026-offline-2026-04',
      programme: 'digital-2026',
      channel: 'offline',
      month: '2026-04',
      opensAt: '2026-04-01T10:00:00+08:00',
      closesAt: '2026-05-01T00:00:00+08:00',
      stock: 30,
      issued: 30 - remaining,
      remaining,
    },
    serverTime: '2026-04-01T10:01:00+08:00',
    claimsPerSecond: claims,
    line: { waiting: 0, throughputPerSecond: 100 },
  };
}

describe('subsidy console', () => {
  it('builds the last minute second by second, working the remaining stock back from now', () => {
    const s = stats(0, [
      { at: '2026-04-01T10:00:30+08:00', claims: 12 },
      { at: '2026-04-01T10:00:31+08:00', claims: 18 },
    ]);
    const points = liveSeries(s);
    expect(points).toHaveLength(60);
    expect(points[0]!.label).toBe('10:00:01');
    expect(points.at(-1)!.label).toBe('10:01:00');
    const at = (label: string) => points.find((p) => p.label === label)!;
    expect(at('10:00:29')).toMatchObject({ claims: 0, remaining: 30 });
    expect(at('10:00:30')).toMatchObject({ claims: 12, remaining: 18 });
    expect(at('10:00:31')).toMatchObject({ claims: 18, remaining: 0 });
    expect(at('10:01:00')).toMatchObject({ claims: 0, remaining: 0 });
    expect(claimsInWindow(points)).toBe(30);
    expect(soldOutAt(s)).toBe('2026-04-01T02:00:31.000Z');
    expect(soldOutAt(stats(3, s.claimsPerSecond))).toBeUndefined();
    expect(soldOutAt(stats(0, []))).toBeUndefined();
  });

  it('lists the programmes’ release months and the month asked for', () => {
    const programmes = [{ releaseSchedule: { months: ['2026-03', '2026-02'] } }, { releaseSchedule: { months: ['2026-03'] } }] as never[];
    expect(monthOptions(programmes, '2026-05', undefined, 'bad')).toEqual(['2026-02', '2026-03', '2026-05']);
  });

  it('puts server field errors on the form field they name', () => {
    expect(fieldOf('month')).toBe('month');
    expect(fieldOf('opensAt')).toBe('opensAt');
    expect(fieldOf('body.stock')).toBe('stock');
    expect(fieldOf('header.idempotency-key')).toBeUndefined();
  });

  it('counts people by coupons held, with a bar for every count up to the quota', () => {
    const distribution = [
      { coupons: 1, people: 30 },
      { coupons: 3, people: 2 },
    ];
    expect(distributionBars(distribution, 3)).toEqual([
      { coupons: 1, people: 30 },
      { coupons: 2, people: 0 },
      { coupons: 3, people: 2 },
    ]);
    expect(totals(distribution)).toEqual({ people: 32, coupons: 36 });
  });

  it('lists every district, then coupons whose district is unknown', () => {
    const quota: QuotaStats = {
      month: '2026-04',
      programmes: [
        { programme: 'appliances-2026', monthQuota: 3, yearQuota: 12, monthDistribution: [], yearDistribution: [], byDistrict: [{ district: '120101', coupons: 2 }] },
        {
          programme: 'digital-2026',
          monthQuota: 2,
          yearQuota: 8,
          monthDistribution: [],
          yearDistribution: [],
          byDistrict: [
            { district: '120101', coupons: 30 },
            { district: null, coupons: 1 },
          ],
        },
      ],
    };
    const rows = districtRows(quota, 'zh-CN', '未知');
    expect(rows).toHaveLength(17);
    expect(rows[0]).toEqual({ code: '120101', name: '和平区', byProgramme: { 'appliances-2026': 2, 'digital-2026': 30 }, total: 32 });
    expect(rows.at(-1)).toEqual({ code: '', name: '未知', byProgramme: { 'digital-2026': 1 }, total: 1 });
    expect(districtRows(quota, 'en', '?')[12]!.name).toBe('Binhai New Area');
  });
});

describe('subsidy console menu', () => {
  it('highlights the quota entry on its page and the releases entry on the others', async () => {
    const { consoleSection } = await import('../ConsoleApp');
    expect(consoleSection('/console/subsidies')).toBe('subsidies');
    expect(consoleSection('/console/subsidies/releases/digital-2026-offline-2026-04')).toBe('subsidies');
    expect(consoleSection('/console/subsidies/quota')).toBe('subsidyQuota');
    expect(consoleSection('/console/clients')).toBe('clients');
  });
});
