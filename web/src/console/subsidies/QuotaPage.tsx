import { useCallback } from 'react';
import { Button, Card, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { EChartsCoreOption } from 'echarts/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang, type Lang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { RequireRole } from '../../desktop/RequireRole';
import { api } from '../../shared/api';
import { districtName, TIANJIN_DISTRICTS } from '../../shared/districts';
import { formatCount, localised, monthLabel, type Distribution, type QuotaStats, type SubsidyProgramme } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { canManageSubsidies, loadProgrammes, MonthSelect, monthOptions, useMonthParam } from './common';
import { EChart } from './EChart';

/** /console/subsidies/quota: people by coupons held (month and year, per programme) and coupons by district. */
export function QuotaPage() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('console.subsidies.quota.title')} home="/console" allow={canManageSubsidies}>
      <Quota />
    </RequireRole>
  );
}

const AXIS_TEXT = '#434343';
const MONTH_COLOUR = '#0958d9';
const YEAR_COLOUR = '#00754a';

/** One bar per possible count 1…quota (people holding that many coupons), zeros included. */
export function distributionBars(distribution: readonly Distribution[], quota: number): { coupons: number; people: number }[] {
  const max = Math.max(quota, ...distribution.map((d) => d.coupons));
  return Array.from({ length: max }, (_, i) => ({ coupons: i + 1, people: distribution.find((d) => d.coupons === i + 1)?.people ?? 0 }));
}

export function totals(distribution: readonly Distribution[]): { people: number; coupons: number } {
  return distribution.reduce((sum, d) => ({ people: sum.people + d.people, coupons: sum.coupons + d.people * d.coupons }), { people: 0, coupons: 0 });
}

function barOption(bars: { coupons: number; people: number }[], colour: string, labels: { x: string; y: string; bar: (n: number) => string }): EChartsCoreOption {
  return {
    animation: false,
    textStyle: { fontFamily: 'inherit', color: AXIS_TEXT },
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'category', name: labels.x, nameLocation: 'middle', nameGap: 30, data: bars.map((b) => labels.bar(b.coupons)), axisLabel: { color: AXIS_TEXT } },
    yAxis: { type: 'value', name: labels.y, minInterval: 1, axisLabel: { color: AXIS_TEXT }, nameTextStyle: { color: AXIS_TEXT } },
    series: [{ type: 'bar', data: bars.map((b) => b.people), itemStyle: { color: colour }, label: { show: true, position: 'top', color: AXIS_TEXT } }],
  };
}

function Quota() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [month, setMonth] = useMonthParam();
  const programmes = usePolled('programmes', loadProgrammes, null);
  const load = useCallback((signal: AbortSignal) => api.get<QuotaStats>('/admin/subsidies/quota-stats', { month }, { signal }), [month]);
  const stats = usePolled(`quota:${month}`, month ? load : null, 30_000);

  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('console.subsidies.quota.title')}</h1>
      <p className="desktop-intro">{t('console.subsidies.quota.intro')}</p>
      <div className="page-toolbar">
        <MonthSelect value={month} options={monthOptions(programmes.data, month)} onChange={setMonth} />
        <Button onClick={stats.reload} data-testid="quota-refresh">
          {t('console.subsidies.quota.refresh')}
        </Button>
        <Link to={`/console/subsidies${month ? `?month=${month}` : ''}`} className="toolbar-link">
          {t('console.subsidies.quota.releasesLink')}
        </Link>
      </div>
      {stats.error !== undefined && <ProblemAlert error={stats.error} />}
      {stats.data === undefined && stats.error === undefined && <p role="status">{t('console.subsidies.loading')}</p>}
      {stats.data && (
        <>
          {stats.data.programmes.map((entry) => (
            <ProgrammeQuota key={entry.programme} entry={entry} programme={programmes.data?.find((p) => p.id === entry.programme)} month={stats.data!.month} />
          ))}
          <DistrictCoupons stats={stats.data} programmes={programmes.data} lang={lang} />
        </>
      )}
    </div>
  );
}

