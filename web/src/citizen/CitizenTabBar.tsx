import { TabBar } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { Icon, type IconName } from '../shared/Icon';

type TabKey = 'home' | 'services' | 'me';

const TABS: readonly { key: TabKey; path: string; icon: IconName }[] = [
  { key: 'home', path: '/citizen', icon: 'home' },
  { key: 'services', path: '/citizen/services', icon: 'services' },
  { key: 'me', path: '/citizen/me', icon: 'user' },
];

/** Which tab a citizen path belongs to; module pages count as "services". */
export function activeTab(pathname: string): TabKey | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/citizen') return 'home';
  if (path.startsWith('/citizen/me')) return 'me';
  if (path.startsWith('/citizen/')) return 'services';
  return undefined;
}

/** Bottom navigation; each tab is a real link so it works with the keyboard and screen readers. */
export function CitizenTabBar() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const active = activeTab(pathname);
  return (
    <nav className="citizen-tabbar" aria-label={t('citizen.tabs.label')}>
      <TabBar
        activeKey={active ?? null}
        safeArea
        onChange={(key) => {
          const tab = TABS.find((x) => x.key === key);
          if (tab) navigate(tab.path);
        }}
      >
        {TABS.map((tab) => (
          <TabBar.Item
            key={tab.key}
            title={
              <Link
                to={tab.path}
                className="citizen-tab-link"
                aria-current={active === tab.key ? 'page' : undefined}
                onClick={(e) => e.stopPropagation()}
              >
                <Icon name={tab.icon} className="citizen-tab-icon" />
                <span>{t(`citizen.tabs.${tab.key}`)}</span>
              </Link>
            }
          />
        ))}
      </TabBar>
    </nav>
  );
}
