import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { Icon } from '../shared/Icon';
import { signInUrl, useSession } from '../shared/session';

/** Header control of a staff area: the signed-in name (opens the account page), or a sign-in button. */
export function AccountControl({ home }: { home: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  // Nothing while the session loads, so a signed-in user never sees a sign-in button flash by.
  if (session.state.status === 'loading') return null;
  if (session.me) {
    return (
      <Link to={`${home}/me`} className="desktop-account" data-testid="account-name">
        <Icon name="user" />
        <span>{t('session.signedInAs', { name: session.me.name ?? session.me.subject })}</span>
      </Link>
    );
  }
  return (
    <Button
      type="primary"
      className="desktop-sign-in"
      href={signInUrl(`${location.pathname}${location.search}`)}
      data-testid="sign-in"
    >
      {t('session.signIn')}
    </Button>
  );
}
