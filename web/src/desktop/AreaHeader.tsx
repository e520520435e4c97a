import { Layout } from 'antd';
import { Link } from 'react-router-dom';
import { PrefsBar } from '../shared/PrefsBar';
import { AccountControl } from './AccountControl';

/**
 * Header of a desktop area: area name linking to its home, the display settings and, in staff areas
 * (`account`, inside a SessionProvider), the signed-in name or a sign-in button.
 */
export function AreaHeader({ title, home, account = false }: { title: string; home: string; account?: boolean }) {
  return (
    <Layout.Header className="desktop-header">
      <Link to={home} className="desktop-brand">
        <img src="/favicon.svg" alt="" width="28" height="28" />
        <span>{title}</span>
      </Link>
      <PrefsBar className="desktop-prefs" />
      {account && <AccountControl home={home} />}
    </Layout.Header>
  );
}
