import type { TFunction } from 'i18next';
import { splitDuration } from '../../shared/subsidies';

/** "1 分 5 秒", "8 秒", "2 天 3 小时 0 分 9 秒": from the largest unit that is not zero down to seconds. */
export function formatCountdown(ms: number, t: TFunction): string {
  const { days, hours, minutes, seconds } = splitDuration(ms);
  const parts: string[] = [];
  if (days > 0) parts.push(t('subsidies.duration.days', { count: days }));
  if (days > 0 || hours > 0) parts.push(t('subsidies.duration.hours', { count: hours }));
  if (days > 0 || hours > 0 || minutes > 0) parts.push(t('subsidies.duration.minutes', { count: minutes }));
  parts.push(t('subsidies.duration.seconds', { count: seconds }));
  return parts.join(' ');
}
