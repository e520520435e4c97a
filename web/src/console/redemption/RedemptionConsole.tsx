import { Input, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { RequireRole } from '../../desktop/RequireRole';
import { api } from '../../shared/api';
import type { ProgrammeRules } from '../../shared/redemption';
import { useServerClockSync, useServerNow } from '../../shared/serverClock';
import { civilMonth } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { PhotoReview } from './PhotoReview';
import { FlagsView, OverdueView, ReportView } from './ReportView';
import './redemption-console.css';

const TABS = ['photos', 'report', 'flags', 'overdue'] as const;
type Tab = (typeof TABS)[number];
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const loadProgrammes = (signal: AbortSignal) => api.get<ProgrammeRules[]>('/subsidies/programmes', undefined, { signal });

/** Subsidy administrators and platform administrators (the server checks again on every call). */
export function canReviewRedemption(roles: readonly string[]): boolean {
  return roles.includes('admin_subsidies') || roles.includes('admin_platform');
}

/** /console/redemption: activation-photo review, the monthly report with charts and CSV, flags, overdue deliveries. */
export function RedemptionConsole() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('redemption.console.title')} home="/console" allow={(session) => canReviewRedemption(session.roles)}>
      <Console />
    </RequireRole>
  );
}

function Console() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'photos';
  const monthParam = params.get('month') ?? '';
  // Without ?month=, the platform's current month (the device's clock may be elsewhere), once known.
  const { synced } = useServerClockSync();
  const now = useServerNow(60_000);
  const month = MONTH.test(monthParam) ? monthParam : synced ? civilMonth(now) : undefined;
  const programmes = usePolled('programmes', loadProgrammes, null);

  const set = (key: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set(key, value);
        return next;
      },
      { replace: true },
    );

  const monthPicker = (
    <label className="month-picker" htmlFor="redemption-month">
      <span>{t('redemption.console.month')}</span>
      <Input id="redemption-month" type="month" value={month ?? ''} onChange={(e) => MONTH.test(e.target.value) && set('month', e.target.value)} data-testid="month-input" />
    </label>
  );

  return (
    <div className="desktop-page redemption-console">
      <h1 className="desktop-title">{t('redemption.console.title')}</h1>
      <p className="desktop-intro">{t('redemption.console.intro')}</p>
      <Tabs
        activeKey={tab}
        onChange={(key) => set('tab', key)}
        items={[
          { key: 'photos', label: t('redemption.console.tabs.photos'), children: <PhotoReview programmes={programmes.data} /> },
          {
            key: 'report',
            label: t('redemption.console.tabs.report'),
            children: (
              <>
                {monthPicker}
                {month ? <ReportView month={month} programmes={programmes.data} /> : <p role="status">{t('redemption.console.loading')}</p>}
              </>
            ),
          },
          {
            key: 'flags',
            label: t('redemption.console.tabs.flags'),
            children: (
              <>
                {monthPicker}
                {month ? <FlagsView month={month} /> : <p role="status">{t('redemption.console.loading')}</p>}
              </>
            ),
          },
          { key: 'overdue', label: t('redemption.console.tabs.overdue'), children: <OverdueView programmes={programmes.data} /> },
        ]}
      />
    </div>
  );
}
