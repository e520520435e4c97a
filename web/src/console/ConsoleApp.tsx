import { Layout, Menu } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { DesktopArea } from '../desktop/DesktopArea';
import { AreaHeader } from '../desktop/AreaHeader';
import { AreaFooter } from '../desktop/AreaFooter';
import { ComingSoonPage, DesktopNotFound } from '../desktop/ComingSoonPage';
import { Icon } from '../shared/Icon';
import { useLargeText } from '../shared/largeText';
import { CONSOLE_SECTIONS, type ConsoleSectionKey } from './sections';
import { ConsoleOverview } from './ConsoleOverview';

/** Menu key for the current path, so the side menu highlights the open section. */
export function consoleSection(pathname: string): ConsoleSectionKey {
  const segment = pathname.replace(/^\/console\/?/, '').split('/')[0] ?? '';
  const found = CONSOLE_SECTIONS.find((s) => s.key === segment);
  return found ? found.key : 'overview';
}

/** Staff and administrators' console: antd Layout with a side menu; each section is its own route. */
export default function ConsoleApp() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const selected = consoleSection(pathname);
  const large = useLargeText();
  return (
    <DesktopArea>
      <Layout className="desktop-layout">
        <AreaHeader title={t('console.title')} home="/console" />
        <Layout hasSider>
          <Layout.Sider className="console-sider" width={large ? 320 : 240} breakpoint="lg" collapsedWidth={72}>
            <nav aria-label={t('console.menuLabel')}>
              <Menu
                mode="inline"
                selectedKeys={[selected]}
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
                {CONSOLE_SECTIONS.filter((s) => s.key !== 'overview').map((s) => (
                  <Route
                    key={s.key}
                    path={`${s.key}/*`}
                    element={<ComingSoonPage title={t(`console.menu.${s.key}`)} home="/console" />}
                  />
                ))}
                <Route path="*" element={<DesktopNotFound home="/console" />} />
              </Routes>
            </Layout.Content>
            <AreaFooter />
          </Layout>
        </Layout>
      </Layout>
    </DesktopArea>
  );
}
