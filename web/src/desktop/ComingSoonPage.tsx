import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Icon } from '../shared/Icon';

/** Honest placeholder for a desktop route whose module is not built yet. */
export function ComingSoonPage({ title, home }: { title: string; home: string }) {
  const { t } = useTranslation();
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{title}</h1>
      <Result
        status="info"
        icon={<Icon name="clock" className="coming-soon-icon" />}
        title={t('common.comingSoon')}
        subTitle={t('common.comingSoonDetail')}
        extra={<Link to={home}>{t('common.backToAreaHome')}</Link>}
      />
    </div>
  );
}

/** Unknown path inside a desktop area. */
export function DesktopNotFound({ home }: { home: string }) {
  const { t } = useTranslation();
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('common.notFound')}</h1>
      <p>{t('common.notFoundDetail')}</p>
      <p>
        <Link to={home}>{t('common.backToAreaHome')}</Link>
      </p>
    </div>
  );
}
