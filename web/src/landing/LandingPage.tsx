import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PrefsBar } from '../shared/PrefsBar';
import { HealthStatus } from '../shared/HealthStatus';
import { Icon, type IconName } from '../shared/Icon';
import './landing.css';

type AreaKey = 'citizen' | 'counter' | 'console' | 'public';

const AREAS: readonly { key: AreaKey; path: string; icon: IconName }[] = [
  { key: 'citizen', path: '/citizen', icon: 'user' },
  { key: 'counter', path: '/counter', icon: 'window' },
  { key: 'console', path: '/console', icon: 'settings' },
  { key: 'public', path: '/public', icon: 'chart' },
];

/** Platform front door: links to the four areas and shows whether the server is up. Uses no UI kit so it loads fast. */
export default function LandingPage() {
  const { t } = useTranslation();
  return (
    <div className="landing">
      <header className="landing-header">
        <p className="landing-brand">
          <img src="/favicon.svg" alt="" width="32" height="32" />
          <span>{t('app.fullName')}</span>
        </p>
        <PrefsBar />
      </header>
      <main id="main" tabIndex={-1} className="landing-main">
        <h1>{t('landing.title')}</h1>
        <p className="landing-intro">{t('landing.intro')}</p>
        <nav aria-label={t('landing.areasLabel')}>
          <ul className="landing-areas">
            {AREAS.map((area) => (
              <li key={area.key}>
                <Link className="landing-area" to={area.path}>
                  <Icon name={area.icon} size="2em" className="landing-area-icon" />
                  <span className="landing-area-text">
                    <span className="landing-area-title">{t(`landing.areas.${area.key}.title`)}</span>
                    <span className="landing-area-desc">{t(`landing.areas.${area.key}.desc`)}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </main>
      <footer className="landing-footer">
        <p>{t('landing.footer')}</p>
        <HealthStatus />
      </footer>
    </div>
  );
}
