import { useId } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { Icon } from '../../shared/Icon';
import { useServerNow } from '../../shared/serverClock';
import { signInUrl, useSession } from '../../shared/session';
import {
  daysLeft,
  formatCivilDateTime,
  isChannel,
  localised,
  monthLabel,
  type Coupon,
  type SubsidyProgramme,
} from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { ProblemAlert } from '../ProblemAlert';
import { loadCoupons, loadProgrammes } from './data';

const RETURN_TO = '/citizen/subsidies/coupons';
const STATUSES = ['claimed', 'exchanged', 'expired'] as const;
type KnownStatus = (typeof STATUSES)[number];

function knownStatus(status: string): KnownStatus | undefined {
  return (STATUSES as readonly string[]).includes(status) ? (status as KnownStatus) : undefined;
}

/** /citizen/subsidies/coupons: my coupons with programme, channel, month, expiry (days left) and status in words. */
export function MyCoupons() {
  const { t } = useTranslation();
  const session = useSession();
  const signedIn = session.state.status === 'signedIn' && session.isResident;
  const coupons = usePolled('coupons', signedIn ? loadCoupons : null, null);
  const programmes = usePolled('programmes', loadProgrammes, null);
  return (
    <>
      <h1 className="citizen-title">{t('citizen.subsidies.coupons.title')}</h1>
      <p className="citizen-intro">{t('citizen.subsidies.coupons.intro')}</p>
      <p className="citizen-back">
        <Link to="/citizen/subsidies">{t('citizen.subsidies.coupons.back')}</Link>
      </p>
      {session.state.status === 'loading' && (
        <p className="citizen-intro" role="status">
          {t('citizen.me.loading')}
        </p>
      )}
      {session.state.status === 'error' && <ProblemAlert error={session.state.error} />}
      {session.state.status === 'signedOut' && (
        <section className="citizen-card" aria-labelledby="coupons-signin-lead">
          <p id="coupons-signin-lead" className="citizen-card-lead">
            {t('citizen.subsidies.coupons.signInLead')}
          </p>
          <a className="citizen-big-button" href={signInUrl(RETURN_TO)} data-testid="sign-in">
            <Icon name="user" />
            <span>{t('citizen.me.signIn')}</span>
          </a>
        </section>
      )}
      {session.state.status === 'signedIn' && !session.isResident && <p className="citizen-intro">{t('citizen.subsidies.residentsOnly')}</p>}
      {signedIn && (
        <>
          {coupons.error !== undefined && (
            <>
              <ProblemAlert error={coupons.error} />
              <Button block size="large" className="citizen-button" onClick={coupons.reload}>
                {t('citizen.subsidies.action.retry')}
              </Button>
            </>
          )}
          {coupons.data === undefined && coupons.error === undefined && (
            <p className="citizen-intro" role="status">
              {t('citizen.subsidies.loading')}
            </p>
          )}
          {coupons.data?.length === 0 && (
            <section className="citizen-card">
              <p className="citizen-card-lead">{t('citizen.subsidies.coupons.empty')}</p>
              <Link to="/citizen/subsidies" className="citizen-big-button">
                {t('citizen.subsidies.coupons.goClaim')}
              </Link>
            </section>
          )}
          {coupons.data && coupons.data.length > 0 && (
            <ul className="subsidy-coupons" data-testid="coupon-list">
              {coupons.data.map((coupon) => (
                <li key={coupon.id}>
                  <CouponCard coupon={coupon} programme={programmes.data?.find((p) => p.id === coupon.programme)} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function CouponCard({ coupon, programme }: { coupon: Coupon; programme: SubsidyProgramme | undefined }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const headingId = useId();
  const now = useServerNow(60_000);
  const status = knownStatus(coupon.status);
  const left = daysLeft(coupon.expiresAt, now);
  const expired = status === 'expired' || (status === 'claimed' && left === 0);
  const shownStatus: KnownStatus | undefined = expired ? 'expired' : status;
  const channel = isChannel(coupon.channel) ? t(`subsidies.channel.${coupon.channel}`) : coupon.channel;
  return (
    <article className="citizen-card subsidy-coupon" aria-labelledby={headingId} data-testid={`coupon-${coupon.id}`} data-status={shownStatus ?? coupon.status}>
      <header className="subsidy-release-head">
        <h2 id={headingId} className="citizen-card-title">
          {programme ? localised(programme.name, lang) : coupon.programme}
        </h2>
        <span className={`subsidy-coupon-status subsidy-coupon-${shownStatus ?? 'other'}`} data-testid="coupon-status">
          <span aria-hidden="true">{shownStatus === 'claimed' ? '●' : shownStatus === 'exchanged' ? '✓' : '○'} </span>
          {shownStatus ? t(`subsidies.couponStatus.${shownStatus}`) : coupon.status}
        </span>
      </header>
      <dl className="citizen-profile">
        <div className="citizen-profile-row">
          <dt>{t('citizen.subsidies.coupons.channel')}</dt>
          <dd>{channel}</dd>
        </div>
        <div className="citizen-profile-row">
          <dt>{t('citizen.subsidies.coupons.month')}</dt>
          <dd>{monthLabel(coupon.month, lang)}</dd>
        </div>
        <div className="citizen-profile-row">
          <dt>{t('citizen.subsidies.coupons.expiresAt')}</dt>
          <dd data-testid="coupon-expiry">
            {formatCivilDateTime(coupon.expiresAt)}
            {shownStatus === 'claimed' && <span className="subsidy-days-left"> {t('citizen.subsidies.coupons.daysLeft', { days: left })}</span>}
          </dd>
        </div>
        <div className="citizen-profile-row">
          <dt>{t('citizen.subsidies.coupons.claimedAt')}</dt>
          <dd>{formatCivilDateTime(coupon.claimedAt)}</dd>
        </div>
        <div className="citizen-profile-row">
          <dt>{t('citizen.subsidies.coupons.number')}</dt>
          <dd className="citizen-masked">{coupon.id}</dd>
        </div>
      </dl>
      {shownStatus === 'claimed' && <p className="citizen-hint">{t('citizen.subsidies.coupons.claimedHint')}</p>}
    </article>
  );
}
