import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router-dom';
import { DesktopArea } from '../desktop/DesktopArea';
import { SimpleLayout } from '../desktop/SimpleLayout';
import { ComingSoonPage, DesktopNotFound } from '../desktop/ComingSoonPage';
import { CounterHome, COUNTER_TOOLS } from './CounterHome';

/** Counter area (tills, hall windows, verifiers): tablet/desktop, antd. */
export default function CounterApp() {
  const { t } = useTranslation();
  return (
    <DesktopArea>
      <SimpleLayout title={t('counter.title')} home="/counter">
        <Routes>
          <Route index element={<CounterHome />} />
          {COUNTER_TOOLS.map((tool) => (
            <Route
              key={tool.key}
              path={`${tool.key}/*`}
              element={<ComingSoonPage title={t(`counter.tools.${tool.key}.title`)} home="/counter" />}
            />
          ))}
          <Route path="*" element={<DesktopNotFound home="/counter" />} />
        </Routes>
      </SimpleLayout>
    </DesktopArea>
  );
}