function ProgrammeQuota({ entry, programme, month }: { entry: QuotaStats['programmes'][number]; programme: SubsidyProgramme | undefined; month: string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const name = programme ? localised(programme.name, lang) : entry.programme;
  const labels = {
    x: t('console.subsidies.quota.couponsAxis'),
    y: t('console.subsidies.quota.peopleAxis'),
    bar: (n: number) => t('console.subsidies.quota.couponsLabel', { count: n }),
  };
  const monthBars = distributionBars(entry.monthDistribution, entry.monthQuota);
  const yearBars = distributionBars(entry.yearDistribution, entry.yearQuota);
  // This card renders again only when the figures or the language change, so the options are built each time.
  const monthOption = barOption(monthBars, MONTH_COLOUR, labels);
  const yearOption = barOption(yearBars, YEAR_COLOUR, labels);
  const monthTotals = totals(entry.monthDistribution);
  const yearTotals = totals(entry.yearDistribution);
  const parts = [
    {
      key: 'month',
      title: t('console.subsidies.quota.monthChart', { month: monthLabel(month, lang) }),
      summary: t('console.subsidies.quota.summaryMonth', { people: formatCount(monthTotals.people, lang), coupons: formatCount(monthTotals.coupons, lang), quota: entry.monthQuota }),
      bars: monthBars,
      option: monthOption,
    },
    {
      key: 'year',
      title: t('console.subsidies.quota.yearChart', { year: month.slice(0, 4) }),
      summary: t('console.subsidies.quota.summaryYear', { people: formatCount(yearTotals.people, lang), coupons: formatCount(yearTotals.coupons, lang), quota: entry.yearQuota }),
      bars: yearBars,
      option: yearOption,
    },
  ];
  return (
    <Card className="quota-card" title={<h2 className="card-heading">{name}</h2>} data-testid={`quota-${entry.programme}`}>
      <div className="quota-charts">
        {parts.map((part) => (
          <figure key={part.key} className="chart-figure">
            <h3 className="chart-title">{part.title}</h3>
            <EChart option={part.option} height={260} testId={`quota-chart-${entry.programme}-${part.key}`} />
            <figcaption data-testid={`quota-summary-${entry.programme}-${part.key}`}>{part.summary}</figcaption>
            <details className="chart-data">
              <summary>{t('console.subsidies.quota.viewData')}</summary>
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t('console.subsidies.quota.couponsAxis')}</th>
                    <th scope="col">{t('console.subsidies.quota.peopleAxis')}</th>
                  </tr>
                </thead>
                <tbody>
                  {part.bars.map((bar) => (
                    <tr key={bar.coupons}>
                      <td>{t('console.subsidies.quota.couponsLabel', { count: bar.coupons })}</td>
                      <td>{formatCount(bar.people, lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </figure>
        ))}
      </div>
    </Card>
  );
}

interface DistrictRow {
  code: string;
  name: string;
  byProgramme: Record<string, number>;
  total: number;
}

/** Coupons per district per programme (districts in GB/T 2260 order, then anything unknown). */
export function districtRows(stats: QuotaStats, lang: Lang, unknownName: string): DistrictRow[] {
  const rows = new Map<string, DistrictRow>();
  const row = (code: string | null) => {
    const key = code ?? '';
    let found = rows.get(key);
    if (!found) {
      found = { code: key, name: code ? districtName(code, lang) : unknownName, byProgramme: {}, total: 0 };
      rows.set(key, found);
    }
    return found;
  };
  for (const district of TIANJIN_DISTRICTS) row(district.code);
  for (const entry of stats.programmes) {
    for (const d of entry.byDistrict) {
      const r = row(d.district);
      r.byProgramme[entry.programme] = (r.byProgramme[entry.programme] ?? 0) + d.coupons;
      r.total += d.coupons;
    }
  }
  return [...rows.values()];
}

function DistrictCoupons({ stats, programmes, lang }: { stats: QuotaStats; programmes: SubsidyProgramme[] | undefined; lang: Lang }) {
  const { t } = useTranslation();
  const rows = districtRows(stats, lang, t('subsidies.unknownDistrict'));
  const max = Math.max(0, ...rows.map((r) => r.total));
  const option: EChartsCoreOption = {
    animation: false,
    textStyle: { fontFamily: 'inherit', color: AXIS_TEXT },
    tooltip: { trigger: 'item' },
    visualMap: {
      min: 0,
      max: Math.max(1, max),
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 160,
      text: [t('console.subsidies.quota.mapHigh'), t('console.subsidies.quota.mapLow')],
      textStyle: { color: AXIS_TEXT },
      inRange: { color: ['#f0f5ff', '#adc6ff', '#597ef7', '#1d39c4'] },
      calculable: false,
    },
    series: [
      {
        type: 'map',
        map: 'tianjin',
        roam: false,
        top: 8,
        bottom: 48,
        // Names in the page's language; the map file names districts in Chinese.
        nameMap: Object.fromEntries(TIANJIN_DISTRICTS.map((d) => [d.zh, lang === 'en' ? d.en : d.zh])),
        // Only districts with coupons are labelled: the central districts are too small for every name.
        label: {
          show: true,
          formatter: '{b} {c}',
          color: '#1f1f1f',
          fontSize: 12,
          backgroundColor: 'rgba(255,255,255,0.9)',
          padding: [2, 4],
          borderRadius: 3,
        },
        emphasis: { label: { color: '#000' } },
        data: rows.filter((r) => r.code).map((r) => ({ name: r.name, value: r.total, label: { show: r.total > 0 } })),
      },
    ],
  };
  const programmeIds = stats.programmes.map((p) => p.programme);
  const columns: ColumnsType<DistrictRow> = [
    { key: 'district', title: t('console.subsidies.quota.district'), dataIndex: 'name', className: 'nowrap' },
    ...programmeIds.map((id) => ({
      key: id,
      title: localised(programmes?.find((p) => p.id === id)?.name, lang) || id,
      align: 'right' as const,
      render: (_: unknown, row: DistrictRow) => formatCount(row.byProgramme[id] ?? 0, lang),
    })),
    { key: 'total', title: t('console.subsidies.quota.total'), align: 'right', render: (_, row) => <strong>{formatCount(row.total, lang)}</strong> },
  ];
  const shown = rows.filter((r) => r.code || r.total > 0);
  return (
    <Card className="quota-card" title={<h2 className="card-heading">{t('console.subsidies.quota.byDistrict', { month: monthLabel(stats.month, lang) })}</h2>}>
      <div className="district-layout">
        <div data-testid="district-table">
          <Table<DistrictRow> rowKey="code" size="small" pagination={false} dataSource={shown} columns={columns} className="district-table" />
        </div>
        <figure className="chart-figure">
          <h3 className="chart-title">{t('console.subsidies.quota.mapTitle')}</h3>
          <EChart option={option} height={520} testId="district-map" map />
          <figcaption>{t('console.subsidies.quota.mapNote')}</figcaption>
        </figure>
      </div>
    </Card>
  );
}
