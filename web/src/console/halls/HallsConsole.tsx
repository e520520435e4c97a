import { lazy } from 'react';
import { Menu } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { RequireRole } from '../../desktop/RequireRole';
import { DesktopNotFound } from '../../desktop/ComingSoonPage';
import { hasAnyRole } from '../../shared/roles';
import { useSession } from '../../shared/session';
import '../../counter/halls/counter-halls.css';
import './console-halls.css';
import { tr } from '../../public/halls/common/i18n';

const HallsAdmin = lazy(() => import('./HallsAdmin'));
const CatalogueAdmin = lazy(() => import('./CatalogueAdmin'));
const ReviewsConsole = lazy(() => import('./ReviewsConsole'));
const QualityReportPage = lazy(() => import('./QualityReportPage'));
const PolicyPage = lazy(() => import('./PolicyPage'));
const TagsPage = lazy(() => import('./TagsPage'));

export const HALL_ADMINS = ['admin_halls', 'admin_platform'];
const HALL_CONSOLE_ROLES = ['window_officer', 'lobby_officer', 'hall_manager', ...HALL_ADMINS];

const TABS = [
  { key: 'halls', path: '/console/halls', admin: false },
  { key: 'catalogue', path: '/console/halls/catalogue', admin: true },
  { key: 'reviews', path: '/console/halls/reviews', admin: false },
  { key: 'quality', path: '/console/halls/quality', admin: false },
  { key: 'policy', path: '/console/halls/policy', admin: true },
] as const;

/** 网点管理: halls and windows, the catalogue, entrance tags, the review console, the quality report, the policy. */
export default function HallsConsole() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('halls.console.title')} home="/console" allow={(session) => hasAnyRole(session.roles, HALL_CONSOLE_ROLES)}>
      <HallsConsoleBody />
    </RequireRole>
  );
}

function HallsConsoleBody() {
  const { t } = useTranslation();
  const session = useSession();
  const { pathname } = useLocation();
  const admin = hasAnyRole(session.roles, HALL_ADMINS);
  const tabs = TABS.filter((tab) => admin || !tab.admin);
  const selected = [...tabs].reverse().find((tab) => pathname === tab.path || pathname.startsWith(`${tab.path}/`))?.key ?? 'halls';
  return (
    <div className="desktop-page">
      <nav aria-label={t('halls.console.tabs')}>
        <Menu mode="horizontal" selectedKeys={[selected]} items={tabs.map((tab) => ({ key: tab.key, label: <Link to={tab.path}>{tr(t, `halls.console.tab.${tab.key}`)}</Link> }))} />
      </nav>
      <Routes>
        <Route index element={<HallsAdmin />} />
        <Route path="catalogue" element={<CatalogueAdmin />} />
        <Route path="reviews" element={<ReviewsConsole />} />
        <Route path="quality" element={<QualityReportPage />} />
        <Route path="policy" element={<PolicyPage />} />
        <Route path=":hallId/tags" element={<TagsPage />} />
        <Route path="*" element={<DesktopNotFound home="/console/halls" />} />
      </Routes>
    </div>
  );
}
