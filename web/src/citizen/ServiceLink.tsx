import { Tag } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Icon } from '../shared/Icon';
import type { CitizenModule } from '../shared/modules';

/** One service as a tappable card (home grid) or row (services list), with an honest "coming soon" badge. */
export function ServiceLink({ module, variant }: { module: CitizenModule; variant: 'tile' | 'row' }) {
  const { t } = useTranslation();
  return (
    <Link to={module.path} className={`citizen-service citizen-service-${variant}`} data-testid={`service-${module.key}`}>
      <Icon name={module.icon} className="citizen-service-icon" />
      <span className="citizen-service-text">
        <span className="citizen-service-title">{t(`modules.${module.key}.title`)}</span>
        <span className="citizen-service-desc">{t(`modules.${module.key}.desc`)}</span>
        {!module.open && (
          <span>
            <Tag className="soon-tag" round>
              {t('common.comingSoon')}
            </Tag>
          </span>
        )}
      </span>
    </Link>
  );
}
