import { Layout } from 'antd';
import { Link } from 'react-router-dom';
import { PrefsBar } from '../shared/PrefsBar';

/** Header of a desktop area: area name linking to its home, then the display settings. */
export function AreaHeader({ title, home }: { title: string; home: string }) {
  return (
    <Layout.Header className="desktop-header">
      <Link to={home} className="desktop-brand">
        <img src="/favicon.svg" alt="" width="28" height="28" />
        <span>{title}</span>
      </Link>
      <PrefsBar className="desktop-prefs" />
    </Layout.Header>
  );
}
