import { Result } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { CitizenModuleKey } from '../shared/modules';

/** Placeholder for a service route that is not open yet: names the service, says it is coming, links home. */
export function CitizenComingSoon({ module }: { module: CitizenModuleKey }) {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="citizen-title">{t(`modules.${module}.title`)}</h1>
      <Result
        className="citizen-result"
        status="waiting"
        title={t('common.comingSoon')}
        description={t('common.comingSoonDetail')}
      />
      <p className="citizen-back">
        <Link to="/citizen">{t('common.backToAreaHome')}</Link>
      </p>
    </>
  );
}

/** Unknown path under /citizen. */
export function CitizenNotFound() {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="citizen-title">{t('common.notFound')}</h1>
      <p className="citizen-intro">{t('common.notFoundDetail')}</p>
      <p className="citizen-back">
        <Link to="/citizen">{t('common.backToAreaHome')}</Link>
      </p>
    </>
  );
}
