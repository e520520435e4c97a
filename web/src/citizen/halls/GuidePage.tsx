import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ProblemAlert } from '../ProblemAlert';
import type { Catalogue } from '../../public/halls/common/types';
import { ServiceGuide } from './ServiceGuide';
import { useGet } from './useApi';

/** The whole catalogue (一窗通办: 人口, 交管, 治安, 出入境) with the pre-visit guidance of each item. */
export function GuidePage() {
  const { t } = useTranslation();
  const catalogue = useGet<Catalogue>('/services');
  return (
    <>
      <h1 className="citizen-title">{t('halls.guide.title')}</h1>
      <p className="citizen-intro">{t('halls.guide.intro')}</p>
      {catalogue.data?.demo && <p className="citizen-hint">{t('halls.guide.demo')}</p>}
      <ProblemAlert error={catalogue.error} />
      {catalogue.data && <ServiceGuide catalogue={catalogue.data} items={catalogue.data.items} />}
      <p className="citizen-back">
        <Link to="/citizen/halls">{t('halls.backToList')}</Link>
      </p>
    </>
  );
}
