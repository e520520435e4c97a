import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { formatTime, pick } from '../../public/halls/common/format';
import type { HallStatus } from '../../public/halls/common/types';

/** POL-23: how many people queue now, open windows, the number being called, the next bookable slot. */
export function HallStatusLine({ status, compact = false }: { status: HallStatus; compact?: boolean }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const next = status.nextBookableSlots[0];
  return (
    <dl className={compact ? 'halls-status halls-status-compact' : 'halls-status'} data-testid={`status-${status.hallId}`}>
      <div>
        <dt>{t('halls.status.queueLabel')}</dt>
        <dd data-testid="queue-length">{t('halls.status.people', { count: status.queueLength })}</dd>
      </div>
      <div>
        <dt>{t('halls.status.windowsLabel')}</dt>
        <dd>{t('halls.status.windows', { open: status.windowsOpen, total: status.windowsTotal })}</dd>
      </div>
      <div>
        <dt>{t('halls.status.callingLabel')}</dt>
        <dd data-testid="calling">{status.calling ? `${status.calling.number} · ${pick(status.calling.windowNames, lang)}` : t('halls.status.nobodyCalled')}</dd>
      </div>
      {!compact && (
        <div>
          <dt>{t('halls.status.nextSlotLabel')}</dt>
          <dd>{next ? t('halls.status.nextSlot', { time: `${formatTime(next.start)}–${formatTime(next.end)}`, remaining: next.remaining }) : t('halls.status.noSlot')}</dd>
        </div>
      )}
      <div>
        <dt>{t('halls.status.openLabel')}</dt>
        <dd>{status.open ? t('halls.status.openNow') : t('halls.status.closedNow')}</dd>
      </div>
    </dl>
  );
}
