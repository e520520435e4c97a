import { useCallback, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Statistic } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { RequireRole } from '../../desktop/RequireRole';
import { api } from '../../shared/api';
import { useServerNow } from '../../shared/serverClock';
import { formatCivilDateTime, formatCivilTime, formatCount, releasePhase, splitDuration, type ReleaseStats } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { canManageSubsidies, loadProgrammes, useReleaseName } from './common';
import { EChart } from './EChart';
import { claimsInWindow, liveSeries, soldOutAt, type LivePoint } from './live';

export const LIVE_POLL_MS = 1000;

/** /console/subsidies/releases/:id: the release live, polled every second. */
export function ReleaseLivePage() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('console.subsidies.live.title')} home="/console" allow={canManageSubsidies}>
      <ReleaseLive />
    </RequireRole>
  );
}

const CLAIMS_COLOUR = '#0958d9';
const REMAINING_COLOUR = '#ad4e00';
const AXIS_TEXT = '#434343';

function chartOption(points: readonly LivePoint[], labels: { claims: string; remaining: string }): EChartsCoreOption {
  return {
    animation: false,
    textStyle: { fontFamily: 'inherit', color: AXIS_TEXT },
    legend: { top: 0, textStyle: { color: AXIS_TEXT } },
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 72, top: 40, bottom: 40 },
    xAxis: {
      type: 'category',
      data: points.map((p) => p.label),
      axisLabel: { color: AXIS_TEXT, interval: 9 },
    },
    yAxis: [
      { type: 'value', name: labels.claims, minInterval: 1, axisLabel: { color: AXIS_TEXT }, nameTextStyle: { color: AXIS_TEXT } },
      { type: 'value', name: labels.remaining, minInterval: 1, min: 0, axisLabel: { color: AXIS_TEXT }, nameTextStyle: { color: AXIS_TEXT } },
    ],
    series: [
      { name: labels.claims, type: 'bar', yAxisIndex: 0, data: points.map((p) => p.claims), itemStyle: { color: CLAIMS_COLOUR } },
      {
        name: labels.remaining,
        type: 'line',
        yAxisIndex: 1,
        // Each point is the stock at the end of its second: the step falls between the bars.
        step: 'middle',
        showSymbol: false,
        data: points.map((p) => p.remaining),
        lineStyle: { color: REMAINING_COLOUR, width: 3 },
        itemStyle: { color: REMAINING_COLOUR },
      },
    ],
  };
}

