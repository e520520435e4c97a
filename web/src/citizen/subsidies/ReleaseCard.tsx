import { useEffect, useId, useRef } from 'react';
import { Button, ProgressBar } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { problemMessage } from '../../shared/api';
import { signInUrl } from '../../shared/session';
import { syncServerClock } from '../../shared/serverClock';
import {
  daysLeft,
  formatCivilDateTime,
  formatCount,
  isChannel,
  localised,
  nextScheduledRelease,
  releasePhase,
  type QuotaUse,
  type SubsidyProgramme,
  type SubsidyRelease,
} from '../../shared/subsidies';
import { canRetry, cardView, type CardView } from './claim';
import { formatCountdown } from './format';
import { useClaim } from './useClaim';

const RETURN_TO = '/citizen/subsidies';

/**
 * One release of this month: stock left (as a number and a bar), a countdown to the opening on the
 * server's clock, and the claim button, whose label always says what is happening.
 */
export function ReleaseCard({
  release,
  programme,
  quota,
  now,
  synced,
  signedIn,
  onChanged,
}: {
  release: SubsidyRelease;
  programme: SubsidyProgramme | undefined;
  quota: QuotaUse | undefined;
  now: number;
  synced: boolean;
  signedIn: boolean;
  /** Stock or quota may have changed: load them again. */
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const headingId = useId();
  const { state: claim, claim: press, reset } = useClaim(release.id, onChanged);
  const phase = releasePhase(release, now);
  const view = cardView({ phase, claim, quota, signedIn });
  const opensAt = Date.parse(release.opensAt);

  // When the countdown reaches zero, fetch the stock at once rather than at the next poll.
  const wasUpcoming = useRef(phase === 'upcoming');
  useEffect(() => {
    if (wasUpcoming.current && phase !== 'upcoming') onChanged();
    wasUpcoming.current = phase === 'upcoming';
  }, [phase, onChanged]);

  // NOT_OPEN means this device's idea of the server clock was off: sync again.
  useEffect(() => {
    if (claim.kind === 'notOpen') void syncServerClock();
  }, [claim.kind]);

  const channel = isChannel(release.channel) ? t(`subsidies.channel.${release.channel}`) : release.channel;
  const percentLeft = release.stock > 0 ? Math.round((release.remaining / release.stock) * 100) : 0;

  return (
    <article className="subsidy-release citizen-card" aria-labelledby={headingId} data-testid={`release-${release.id}`} data-view={view.kind}>
      <header className="subsidy-release-head">
        <h3 id={headingId} className="citizen-card-title">
          {programme ? localised(programme.name, lang) : release.programme}
          <span className="subsidy-channel">{channel}</span>
        </h3>
        <span className={`subsidy-phase subsidy-phase-${phase}`} data-testid="release-phase">
          {t(`subsidies.phase.${phase}`)}
        </span>
      </header>
      <p className="subsidy-line">
        {t('citizen.subsidies.release.opensAt', { time: formatCivilDateTime(release.opensAt) })}
      </p>
      <div className="subsidy-stock">
        <p className="subsidy-line" data-testid="release-remaining">
          {t('citizen.subsidies.release.stock', { remaining: formatCount(release.remaining, lang), stock: formatCount(release.stock, lang) })}
        </p>
        {/* The sentence above carries the figures; the bar only repeats them visually. */}
        <div aria-hidden="true">
          <ProgressBar percent={percentLeft} className="subsidy-progress" />
        </div>
      </div>
      {phase === 'upcoming' && (
        <p className="subsidy-countdown" role="timer" data-testid="countdown">
          {synced
            ? t('citizen.subsidies.release.countdown', { time: formatCountdown(opensAt - now, t) })
            : t('citizen.subsidies.release.syncing')}
        </p>
      )}
      <ClaimButton view={view} onPress={() => void press()} />
      <div className="subsidy-message" aria-live="polite" data-testid="claim-message">
        <ClaimMessage view={view} release={release} programme={programme} quota={quota} now={now} />
      </div>
      {canRetry(view) && (
        <Button block size="large" className="citizen-button subsidy-retry" onClick={() => void press()} data-testid="claim-retry">
          {view.kind === 'location' || view.kind === 'outsideCity' ? t('citizen.subsidies.action.retryLocation') : t('citizen.subsidies.action.retry')}
        </Button>
      )}
      {view.kind === 'success' && (
        <div className="subsidy-after">
          <Link to="/citizen/subsidies/coupons" className="citizen-big-button subsidy-secondary-link" data-testid="view-coupons">
            {t('citizen.subsidies.action.viewCoupons')}
          </Link>
          {quota === undefined || (quota.monthUsed < quota.monthQuota && quota.yearUsed < quota.yearQuota) ? (
            <Button block size="large" className="citizen-button" onClick={reset}>
              {t('citizen.subsidies.action.claimAnother')}
            </Button>
          ) : null}
        </div>
      )}
    </article>
  );
}

function ClaimButton({ view, onPress }: { view: CardView; onPress: () => void }) {
  const { t } = useTranslation();
  if (view.kind === 'signIn') {
    return (
      <a className="citizen-big-button subsidy-claim-button" href={signInUrl(RETURN_TO)} data-testid="claim-button" data-state="signIn">
        {t('citizen.subsidies.button.signIn')}
      </a>
    );
  }
  const enabled = view.kind === 'open';
  const busy = view.kind === 'locating' || view.kind === 'claiming' || view.kind === 'queued';
  return (
    <Button
      block
      size="large"
      color={enabled ? 'primary' : 'default'}
      className={`subsidy-claim-button subsidy-claim-${view.kind}`}
      disabled={!enabled}
      aria-busy={busy || undefined}
      onClick={enabled ? onPress : undefined}
      data-testid="claim-button"
      data-state={view.kind}
    >
      {t(`citizen.subsidies.button.${view.kind}`)}
    </Button>
  );
}

function ClaimMessage({
  view,
  release,
  programme,
  quota,
  now,
}: {
  view: CardView;
  release: SubsidyRelease;
  programme: SubsidyProgramme | undefined;
  quota: QuotaUse | undefined;
  now: number;
}) {
  const { t } = useTranslation();
  switch (view.kind) {
    case 'queued':
      return (
        <p>
          {t('citizen.subsidies.message.queued', { position: view.position, seconds: Math.max(1, view.estimatedWaitSeconds) })}
          {view.reconnecting && <> {t('citizen.subsidies.message.reconnecting')}</>}
        </p>
      );
    case 'success':
      return (
        <div className="subsidy-success" data-testid="claim-success">
          <p className="subsidy-success-title">{t('citizen.subsidies.message.success')}</p>
          <p data-testid="coupon-expiry">
            {t('citizen.subsidies.message.successExpiry', {
              expiresAt: formatCivilDateTime(view.coupon.expiresAt),
              days: daysLeft(view.coupon.expiresAt, now),
            })}
          </p>
          <p>{t('citizen.subsidies.message.successNext')}</p>
        </div>
      );
    case 'soldOut': {
      const next = programme ? nextScheduledRelease(programme, release.month) : undefined;
      return (
        <p>
          {t('citizen.subsidies.message.soldOut')}{' '}
          <span data-testid="next-release">
            {next ? t('citizen.subsidies.message.nextRelease', { time: formatCivilDateTime(next.opensAt) }) : t('citizen.subsidies.message.noNextRelease')}
          </span>
        </p>
      );
    }
    case 'quotaMonth':
      return (
        <p>
          {t('citizen.subsidies.message.quotaMonth', {
            used: quota?.monthUsed ?? programme?.quota.month ?? '',
            quota: quota?.monthQuota ?? programme?.quota.month ?? '',
          })}
        </p>
      );
    case 'quotaYear':
      return (
        <p>
          {t('citizen.subsidies.message.quotaYear', {
            used: quota?.yearUsed ?? programme?.quota.year ?? '',
            quota: quota?.yearQuota ?? programme?.quota.year ?? '',
          })}
        </p>
      );
    case 'location':
      return <p>{t(`citizen.subsidies.message.location.${view.problem}`)}</p>;
    case 'busy':
      return <p>{t(view.code === 'LINE_FULL' ? 'citizen.subsidies.message.lineFull' : 'citizen.subsidies.message.rateLimited')}</p>;
    case 'error':
      return <p>{problemMessage(view.error, t)}</p>;
    case 'upcoming':
    case 'open':
    case 'signIn':
    case 'locating':
    case 'claiming':
    case 'outsideCity':
    case 'closed':
    case 'network':
    case 'notOpen':
    case 'idle':
      return <p>{t(`citizen.subsidies.message.${view.kind}`)}</p>;
  }
}
