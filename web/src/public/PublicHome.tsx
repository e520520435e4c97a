import { useTranslation } from 'react-i18next';
import { LinkCard } from '../desktop/LinkCard';

/** Public home: links to the transparency dashboards and the halls map. */
export function PublicHome() {
  const { t } = useTranslation();
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('public.home.title')}</h1>
      <p className="desktop-intro">{t('public.home.intro')}</p>
      <section aria-labelledby="public-dashboards">
        <h2 id="public-dashboards" className="desktop-section-title">
          {t('public.home.dashboards')}
        </h2>
        <ul className="desktop-grid">
          <li>
            <LinkCard
              to="/public/dashboards/subsidies"
              icon="dashboard"
              title={t('public.dashboards.subsidies.title')}
              description={t('public.dashboards.subsidies.desc')}
              comingSoon
              headingLevel={3}
              testId="dashboard-subsidies"
            />
          </li>
          <li>
            <LinkCard
              to="/public/dashboards/services"
              icon="clock"
              title={t('public.dashboards.services.title')}
              description={t('public.dashboards.services.desc')}
              comingSoon
              headingLevel={3}
              testId="dashboard-services"
            />
          </li>
        </ul>
      </section>
      <section aria-labelledby="public-map">
        <h2 id="public-map" className="desktop-section-title">
          {t('public.home.map')}
        </h2>
        <ul className="desktop-grid">
          <li>
            <LinkCard
              to="/public/map"
              icon="map"
              title={t('public.map.title')}
              description={t('public.map.desc')}
              headingLevel={3}
              testId="halls-map"
            />
          </li>
        </ul>
      </section>
    </div>
  );
}
