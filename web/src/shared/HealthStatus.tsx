import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useHealth, type Health } from './health';

/** One-line text for a health result; shared by the landing footer and the console overview. */
export function healthText(health: Health, t: TFunction): { status: string; database: string | null } {
  if (health.state === 'checking') return { status: t('health.checking'), database: null };
  if (health.state === 'unknown') return { status: t('health.unknown'), database: null };
  const db = health.database ? t(`health.db.${health.database}`) : null;
  return { status: t('health.ok'), database: db };
}

/** Footer status line that tolerates a missing /healthz (e.g. a static preview). */
export function HealthStatus() {
  const { t } = useTranslation();
  const { status, database } = healthText(useHealth(), t);
  return (
    <p className="health-status" data-testid="health-status">
      <span>{t('health.line', { status })}</span>
      {database && <span data-testid="health-db"> · {t('health.database', { db: database })}</span>}
    </p>
  );
}
