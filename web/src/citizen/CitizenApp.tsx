import { lazy } from 'react';
import { ConfigProvider } from 'antd-mobile';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import enUS from 'antd-mobile/es/locales/en-US';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes } from 'react-router-dom';
import { toLang } from '../i18n';
import { PrefsBar } from '../shared/PrefsBar';
import { SessionProvider } from '../shared/session';
import { CitizenTabBar } from './CitizenTabBar';
import { CitizenHome } from './CitizenHome';
import { CitizenServices } from './CitizenServices';
import { CitizenMe } from './CitizenMe';
import { CitizenComingSoon, CitizenNotFound } from './CitizenComingSoon';
import { CitizenSubsidies } from './subsidies/CitizenSubsidies';
import CitizenQualifications from './qualifications/CitizenQualifications';
import './citizen.css';

// The service-hall pages load on demand (they bring the map and its charts).
const HallsApp = lazy(() => import('./halls/HallsApp'));

/** Residents' mobile app shell (antd-mobile): session, header with display settings, routed pages, bottom tab bar. */
export default function CitizenApp() {
  const { t, i18n } = useTranslation();
  const locale = toLang(i18n.language) === 'en' ? enUS : zhCN;
  return (
    <ConfigProvider locale={locale}>
      <SessionProvider home="/citizen">
        <div className="citizen">
          <header className="citizen-header">
            <Link to="/citizen" className="citizen-brand">
              <img src="/favicon.svg" alt="" width="28" height="28" />
              <span>{t('citizen.title')}</span>
            </Link>
            <PrefsBar className="citizen-prefs" />
          </header>
          <main id="main" tabIndex={-1} className="citizen-main">
            <Routes>
              <Route index element={<CitizenHome />} />
              <Route path="services" element={<CitizenServices />} />
              <Route path="me" element={<CitizenMe />} />
              <Route path="subsidies/*" element={<CitizenSubsidies />} />
              <Route path="qualifications/*" element={<CitizenQualifications />} />
              <Route path="halls/*" element={<HallsApp />} />
              <Route path="certificates/*" element={<CitizenComingSoon module="certificates" />} />
              <Route path="*" element={<CitizenNotFound />} />
            </Routes>
          </main>
          <CitizenTabBar />
        </div>
      </SessionProvider>
    </ConfigProvider>
  );
}
