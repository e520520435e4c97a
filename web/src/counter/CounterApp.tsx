import { lazy, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router-dom';
import { DesktopArea } from '../desktop/DesktopArea';
import { SimpleLayout } from '../desktop/SimpleLayout';
import { ComingSoonPage, DesktopNotFound } from '../desktop/ComingSoonPage';
import { AccountPage } from '../desktop/AccountPage';
import { SessionProvider } from '../shared/session';
import { CounterHome, COUNTER_TOOLS, type CounterToolKey } from './CounterHome';
import { TillPage } from './till/TillPage';
import { SalesPage } from './sales/SalesPage';

const WindowConsole = lazy(() => import('./halls/WindowConsole').then((module) => ({ default: module.WindowConsole })));
const LobbyTriage = lazy(() => import('./halls/LobbyTriage').then((module) => ({ default: module.LobbyTriage })));

/** Pages of the tools that are built; the others show "coming soon". */
const TOOL_PAGES: Partial<Record<CounterToolKey, ComponentType>> = {
  till: TillPage,
  sales: SalesPage,
  window: WindowConsole,
  lobby: LobbyTriage,
};

/** Counter area (tills, hall windows, verifiers): tablet/desktop, antd. */
export default function CounterApp() {
  const { t } = useTranslation();
  return (
    <DesktopArea>
      <SessionProvider home="/counter">
        <SimpleLayout title={t('counter.title')} home="/counter" account>
          <Routes>
            <Route index element={<CounterHome />} />
            <Route path="me" element={<AccountPage home="/counter" />} />
            {COUNTER_TOOLS.map((tool) => {
              const Page = TOOL_PAGES[tool.key];
              return (
                <Route
                  key={tool.key}
                  path={`${tool.key}/*`}
                  element={Page ? <Page /> : <ComingSoonPage title={t(`counter.tools.${tool.key}.title`)} home="/counter" />}
                />
              );
            })}
            <Route path="*" element={<DesktopNotFound home="/counter" />} />
          </Routes>
        </SimpleLayout>
      </SessionProvider>
    </DesktopArea>
  );
}
