import { lazy, type ComponentType } from 'react';
import { Layout, Menu } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { DesktopArea } from '../desktop/DesktopArea';
import { AreaHeader } from '../desktop/AreaHeader';
import { AreaFooter } from '../desktop/AreaFooter';
import { ComingSoonPage, DesktopNotFound } from '../desktop/ComingSoonPage';
import { AccountPage } from '../desktop/AccountPage';
import { Icon } from '../shared/Icon';
import { useLargeText } from '../shared/largeText';
import { SessionProvider } from '../shared/session';
import { CONSOLE_SECTIONS, type ConsoleSectionKey } from './sections';
import { ConsoleOverview } from './ConsoleOverview';
import { ConsoleClients } from './ConsoleClients';
import { ConsoleSubsidies } from './subsidies/ConsoleSubsidies';
import { RedemptionConsole } from './redemption/RedemptionConsole';

const HallsConsole = lazy(() => import('./halls/HallsConsole'));

/** Menu key for the current path, so the side menu highlights the open section (none for pages outside the menu). */
export function consoleSection(pathname: string): ConsoleSectionKey | undefined {
  // A section whose path lies inside another's (e.g. /console/subsidies/quota) wins over its parent.
  const nested = CONSOLE_SECTIONS.find((s) => s.path.split('/').length > 3 && (pathname === s.path || pathname.startsWith(`${s.path}/`)));
  if (nested) return nested.key;
  const segment = pathname.replace(/^\/console\/?/, '').split('/')[0] ?? '';
  if (segment === '') return 'overview';
  return CONSOLE_SECTIONS.find((s) => s.key === segment)?.key;
}

/** Pages of the sections that are built; the others show "coming soon". */
const SECTION_PAGES: Partial<Record<ConsoleSectionKey, ComponentType>> = {
  clients: ConsoleClients,
  subsidies: ConsoleSubsidies,
  redemption: RedemptionConsole,
  halls: HallsConsole,
};

/** Staff and administrators' console: antd Layout with a side menu; each section is its own route. */
export default function ConsoleApp() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const selected = consoleSection(pathname);
  const large = useLargeText();
  return (
    <DesktopArea>
      <SessionProvider home="/console">
        <Layout className="desktop-layout">
          <AreaHeader title={t('console.title')} home="/console" account />
          <Layout hasSider>
            <Layout.Sider className="console-sider" width={large ? 320 : 240} breakpoint="lg" collapsedWidth={72}>
              <nav aria-label={t('console.menuLabel')}>
                <Menu
                  mode="inline"
                  selectedKeys={selected ? [selected] : []}
                  items={CONSOLE_SECTIONS.map((s) => ({
                    key: s.key,
                    icon: <Icon name={s.icon} />,
                    label: <Link to={s.path}>{t(`console.menu.${s.key}`)}</Link>,
                  }))}
                />
              </nav>
            </Layout.Sider>
            <Layout>
              <Layout.Content id="main" tabIndex={-1} className="desktop-content">
                <Routes>
                  <Route index element={<ConsoleOverview />} />
                  <Route path="me" element={<AccountPage home="/console" />} />
                  {CONSOLE_SECTIONS.filter((s) => s.key !== 'overview' && s.path === `/console/${s.key}`).map((s) => {
                    const Page = SECTION_PAGES[s.key];
                    return (
                      <Route
                        key={s.key}
                        path={`${s.key}/*`}
                        element={Page ? <Page /> : <ComingSoonPage title={t(`console.menu.${s.key}`)} home="/console" />}
                      />
                    );
                  })}
                  <Route path="*" element={<DesktopNotFound home="/console" />} />
                </Routes>
              </Layout.Content>
              <AreaFooter />
            </Layout>
          </Layout>
        </Layout>
      </SessionProvider>
    </DesktopArea>
  );
}
