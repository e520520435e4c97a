import { useCallback, useId } from 'react';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { hasAnyRole } from '../../shared/roles';
import { serverNow, useServerClockSync } from '../../shared/serverClock';
import type { Session } from '../../shared/session';
import { civilMonth, isChannel, localised, monthLabel, type SubsidyProgramme, type SubsidyRelease } from '../../shared/subsidies';

/** Subsidy administrators, and platform administrators (who may do every administrator's work). */
export const SUBSIDY_ADMIN_ROLES = ['admin_subsidies', 'admin_platform'] as const;
export const canManageSubsidies = (session: Session): boolean => hasAnyRole(session.roles, SUBSIDY_ADMIN_ROLES);

export const loadProgrammes = (signal: AbortSignal) => api.get<SubsidyProgramme[]>('/subsidies/programmes', undefined, { signal });

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Months to offer: every month a programme releases coupons in, plus the given ones, newest last. */
export function monthOptions(programmes: readonly SubsidyProgramme[] | undefined, ...extra: (string | undefined)[]): string[] {
  const months = new Set<string>();
  for (const programme of programmes ?? []) for (const month of programme.releaseSchedule.months) months.add(month);
  for (const month of extra) if (month && MONTH_PATTERN.test(month)) months.add(month);
  return [...months].sort();
}

/** The month in the address (?month=YYYY-MM), else the server's current month once the clock has been asked. */
export function useMonthParam(): [string | undefined, (month: string) => void] {
  const [params, setParams] = useSearchParams();
  const { attempted } = useServerClockSync();
  const fromUrl = params.get('month');
  const month = fromUrl && MONTH_PATTERN.test(fromUrl) ? fromUrl : attempted ? civilMonth(serverNow()) : undefined;
  const setMonth = useCallback(
    (next: string) =>
      setParams((current) => {
        const copy = new URLSearchParams(current);
        copy.set('month', next);
        return copy;
      }),
    [setParams],
  );
  return [month, setMonth];
}

export function MonthSelect({ value, options, onChange }: { value: string | undefined; options: string[]; onChange: (month: string) => void }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const id = useId();
  return (
    <span className="month-select">
      <label htmlFor={id}>{t('console.subsidies.month')}</label>
      <Select
        id={id}
        value={value}
        onChange={onChange}
        options={options.map((month) => ({ value: month, label: monthLabel(month, lang) }))}
        popupMatchSelectWidth={false}
        className="month-select-control"
        data-testid="month-select"
      />
    </span>
  );
}

/** "2026年数码和智能产品购新补贴 · 线下门店 · 2026年4月" */
export function useReleaseName(): (release: Pick<SubsidyRelease, 'programme' | 'channel' | 'month'>, programmes: readonly SubsidyProgramme[] | undefined) => {
  programme: string;
  channel: string;
  month: string;
} {
  const { t } = useTranslation();
  const lang = currentLang();
  return (release, programmes) => {
    const programme = programmes?.find((p) => p.id === release.programme);
    return {
      programme: programme ? localised(programme.name, lang) : release.programme,
      channel: isChannel(release.channel) ? t(`subsidies.channel.${release.channel}`) : release.channel,
      month: monthLabel(release.month, lang),
    };
  };
}
