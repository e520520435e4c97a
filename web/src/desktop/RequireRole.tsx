import type { ReactNode } from 'react';
import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { Icon } from '../shared/Icon';
import { sortRoles } from '../shared/roles';
import { signInUrl, useSession, type Session } from '../shared/session';
import { ProblemAlert } from './ProblemAlert';

/** Roles in plain words, in the platform's order, e.g. "平台管理员、市民". */
export function useRoleNames(): (roles: readonly string[]) => string[] {
  const { t } = useTranslation();
  return (roles) => sortRoles(roles).map((role) => t(`roles.${role}`, { defaultValue: role }));
}

/**
 * Shows `children` only to a signed-in user that `allow` accepts; otherwise a page with `title`
 * that says plainly what is missing: signing in, or a role. The server checks again on every call.
 */
export function RequireRole({
  title,
  home,
  allow,
  children,
}: {
  title: string;
  home: string;
  allow?: (session: Session) => boolean;
  children: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const roleNames = useRoleNames();
  const { state } = session;
  if (state.status === 'signedIn' && (!allow || allow(session))) return <>{children}</>;

  let body: ReactNode;
  let kind: string = state.status;
  if (state.status === 'loading') {
    body = <p role="status">{t('session.loading')}</p>;
  } else if (state.status === 'error') {
    body = (
      <>
        <ProblemAlert error={state.error} />
        <p>
          <Button onClick={session.reload}>{t('session.retry')}</Button>
        </p>
      </>
    );
  } else if (state.status === 'signedOut') {
    body = (
      <Result
        className="access-result"
        icon={<Icon name="user" className="access-icon" />}
        title={t('session.signInRequired')}
        subTitle={t('session.signInRequiredDetail')}
        extra={
          <Button type="primary" href={signInUrl(`${location.pathname}${location.search}`)} data-testid="sign-in-required">
            {t('session.signIn')}
          </Button>
        }
      />
    );
  } else {
    kind = 'forbidden';
    const names = roleNames(state.me.roles);
    const separator = i18n.language === 'en' ? ', ' : '、';
    body = (
      <Result
        className="access-result"
        icon={<Icon name="key" className="access-icon" />}
        title={t('session.forbidden')}
        subTitle={t('session.forbiddenDetail', { roles: names.length > 0 ? names.join(separator) : t('session.noRoles') })}
        extra={<Link to={`${home}/me`}>{t('account.title')}</Link>}
      />
    );
  }
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{title}</h1>
      <div data-testid="access-state" data-state={kind}>
        {body}
      </div>
    </div>
  );
}
