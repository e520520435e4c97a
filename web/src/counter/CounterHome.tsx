import { useTranslation } from 'react-i18next';
import { LinkCard } from '../desktop/LinkCard';
import type { IconName } from '../shared/Icon';

export type CounterToolKey = 'till' | 'sales' | 'window' | 'lobby' | 'verify';

export const COUNTER_TOOLS: readonly { key: CounterToolKey; icon: IconName; open?: boolean }[] = [
  { key: 'till', icon: 'till', open: true },
  { key: 'sales', icon: 'audit', open: true },
  { key: 'window', icon: 'window', open: true },
  { key: 'lobby', icon: 'team', open: true },
  { key: 'verify', icon: 'scan' },
];

/** Counter home: the three counter tools, each opening at /counter/<tool>. */
export function CounterHome() {
  const { t } = useTranslation();
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('counter.home.title')}</h1>
      <p className="desktop-intro">{t('counter.home.intro')}</p>
      <ul className="desktop-grid">
        {COUNTER_TOOLS.map((tool) => (
          <li key={tool.key}>
            <LinkCard
              to={`/counter/${tool.key}`}
              icon={tool.icon}
              title={t(`counter.tools.${tool.key}.title`)}
              description={t(`counter.tools.${tool.key}.desc`)}
              comingSoon={!tool.open}
              testId={`tool-${tool.key}`}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}
