import { useCallback, useState } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { Icon } from '../../shared/Icon';
import { serverNow, useServerNow, useServerClockSync } from '../../shared/serverClock';
import { signInUrl, useSession } from '../../shared/session';
import { civilMonth, localised, monthLabel, type SubsidyProgramme, type SubsidyRelease } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { ProblemAlert } from '../ProblemAlert';
import { loadProgrammes, loadQuota, loadReleases, releasesPollMs, sortReleases } from './data';
import { currentPosition, LocationError, type LocationProblem } from '../../shared/location';
import { ProgrammeInfo } from './ProgrammeInfo';
import { ReleaseCard } from './ReleaseCard';

const RETURN_TO = '/citizen/subsidies';

/** Every few seconds near and after an opening, else every minute (decided after each load). */
const releasesInterval = (releases: SubsidyRelease[] | undefined) => releasesPollMs(releases, serverNow());

/** /citizen/subsidies: this month's coupon releases with live stock and the claim button, my quota, and the rules. */
export function SubsidiesHome() {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const signedIn = session.state.status === 'signedIn';
  const { synced } = useServerClockSync();
  const now = useServerNow();
  const programmes = usePolled('programmes', loadProgrammes, null);
  const releases = usePolled('releases', loadReleases, releasesInterval);
  const quota = usePolled(`quota:${signedIn}`, signedIn && session.isResident ? loadQuota : null, null);

  const reloadReleases = releases.reload;
  const reloadQuota = quota.reload;
  const onChanged = useCallback(() => {
    reloadReleases();
    reloadQuota();
  }, [reloadReleases, reloadQuota]);

  const list = releases.data ? sortReleases(releases.data, programmes.data ?? []) : undefined;
  const month = releases.data?.[0]?.month ?? civilMonth(now);
  const programmeOf = (id: string): SubsidyProgramme | undefined => programmes.data?.find((p) => p.id === id);

  return (
    <>
      <h1 className="citizen-title">{t('modules.subsidies.title')}</h1>
      <p className="citizen-intro">{t('citizen.subsidies.intro')}</p>
      <p className="subsidy-top-links">
        <Link to="/citizen/subsidies/coupons" className="subsidy-link" data-testid="my-coupons-link">
          <Icon name="certificate" />
          <span>{t('citizen.subsidies.myCoupons')}</span>
        </Link>
      </p>

      {session.state.status === 'signedOut' && (
        <section className="citizen-card" aria-labelledby="subsidy-signin-lead">
          <p id="subsidy-signin-lead" className="citizen-card-lead">
            {t('citizen.subsidies.signInLead')}
          </p>
          <a className="citizen-big-button" href={signInUrl(RETURN_TO)} data-testid="sign-in">
            <Icon name="user" />
            <span>{t('citizen.me.signIn')}</span>
          </a>
        </section>
      )}
      {signedIn && !session.isResident && <p className="citizen-intro">{t('citizen.subsidies.residentsOnly')}</p>}

      <section aria-labelledby="subsidy-releases-heading">
        <h2 id="subsidy-releases-heading" className="citizen-subtitle">
          {t('citizen.subsidies.releasesTitle', { month: monthLabel(month, lang) })}
        </h2>
        {releases.error !== undefined && (
          <>
            <ProblemAlert error={releases.error} />
            <Button block size="large" className="citizen-button" onClick={releases.reload}>
              {t('citizen.subsidies.action.retry')}
            </Button>
          </>
        )}
        {list === undefined && releases.error === undefined && (
          <p className="citizen-intro" role="status">
            {t('citizen.subsidies.loading')}
          </p>
        )}
        {list?.length === 0 && <p className="citizen-intro">{t('citizen.subsidies.noReleases')}</p>}
        <div className="subsidy-releases">
          {list?.map((release) => (
            <ReleaseCard
              key={release.id}
              release={release}
              programme={programmeOf(release.programme)}
              quota={quota.data?.find((q) => q.programme === release.programme)}
              now={now}
              synced={synced}
              signedIn={signedIn && session.isResident}
              onChanged={onChanged}
            />
          ))}
        </div>
      </section>

      {signedIn && session.isResident && (
        <section aria-labelledby="subsidy-quota-heading">
          <h2 id="subsidy-quota-heading" className="citizen-subtitle">
            {t('citizen.subsidies.quota.title')}
          </h2>
          {quota.error !== undefined && <ProblemAlert error={quota.error} />}
          {quota.data === undefined && quota.error === undefined && (
            <p className="citizen-intro" role="status">
              {t('citizen.subsidies.loading')}
            </p>
          )}
          <ul className="subsidy-quota-list">
            {quota.data?.map((q) => {
              const programme = programmeOf(q.programme);
              return (
                <li key={q.programme} className="citizen-card subsidy-quota" data-testid={`quota-${q.programme}`}>
                  <h3 className="citizen-card-title">{programme ? localised(programme.name, lang) : q.programme}</h3>
                  <p className="subsidy-line">{t('citizen.subsidies.quota.month', { used: q.monthUsed, quota: q.monthQuota })}</p>
                  <p className="subsidy-line">{t('citizen.subsidies.quota.year', { used: q.yearUsed, quota: q.yearQuota })}</p>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <LocationNote />

      <section aria-labelledby="subsidy-rules-heading">
        <h2 id="subsidy-rules-heading" className="citizen-subtitle">
          {t('citizen.subsidies.programme.title')}
        </h2>
        {programmes.error !== undefined && <ProblemAlert error={programmes.error} />}
        {programmes.data?.map((programme) => <ProgrammeInfo key={programme.id} programme={programme} />)}
      </section>
    </>
  );
}

type LocationCheck = { kind: 'idle' } | { kind: 'checking' } | { kind: 'ready' } | { kind: 'problem'; problem: LocationProblem };

/** Why the position is needed (TI-05), what is kept (the district only), and a way to allow it before the rush. */
function LocationNote() {
  const { t } = useTranslation();
  const [check, setCheck] = useState<LocationCheck>({ kind: 'idle' });
  const run = async () => {
    setCheck({ kind: 'checking' });
    try {
      // Only asks the browser; the position is not sent anywhere until a coupon is claimed.
      await currentPosition();
      setCheck({ kind: 'ready' });
    } catch (error) {
      setCheck({ kind: 'problem', problem: error instanceof LocationError ? error.problem : 'unavailable' });
    }
  };
  return (
    <section className="citizen-card subsidy-location" aria-labelledby="subsidy-location-heading">
      <h2 id="subsidy-location-heading" className="citizen-card-title">
        <Icon name="location" /> {t('citizen.subsidies.location.title')}
      </h2>
      <p>{t('citizen.subsidies.location.why')}</p>
      <p>{t('citizen.subsidies.location.privacy')}</p>
      <Button
        block
        size="large"
        className="citizen-button"
        loading={check.kind === 'checking'}
        loadingText={t('citizen.subsidies.location.checking')}
        onClick={() => void run()}
        data-testid="location-check"
      >
        {t('citizen.subsidies.location.check')}
      </Button>
      <div aria-live="polite" className="subsidy-message" data-testid="location-status">
        {check.kind === 'ready' && <p>{t('citizen.subsidies.location.ready')}</p>}
        {check.kind === 'problem' && <p>{t(`citizen.subsidies.message.location.${check.problem}`)}</p>}
      </div>
    </section>
  );
}
