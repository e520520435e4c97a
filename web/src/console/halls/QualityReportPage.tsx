import { useEffect, useMemo, useState } from 'react';
import { DatePicker, Select, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { hasAnyRole } from '../../shared/roles';
import { useSession } from '../../shared/session';
import { EChart } from '../../public/halls/common/EChart';
import { civilDay, pick } from '../../public/halls/common/format';
import type { HallSummary, QualityReport } from '../../public/halls/common/types';
import { HALL_ADMINS } from './HallsConsole';
import { tr } from '../../public/halls/common/i18n';

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const minutes = (value: number | null) => (value === null ? '—' : value.toFixed(1));

/** 质效评估 (POL-17, POL-18): most requested (最想办), most often not done (最难办), bad ratings, waiting and service times. */
export default function QualityReportPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const admin = hasAnyRole(session.roles, HALL_ADMINS);
  const [from, setFrom] = useState(civilDay(-29));
  const [to, setTo] = useState(civilDay(0));
  const [hallId, setHallId] = useState<string | undefined>(admin ? undefined : session.me?.hallId);
  const [halls, setHalls] = useState<HallSummary[]>([]);
  const [report, setReport] = useState<QualityReport | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (admin) void api.get<HallSummary[]>('/halls').then(setHalls, setError);
  }, [admin]);
  useEffect(() => {
    setReport(null);
    void api.get<QualityReport>('/staff/quality-report', { from, to, hallId }).then(setReport, setError);
  }, [from, to, hallId]);

  const charts = useMemo(() => {
    if (!report) return null;
    const top = report.items.slice(0, 10).reverse();
    return {
      requested: {
        grid: { left: 160, right: 24, top: 16, bottom: 32 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: top.map((item) => pick(item.names, lang)), axisLabel: { width: 150, overflow: 'truncate' } },
        series: [
          { name: t('halls.quality.done'), type: 'bar', stack: 'all', data: top.map((item) => item.done), itemStyle: { color: '#0958d9' } },
          { name: t('halls.quality.notDone'), type: 'bar', stack: 'all', data: top.map((item) => item.notDone), itemStyle: { color: '#c4161c' } },
          { name: t('halls.quality.other'), type: 'bar', stack: 'all', data: top.map((item) => item.tickets - item.done - item.notDone), itemStyle: { color: '#8c8c8c' } },
        ],
        legend: { bottom: 0 },
      },
      daily: {
        grid: { left: 48, right: 24, top: 16, bottom: 48 },
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        xAxis: { type: 'category', data: report.daily.map((day) => day.day.slice(5)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: t('halls.quality.tickets'), type: 'line', data: report.daily.map((day) => day.tickets), itemStyle: { color: '#0958d9' } },
          { name: t('halls.quality.notDone'), type: 'line', data: report.daily.map((day) => day.notDone), itemStyle: { color: '#c4161c' } },
        ],
      },
      times: {
        grid: { left: 160, right: 24, top: 16, bottom: 48 },
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        xAxis: { type: 'value', name: t('halls.quality.minutesAxis') },
        yAxis: { type: 'category', data: top.map((item) => pick(item.names, lang)), axisLabel: { width: 150, overflow: 'truncate' } },
        series: [
          { name: t('halls.quality.waitP50'), type: 'bar', data: top.map((item) => item.waitMinutesP50 ?? 0), itemStyle: { color: '#ad4e00' } },
          { name: t('halls.quality.serviceP50'), type: 'bar', data: top.map((item) => item.serviceMinutesP50 ?? 0), itemStyle: { color: '#237804' } },
        ],
      },
    };
  }, [report, lang, t]);

  return (
    <>
      <h1 className="desktop-title">{t('halls.quality.title')}</h1>
      <p className="desktop-intro">{t('halls.quality.intro')}</p>
      <Space wrap className="halls-console-toolbar">
        <label>
          {t('halls.quality.from')}{' '}
          <DatePicker value={dayjs(from)} onChange={(value) => value && setFrom(value.format('YYYY-MM-DD'))} allowClear={false} aria-label={t('halls.quality.from')} />
        </label>
        <label>
          {t('halls.quality.to')}{' '}
          <DatePicker value={dayjs(to)} onChange={(value) => value && setTo(value.format('YYYY-MM-DD'))} allowClear={false} aria-label={t('halls.quality.to')} />
        </label>
        {admin && (
          <label>
            {t('halls.quality.hall')}{' '}
            <Select allowClear showSearch optionFilterProp="label" style={{ minWidth: 220 }} value={hallId} onChange={setHallId} placeholder={t('halls.quality.allHalls')} aria-label={t('halls.quality.hall')} options={halls.map((hall) => ({ value: hall.id, label: pick(hall.names, lang) }))} />
          </label>
        )}
      </Space>
      <ProblemAlert error={error} />
      {report && charts && (
        <>
          <dl className="halls-figures">
            <div><dt>{t('halls.quality.tickets')}</dt><dd>{report.totals.tickets}</dd></div>
            <div><dt>{t('halls.quality.notDoneRate')}</dt><dd>{percent(report.totals.notDoneRate)}</dd></div>
            <div><dt>{t('halls.quality.ratings')}</dt><dd>{report.totals.ratings}</dd></div>
            <div><dt>{t('halls.quality.badRate')}</dt><dd>{percent(report.totals.badRatingRate)}</dd></div>
          </dl>
          <div className="halls-report-grid">
            <section aria-labelledby="q-requested">
              <h2 id="q-requested" className="desktop-section-title">{t('halls.quality.mostRequested')}</h2>
              <EChart option={charts.requested} label={t('halls.quality.mostRequestedChart')} height={340} />
            </section>
            <section aria-labelledby="q-daily">
              <h2 id="q-daily" className="desktop-section-title">{t('halls.quality.daily')}</h2>
              <EChart option={charts.daily} label={t('halls.quality.dailyChart')} height={340} />
            </section>
            <section aria-labelledby="q-times">
              <h2 id="q-times" className="desktop-section-title">{t('halls.quality.times')}</h2>
              <EChart option={charts.times} label={t('halls.quality.timesChart')} height={340} />
            </section>
            <section aria-labelledby="q-hardest">
              <h2 id="q-hardest" className="desktop-section-title">{t('halls.quality.mostNotDone')}</h2>
              {report.mostNotDone.length === 0 ? <p>{t('halls.quality.none')}</p> : (
                <ol>
                  {report.mostNotDone.map((item) => (
                    <li key={item.serviceId}>{pick(item.names, lang)}: {item.notDone} ({percent(item.notDoneRate)})</li>
                  ))}
                </ol>
              )}
              <h3>{t('halls.quality.redirects')}</h3>
              {report.redirects.length === 0 ? <p>{t('halls.quality.none')}</p> : (
                <ul>
                  {report.redirects.map((row) => (
                    <li key={row.reason}>{tr(t, `halls.lobby.reasons.${row.reason}`)}: {row.count}</li>
                  ))}
                </ul>
              )}
            </section>
          </div>
          <h2 className="desktop-section-title">{t('halls.quality.byItem')}</h2>
          <Table
            rowKey="serviceId"
            size="small"
            pagination={{ pageSize: 15 }}
            dataSource={report.items}
            columns={[
              { key: 'name', title: t('halls.console.fields.item'), render: (_, item) => pick(item.names, lang) },
              { key: 'tickets', title: t('halls.quality.tickets'), dataIndex: 'tickets' },
              { key: 'notDone', title: t('halls.quality.notDone'), render: (_, item) => `${item.notDone} (${percent(item.notDoneRate)})` },
              { key: 'bad', title: t('halls.quality.badRatings'), render: (_, item) => `${item.badRatings}/${item.ratings} (${percent(item.badRatingRate)})` },
              { key: 'average', title: t('halls.quality.average'), render: (_, item) => (item.averageRating === null ? '—' : item.averageRating.toFixed(1)) },
              { key: 'wait', title: t('halls.quality.waitP50P90'), render: (_, item) => `${minutes(item.waitMinutesP50)} / ${minutes(item.waitMinutesP90)}` },
              { key: 'service', title: t('halls.quality.serviceP50P90'), render: (_, item) => `${minutes(item.serviceMinutesP50)} / ${minutes(item.serviceMinutesP90)}` },
            ]}
          />
          <h2 className="desktop-section-title">{t('halls.quality.byHall')}</h2>
          <Table
            rowKey="hallId"
            size="small"
            pagination={{ pageSize: 15 }}
            dataSource={report.halls}
            columns={[
              { key: 'name', title: t('halls.publicMap.columns.name'), render: (_, hall) => pick(hall.names, lang) },
              { key: 'tickets', title: t('halls.quality.tickets'), dataIndex: 'tickets' },
              { key: 'notDone', title: t('halls.quality.notDone'), render: (_, hall) => `${hall.notDone} (${percent(hall.notDoneRate)})` },
              { key: 'bad', title: t('halls.quality.badRatings'), render: (_, hall) => `${hall.badRatings}/${hall.ratings} (${percent(hall.badRatingRate)})` },
              { key: 'open', title: t('halls.quality.openReviews'), render: (_, hall) => hall.reviews.open },
              { key: 'overdue', title: t('halls.quality.overdue'), render: (_, hall) => `${hall.reviews.callbackOverdue} / ${hall.reviews.rectifyOverdue}` },
            ]}
          />
        </>
      )}
    </>
  );
}