function ReleaseLive() {
  const { t } = useTranslation();
  const lang = currentLang();
  const { id = '' } = useParams();
  const now = useServerNow();
  const [paused, setPaused] = useState(false);
  const programmes = usePolled('programmes', loadProgrammes, null);
  const load = useCallback(
    (signal: AbortSignal) => api.get<ReleaseStats>(`/admin/subsidies/releases/${encodeURIComponent(id)}/stats`, undefined, { signal }),
    [id],
  );
  const stats = usePolled(`stats:${id}`, load, paused ? null : LIVE_POLL_MS);
  const nameOf = useReleaseName();
  const data = stats.data;
  const points = useMemo(() => (data ? liveSeries(data) : []), [data]);
  const option = useMemo(
    () => chartOption(points, { claims: t('console.subsidies.live.seriesClaims'), remaining: t('console.subsidies.live.seriesRemaining') }),
    [points, t],
  );

  // The moment it sold out, kept once seen (it leaves the one-minute window later).
  const soldOut = useRef<{ id: string; at: string | undefined } | undefined>(undefined);
  if (data && data.release.remaining <= 0 && soldOut.current?.id !== id) soldOut.current = { id, at: soldOutAt(data) };
  if (data && data.release.remaining > 0) soldOut.current = undefined;

  if (!data) {
    return (
      <div className="desktop-page">
        <h1 className="desktop-title">{t('console.subsidies.live.title')}</h1>
        <BackLink />
        {stats.error !== undefined ? (
          <>
            <ProblemAlert error={stats.error} />
            <p>
              <Button onClick={stats.reload}>{t('session.retry')}</Button>
            </p>
          </>
        ) : (
          <p role="status">{t('console.subsidies.loading')}</p>
        )}
      </div>
    );
  }

  const { release, line } = data;
  const name = nameOf(release, programmes.data);
  const phase = releasePhase(release, Date.parse(data.serverTime));
  const lastMinute = claimsInWindow(points);
  const countdown = splitDuration(Date.parse(release.opensAt) - now);

  return (
    <div className="desktop-page live-page">
      <h1 className="desktop-title">{t('console.subsidies.live.title')}</h1>
      <p className="desktop-intro live-subtitle" data-testid="live-release-name">
        {t('console.subsidies.live.subtitle', name)}
      </p>
      <BackLink />

      <div className="live-status" data-testid="live-status" data-phase={phase}>
        {phase === 'soldOut' ? (
          <Alert
            type="warning"
            showIcon
            role="status"
            data-testid="sold-out"
            title={
              soldOut.current?.at
                ? t('console.subsidies.live.status.soldOut', { time: formatCivilTime(soldOut.current.at) })
                : t('console.subsidies.live.status.soldOutEarlier')
            }
          />
        ) : phase === 'upcoming' ? (
          <Alert
            type="info"
            showIcon
            role="status"
            title={t('console.subsidies.live.status.upcoming', { time: formatCivilDateTime(release.opensAt) })}
            description={
              <span role="timer" data-testid="live-countdown">
                {t('console.subsidies.live.countdown', {
                  time: `${String(countdown.days * 24 + countdown.hours).padStart(2, '0')}:${String(countdown.minutes).padStart(2, '0')}:${String(countdown.seconds).padStart(2, '0')}`,
                })}
              </span>
            }
          />
        ) : (
          <Alert type={phase === 'open' ? 'success' : 'info'} showIcon role="status" title={t(`console.subsidies.live.status.${phase}`)} />
        )}
      </div>

      <div className="live-figures">
        <Card>
          <Statistic
            title={t('console.subsidies.live.remaining')}
            value={formatCount(release.remaining, lang)}
            valueRender={(node) => <span data-testid="live-remaining">{node}</span>}
          />
        </Card>
        <Card>
          <Statistic title={t('console.subsidies.live.issued')} value={formatCount(release.issued, lang)} />
        </Card>
        <Card>
          <Statistic title={t('console.subsidies.live.stock')} value={formatCount(release.stock, lang)} />
        </Card>
        <Card>
          <Statistic
            title={t('console.subsidies.live.waiting')}
            value={formatCount(line.waiting, lang)}
            valueRender={(node) => <span data-testid="live-waiting">{node}</span>}
          />
        </Card>
        <Card>
          <Statistic
            title={t('console.subsidies.live.throughput')}
            value={formatCount(line.throughputPerSecond, lang)}
            valueRender={(node) => <span data-testid="live-throughput">{node}</span>}
          />
        </Card>
        <Card>
          <Statistic
            title={t('console.subsidies.live.lastMinute')}
            value={formatCount(lastMinute, lang)}
            valueRender={(node) => <span data-testid="live-last-minute">{node}</span>}
          />
        </Card>
      </div>

      <Card
        className="live-chart-card"
        title={<h2 className="card-heading">{t('console.subsidies.live.chartTitle')}</h2>}
        extra={
          <span className="live-refresh">
            <span data-testid="live-server-time">
              {t('console.subsidies.live.serverTime', { time: formatCivilTime(data.serverTime) })}
              {' · '}
              {paused ? t('console.subsidies.live.paused') : t('console.subsidies.live.refreshing')}
            </span>
            <Button onClick={() => setPaused((p) => !p)} aria-pressed={paused} data-testid="live-pause">
              {paused ? t('console.subsidies.live.resume') : t('console.subsidies.live.pause')}
            </Button>
          </span>
        }
      >
        <figure className="chart-figure">
          <EChart option={option} height={340} testId="live-chart" />
          <figcaption data-testid="live-chart-summary" data-claims={lastMinute}>
            {lastMinute > 0
              ? t('console.subsidies.live.chartSummary', { claims: formatCount(lastMinute, lang), remaining: formatCount(release.remaining, lang) })
              : t('console.subsidies.live.noClaims')}
          </figcaption>
        </figure>
        {stats.error !== undefined && <ProblemAlert error={stats.error} />}
        <details className="chart-data">
          <summary>{t('console.subsidies.live.dataTable')}</summary>
          <table className="data-table" data-testid="live-data">
            <thead>
              <tr>
                <th scope="col">{t('console.subsidies.live.colTime')}</th>
                <th scope="col">{t('console.subsidies.live.seriesClaims')}</th>
                <th scope="col">{t('console.subsidies.live.seriesRemaining')}</th>
              </tr>
            </thead>
            <tbody>
              {points
                .filter((p) => p.claims > 0)
                .map((p) => (
                  <tr key={p.at}>
                    <td>{p.label}</td>
                    <td>{formatCount(p.claims, lang)}</td>
                    <td>{formatCount(p.remaining, lang)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </details>
      </Card>
    </div>
  );
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <p className="back-link">
      <Link to="/console/subsidies">{t('console.subsidies.live.back')}</Link>
    </p>
  );
}
