import { lazy, Suspense, useMemo } from 'react';
import { Button, Card, Empty, Statistic, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { districtName } from '../../shared/districts';
import { Icon } from '../../shared/Icon';
import {
  categoryName,
  daysOfMonth,
  FLAG_KINDS,
  formatCivilDay,
  formatMoney,
  fromCents,
  isKnown,
  reportCsvUrl,
  toCents,
  totalsBy,
  type ProgrammeRules,
  type Redemption,
  type SubsidyFlag,
  type SubsidyReport,
  type Total,
} from '../../shared/redemption';
import { formatCivilDateTime, localised, monthLabel } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { RedemptionProblem } from '../../counter/till/RedemptionProblem';

const BarChart = lazy(() => import('./BarChart'));
const SCOPE = 'redemption.console.errors';

/** The month's report: total, charts by day, category and district (each with its table), the CSV, the plan. */
export function ReportView({ month, programmes }: { month: string; programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const report = usePolled(`report:${month}`, (signal) => api.get<SubsidyReport>('/admin/subsidies/report', { month }, { signal }), 60_000);
  const data = report.data;

  const byDay = useMemo(() => {
    if (!data) return [];
    const sums = new Map(totalsBy(data.rows, 'day').map((row) => [row.key, row]));
    return daysOfMonth(data.month).map((day) => sums.get(day) ?? { key: day, redemptions: 0, subsidy: '0.00' });
  }, [data]);
  const byCategory = useMemo(() => (data ? totalsBy(data.rows, 'category') : []), [data]);
  const byDistrict = useMemo(() => (data ? totalsBy(data.rows, 'district').sort((a, b) => toCents(b.subsidy) - toCents(a.subsidy)) : []), [data]);
  const redemptions = data?.rows.reduce((sum, row) => sum + row.redemptions, 0) ?? 0;
  const sales = data ? fromCents(data.rows.reduce((sum, row) => sum + toCents(row.sales), 0)) : '0.00';

  const dayLabel = (day: string) => `${Number(day.slice(8, 10))}`;
  const categoryLabel = (id: string) => categoryName(programmes, id, lang);
  const districtLabel = (code: string) => (code ? districtName(code, lang) : t('redemption.console.report.unknownDistrict'));

  return (
    <section aria-labelledby="report-heading">
      <div className="report-head">
        <h2 id="report-heading" className="desktop-section-title">
          {t('redemption.console.report.title', { month: monthLabel(month, lang) })}
        </h2>
        <Button href={reportCsvUrl(month)} download={`subsidies-${month}.csv`} icon={<Icon name="audit" />} data-testid="report-csv">
          {t('redemption.console.report.csv')}
        </Button>
      </div>
      {report.error !== undefined && <RedemptionProblem error={report.error} scope={SCOPE} />}
      {!data && report.error === undefined && <p role="status">{t('redemption.console.loading')}</p>}
      {data && (
        <>
          <div className="report-stats">
            <Card>
              <Statistic title={t('redemption.console.report.total')} value={formatMoney(data.totalSubsidy, lang)} suffix={t('redemption.console.yuan')} data-testid="report-total" />
            </Card>
            <Card>
              <Statistic title={t('redemption.console.report.count')} value={redemptions} data-testid="report-count" />
            </Card>
            <Card>
              <Statistic title={t('redemption.console.report.sales')} value={formatMoney(sales, lang)} suffix={t('redemption.console.yuan')} />
            </Card>
          </div>
          <p className="desktop-intro report-note">{t('redemption.console.report.note')}</p>
          <ChartCard
            id="by-day"
            title={t('redemption.console.report.byDay')}
            rows={byDay}
            label={dayLabel}
            keyTitle={t('redemption.console.report.day')}
            keyText={(day) => formatCivilDay(day, lang)}
            onlyNonZeroInTable
          />
          <div className="report-two">
            <ChartCard id="by-category" title={t('redemption.console.report.byCategory')} rows={byCategory} label={categoryLabel} keyTitle={t('redemption.console.report.category')} horizontal />
            <ChartCard id="by-district" title={t('redemption.console.report.byDistrict')} rows={byDistrict} label={districtLabel} keyTitle={t('redemption.console.report.district')} horizontal />
          </div>
          <Card className="report-card" title={<h3 className="card-heading">{t('redemption.console.report.planTitle')}</h3>}>
            <p className="report-card-intro">{t('redemption.console.report.planIntro')}</p>
            <Table
              rowKey={(row) => `${row.programme}-${row.channel}`}
              size="small"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={data.plan}
              locale={{ emptyText: t('redemption.console.report.noPlan') }}
              columns={[
                { key: 'programme', title: t('redemption.console.report.programme'), render: (_, row) => localised(programmes?.find((p) => p.id === row.programme)?.name, lang) || row.programme },
                { key: 'channel', title: t('redemption.console.report.channel'), render: (_, row) => t(`redemption.channel.${row.channel}`, { defaultValue: row.channel }) },
                { key: 'planned', title: t('redemption.console.report.planned'), align: 'right', render: (_, row) => row.couponsPlanned.toLocaleString(lang) },
                { key: 'claimed', title: t('redemption.console.report.claimed'), align: 'right', render: (_, row) => row.couponsClaimed.toLocaleString(lang) },
                { key: 'qualifications', title: t('redemption.console.report.qualifications'), align: 'right', render: (_, row) => row.qualifications.toLocaleString(lang) },
              ]}
            />
          </Card>
        </>
      )}
    </section>
  );
}

function ChartCard({
  id,
  title,
  rows,
  label,
  keyTitle,
  keyText,
  horizontal = false,
  onlyNonZeroInTable = false,
}: {
  id: string;
  title: string;
  rows: Total[];
  label: (key: string) => string;
  keyTitle: string;
  keyText?: (key: string) => string;
  horizontal?: boolean;
  onlyNonZeroInTable?: boolean;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const chartData = useMemo(() => rows.map((row) => ({ label: label(row.key), value: toCents(row.subsidy) / 100 })), [rows, label]);
  const tableRows = onlyNonZeroInTable ? rows.filter((row) => row.redemptions > 0) : rows;
  const nonEmpty = rows.some((row) => row.redemptions > 0);
  const top = [...rows].sort((a, b) => toCents(b.subsidy) - toCents(a.subsidy))[0];
  const summary = nonEmpty && top
    ? t('redemption.console.report.chartSummary', { title, top: keyText ? keyText(top.key) : label(top.key), amount: formatMoney(top.subsidy, lang) })
    : t('redemption.console.report.chartEmpty', { title });
  const columns: ColumnsType<Total> = [
    { key: 'key', title: keyTitle, render: (_, row) => (keyText ? keyText(row.key) : label(row.key)) },
    { key: 'count', title: t('redemption.console.report.count'), align: 'right', render: (_, row) => row.redemptions.toLocaleString(lang) },
    { key: 'subsidy', title: t('redemption.console.report.subsidyYuan'), align: 'right', render: (_, row) => formatMoney(row.subsidy, lang) },
  ];
  return (
    <Card className="report-card" title={<h3 className="card-heading">{title}</h3>} data-testid={`chart-${id}`}>
      {nonEmpty ? (
        <Suspense fallback={<p role="status">{t('redemption.console.loading')}</p>}>
          <BarChart data={chartData} summary={summary} horizontal={horizontal} height={horizontal ? Math.max(200, rows.length * 36 + 40) : 280} testId={`chart-${id}-canvas`} />
        </Suspense>
      ) : (
        <Empty description={t('redemption.console.report.noSales')} />
      )}
      {nonEmpty && (
        <details className="report-table">
          <summary>{t('redemption.console.report.showTable')}</summary>
          <Table rowKey="key" size="small" pagination={false} dataSource={tableRows} columns={columns} />
        </details>
      )}
    </Card>
  );
}

const loadFlags = (month: string) => (signal: AbortSignal) => api.get<SubsidyFlag[]>('/admin/subsidies/flags', { month }, { signal });
const loadOverdue = (signal: AbortSignal) => api.get<Redemption[]>('/admin/subsidies/overdue-deliveries', undefined, { signal });

/** Suspicious patterns of the month, each explained in words. */
export function FlagsView({ month }: { month: string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const flags = usePolled(`flags:${month}`, loadFlags(month), 60_000);
  return (
    <section aria-labelledby="flags-heading">
      <h2 id="flags-heading" className="desktop-section-title">
        {t('redemption.console.flags.title', { month: monthLabel(month, lang) })}
      </h2>
      <p className="desktop-intro">{t('redemption.console.flags.intro')}</p>
      {flags.error !== undefined && <RedemptionProblem error={flags.error} scope={SCOPE} />}
      <Table<SubsidyFlag>
        rowKey={(row) => `${row.kind}-${row.sellerId ?? ''}-${row.detail}`}
        size="middle"
        pagination={false}
        scroll={{ x: 'max-content' }}
        loading={flags.data === undefined && flags.error === undefined}
        dataSource={flags.data ?? []}
        locale={{ emptyText: t('redemption.console.flags.empty') }}
        data-testid="flags-table"
        columns={[
          {
            key: 'kind',
            title: t('redemption.console.flags.kind'),
            render: (_, row) => (
              <div className="flag-kind">
                <strong>{isKnown(FLAG_KINDS, row.kind) ? t(`redemption.flagKind.${row.kind}.title`) : row.kind}</strong>
                {isKnown(FLAG_KINDS, row.kind) && <span>{t(`redemption.flagKind.${row.kind}.why`)}</span>}
              </div>
            ),
          },
          { key: 'seller', title: t('redemption.console.flags.seller'), render: (_, row) => (row.sellerId ? <code>{row.sellerId}</code> : '—') },
          { key: 'count', title: t('redemption.console.flags.count'), align: 'right', render: (_, row) => row.count },
          { key: 'detail', title: t('redemption.console.flags.detail'), render: (_, row) => row.detail },
        ]}
      />
    </section>
  );
}

/** Sales not delivered by their deadline (TI-32/TI-33). */
export function OverdueView({ programmes }: { programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const overdue = usePolled('overdue', loadOverdue, 60_000);
  return (
    <section aria-labelledby="overdue-heading">
      <h2 id="overdue-heading" className="desktop-section-title">
        {t('redemption.console.overdue.title')}
      </h2>
      <p className="desktop-intro">{t('redemption.console.overdue.intro')}</p>
      {overdue.error !== undefined && <RedemptionProblem error={overdue.error} scope={SCOPE} />}
      <Table<Redemption>
        rowKey="id"
        size="middle"
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        loading={overdue.data === undefined && overdue.error === undefined}
        dataSource={overdue.data ?? []}
        locale={{ emptyText: t('redemption.console.overdue.empty') }}
        data-testid="overdue-table"
        columns={[
          { key: 'due', title: t('redemption.console.overdue.due'), render: (_, row) => <strong>{formatCivilDay(row.deliveryDue, lang)}</strong> },
          { key: 'seller', title: t('redemption.console.overdue.seller'), render: (_, row) => <code>{row.sellerId}</code> },
          { key: 'item', title: t('redemption.console.overdue.item'), render: (_, row) => categoryName(programmes, row.category, lang) },
          { key: 'order', title: t('redemption.console.overdue.order'), render: (_, row) => <code>{row.orderId}</code> },
          { key: 'sold', title: t('redemption.console.overdue.soldAt'), render: (_, row) => formatCivilDateTime(row.redeemedAt) },
          { key: 'paid', title: t('redemption.console.overdue.payable'), align: 'right', render: (_, row) => formatMoney(row.payable, lang) },
        ]}
      />
    </section>
  );
}
