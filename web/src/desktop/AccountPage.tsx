import { Button, Card, Descriptions } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../i18n';
import { districtName } from '../shared/districts';
import { useSession, type Me } from '../shared/session';
import { ProblemAlert } from './ProblemAlert';
import { RequireRole, useRoleNames } from './RequireRole';

/** "My account" of the counter and console areas: who is signed in, their roles in plain words, sign-out. */
export function AccountPage({ home }: { home: string }) {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('account.title')} home={home}>
      <AccountDetails />
    </RequireRole>
  );
}

function AccountDetails() {
  const { t } = useTranslation();
  const session = useSession();
  const roleNames = useRoleNames();
  const me = session.me as Me;
  const items = [
    { key: 'name', label: t('account.name'), children: <span data-testid="account-field-name">{me.name ?? t('session.unnamed')}</span> },
    { key: 'kind', label: t('account.kind'), children: t(`account.kinds.${me.kind}`) },
    {
      key: 'roles',
      label: t('account.roles'),
      children: (
        <ul className="role-list" data-testid="account-roles">
          {roleNames(me.roles).map((name) => (
            <li key={name}>{name}</li>
          ))}
        </ul>
      ),
    },
  ];
  if (me.hallId) items.push({ key: 'hall', label: t('account.hall'), children: <code>{me.hallId}</code> });
  if (me.organisationId) items.push({ key: 'organisation', label: t('account.organisation'), children: <code>{me.organisationId}</code> });
  if (me.districtCode) items.push({ key: 'district', label: t('account.district'), children: districtName(me.districtCode, currentLang()) });
  items.push({ key: 'subject', label: t('account.subject'), children: <code>{me.subject}</code> });
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('account.title')}</h1>
      <p className="desktop-intro">{t('account.intro')}</p>
      <Card className="account-card" title={<h2 className="card-heading">{t('account.details')}</h2>}>
        <Descriptions bordered column={1} items={items} />
      </Card>
      <div className="account-actions">
        <ProblemAlert error={session.signOutError} />
        <Button danger loading={session.signingOut} onClick={() => void session.signOut()} data-testid="sign-out">
          {session.signingOut ? t('session.signingOut') : t('session.signOut')}
        </Button>
      </div>
    </div>
  );
}
