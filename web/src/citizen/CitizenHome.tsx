import { useTranslation } from 'react-i18next';
import { CITIZEN_MODULES } from '../shared/modules';
import { ServiceLink } from './ServiceLink';

/** Citizen home: greeting and one tile per service, each linking to its future route. */
export function CitizenHome() {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="citizen-title">{t('citizen.home.title')}</h1>
      <p className="citizen-intro">{t('citizen.home.intro')}</p>
      <section aria-labelledby="citizen-tiles-heading">
        <h2 id="citizen-tiles-heading" className="citizen-subtitle">
          {t('citizen.home.tilesLabel')}
        </h2>
        <ul className="citizen-tiles">
          {CITIZEN_MODULES.map((module) => (
            <li key={module.key}>
              <ServiceLink module={module} variant="tile" />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
