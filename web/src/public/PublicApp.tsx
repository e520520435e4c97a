import { lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router-dom';
import { DesktopArea } from '../desktop/DesktopArea';
import { SimpleLayout } from '../desktop/SimpleLayout';
import { ComingSoonPage, DesktopNotFound } from '../desktop/ComingSoonPage';
import { PublicHome } from './PublicHome';

const PublicHallsMap = lazy(() => import('./halls/PublicHallsMap').then((module) => ({ default: module.PublicHallsMap })));
const HallDisplay = lazy(() => import('./halls/HallDisplay').then((module) => ({ default: module.HallDisplay })));

/** Public area (transparency dashboards and the halls map), open to everyone without signing in. */
export default function PublicApp() {
  const { t } = useTranslation();
  return (
    <DesktopArea>
      <SimpleLayout title={t('public.title')} home="/public">
        <Routes>
          <Route index element={<PublicHome />} />
          <Route
            path="dashboards/subsidies/*"
            element={<ComingSoonPage title={t('public.dashboards.subsidies.title')} home="/public" />}
          />
          <Route
            path="dashboards/services/*"
            element={<ComingSoonPage title={t('public.dashboards.services.title')} home="/public" />}
          />
          <Route path="map/*" element={<PublicHallsMap />} />
          <Route path="halls/:hallId/display" element={<HallDisplay />} />
          <Route path="*" element={<DesktopNotFound home="/public" />} />
        </Routes>
      </SimpleLayout>
    </DesktopArea>
  );
}
