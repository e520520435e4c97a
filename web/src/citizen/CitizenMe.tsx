import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../i18n';
import { districtName } from '../shared/districts';
import { Icon } from '../shared/Icon';
import { signInUrl, useSession, type Me } from '../shared/session';
import { ProblemAlert } from './ProblemAlert';

const RETURN_TO = '/citizen/me';

/** "我的" tab: real-name sign-in, then the resident's own details (masked), sign-out and how data is protected. */
export function CitizenMe() {
  const { t } = useTranslation();
  const session = useSession();
  const { state } = session;
  return (
    <>
      <h1 className="citizen-title">{t('citizen.me.title')}</h1>
      {state.status === 'loading' && (
        <p className="citizen-intro" role="status">
          {t('citizen.me.loading')}
        </p>
      )}
      {state.status === 'error' && (
        <>
          <ProblemAlert error={state.error} />
          <Button block size="large" className="citizen-button" onClick={session.reload}>
            {t('citizen.me.retry')}
          </Button>
        </>
      )}
      {state.status === 'signedOut' && <SignedOut />}
      {state.status === 'signedIn' && <Profile me={state.me} />}
      <PrivacyNote />
    </>
  );
}

function SignedOut() {
  const { t } = useTranslation();
  return (
    <section className="citizen-card" aria-labelledby="citizen-signin-intro">
      <p id="citizen-signin-intro" className="citizen-card-lead">
        {t('citizen.me.signedOutIntro')}
      </p>
      {/* A link, not a script action: signing in is a page of its own and works without JavaScript. */}
      <a className="citizen-big-button" href={signInUrl(RETURN_TO)} data-testid="sign-in">
        <Icon name="user" />
        <span>{t('citizen.me.signIn')}</span>
      </a>
      <p className="citizen-hint">{t('citizen.me.signInHint')}</p>
    </section>
  );
}

function Profile({ me }: { me: Me }) {
  const { t } = useTranslation();
  const session = useSession();
  const lang = currentLang();
  const masked = !!(me.idNumberMasked || me.phoneMasked);
  const rows: { key: string; label: string; value: string; masked?: boolean }[] = [
    { key: 'name', label: t('citizen.me.name'), value: me.name ?? t('session.unnamed') },
  ];
  if (me.idNumberMasked) rows.push({ key: 'id-number', label: t('citizen.me.idNumber'), value: me.idNumberMasked, masked: true });
  if (me.phoneMasked) rows.push({ key: 'phone', label: t('citizen.me.phone'), value: me.phoneMasked, masked: true });
  if (me.districtCode) rows.push({ key: 'district', label: t('citizen.me.district'), value: districtName(me.districtCode, lang) });
  return (
    <>
      <section className="citizen-card" aria-labelledby="citizen-profile-heading">
        <h2 id="citizen-profile-heading" className="citizen-card-title">
          {t('citizen.me.profile')}
        </h2>
        <dl className="citizen-profile">
          {rows.map((row) => (
            <div key={row.key} className="citizen-profile-row">
              <dt>{row.label}</dt>
              <dd
                data-testid={`me-${row.key}`}
                className={row.masked ? 'citizen-masked' : undefined}
                aria-describedby={row.masked ? 'citizen-masked-hint' : undefined}
              >
                {row.value}
              </dd>
            </div>
          ))}
        </dl>
        {masked && (
          <p id="citizen-masked-hint" className="citizen-hint">
            {t('citizen.me.maskedHint')}
          </p>
        )}
      </section>
      {session.isStaff && !session.isResident && (
        <p className="citizen-intro">
          {t('citizen.me.staffNote')}{' '}
          <Link to={session.isAdmin ? '/console/me' : '/counter/me'} className="citizen-inline-link">
            {t('citizen.me.staffLink')}
          </Link>
        </p>
      )}
      <ProblemAlert error={session.signOutError} />
      <Button
        block
        size="large"
        className="citizen-button citizen-sign-out"
        loading={session.signingOut}
        loadingText={t('citizen.me.signingOut')}
        onClick={() => void session.signOut()}
        data-testid="sign-out"
      >
        {t('citizen.me.signOut')}
      </Button>
    </>
  );
}

function PrivacyNote() {
  const { t } = useTranslation();
  return (
    <section className="citizen-privacy" aria-labelledby="citizen-privacy-heading">
      <h2 id="citizen-privacy-heading" className="citizen-subtitle">
        {t('citizen.me.privacy.title')}
      </h2>
      <ul>
        <li>{t('citizen.me.privacy.encrypted')}</li>
        <li>{t('citizen.me.privacy.masked')}</li>
        <li>{t('citizen.me.privacy.logs')}</li>
        <li>{t('citizen.me.privacy.signOut')}</li>
      </ul>
    </section>
  );
}
