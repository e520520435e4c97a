import { Card, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Icon, type IconName } from '../shared/Icon';

export interface LinkCardProps {
  to: string;
  title: string;
  description: string;
  icon: IconName;
  comingSoon?: boolean;
  testId?: string;
  /** Heading level of the title, so cards fit the page outline (h2 directly under the h1, h3 under a section). */
  headingLevel?: 2 | 3;
}

/** A card whose whole surface opens `to`; the link's accessible name is just the title. */
export function LinkCard({ to, title, description, icon, comingSoon = false, testId, headingLevel = 2 }: LinkCardProps) {
  const { t } = useTranslation();
  const Heading = headingLevel === 3 ? 'h3' : 'h2';
  return (
    <Card className="link-card" data-testid={testId}>
      <div className="link-card-body">
        <Icon name={icon} className="link-card-icon" />
        <div>
          <Heading className="link-card-title">
            <Link to={to} className="stretched-link">
              {title}
            </Link>
          </Heading>
          <p className="link-card-desc">{description}</p>
          {comingSoon && (
            <Tag className="soon-badge" variant="outlined">
              {t('common.comingSoon')}
            </Tag>
          )}
        </div>
      </div>
    </Card>
  );
}
