import { useTranslation } from 'react-i18next';
import { CITIZEN_MODULES } from '../shared/modules';
import { ServiceLink } from './ServiceLink';

/** "办事" tab: every service in a list; "我的" lives in its own tab so it is left out here. */
export function CitizenServices() {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="citizen-title">{t('citizen.services.title')}</h1>
      <p className="citizen-intro">{t('citizen.services.intro')}</p>
      <ul className="citizen-rows">
        {CITIZEN_MODULES.filter((m) => m.key !== 'me').map((module) => (
          <li key={module.key}>
            <ServiceLink module={module} variant="row" />
          </li>
        ))}
      </ul>
    </>
  );
}
