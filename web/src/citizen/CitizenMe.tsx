import { Result } from 'antd-mobile';
import { useTranslation } from 'react-i18next';

/** "我的" tab: sign-in and personal records are not built yet, so it says so plainly. */
export function CitizenMe() {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="citizen-title">{t('citizen.me.title')}</h1>
      <Result
        className="citizen-result"
        status="waiting"
        title={t('common.comingSoon')}
        description={t('citizen.me.intro')}
      />
    </>
  );
}
