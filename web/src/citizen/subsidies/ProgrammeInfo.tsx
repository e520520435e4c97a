import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import {
  formatPercent,
  formatYuan,
  isChannel,
  localised,
  monthLabel,
  type SubsidyProgramme,
} from '../../shared/subsidies';

/** The lowest final price at which the subsidy reaches its cap (cap ÷ rate, rounded up to the fen). */
export function fullSubsidyFrom(programme: Pick<SubsidyProgramme, 'rate' | 'capPerItem'>): number {
  const rate = Number(programme.rate);
  const cap = Number(programme.capPerItem);
  if (!(rate > 0) || !(cap > 0)) return NaN;
  return Math.ceil(Math.round((cap / rate) * 1e6) / 1e4) / 100;
}

/** One programme in plain words: products, amount, price limit, quotas, channels, when coupons come out. */
export function ProgrammeInfo({ programme }: { programme: SubsidyProgramme }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const headingId = useId();
  const separator = lang === 'en' ? '; ' : '；';
  const listSeparator = lang === 'en' ? ', ' : '、';
  const products = programme.categories
    .map((category) => {
      const name = localised(category.name, lang);
      const includes = category.includes[lang] ?? [];
      return includes.length > 0 ? t('citizen.subsidies.programme.productWithIncludes', { name, includes: includes.join(listSeparator) }) : name;
    })
    .join(separator);
  const months = [...programme.releaseSchedule.months].sort();
  const cap = formatYuan(programme.capPerItem, lang);
  const channels = programme.channels.map((c) => (isChannel(c) ? t(`subsidies.channel.${c}`) : c)).join(listSeparator);
  const rows: { key: string; label: string; value: string }[] = [
    { key: 'products', label: t('citizen.subsidies.programme.products'), value: products },
  ];
  if (programme.efficiencyRequirement) {
    rows.push({
      key: 'requirement',
      label: t('citizen.subsidies.programme.requirement'),
      value: t('citizen.subsidies.programme.efficiency', { requirement: localised(programme.efficiencyRequirement, lang) }),
    });
  }
  if (programme.priceLimit) {
    rows.push({
      key: 'price-limit',
      label: t('citizen.subsidies.programme.priceLimit'),
      value: t('citizen.subsidies.programme.priceLimitText', { limit: formatYuan(programme.priceLimit, lang) }),
    });
  }
  rows.push(
    {
      key: 'amount',
      label: t('citizen.subsidies.programme.amount'),
      value: t('citizen.subsidies.programme.amountText', {
        rate: formatPercent(programme.rate),
        cap,
        fullAt: formatYuan(fullSubsidyFrom(programme), lang),
      }),
    },
    {
      key: 'quota',
      label: t('citizen.subsidies.programme.quota'),
      value: t('citizen.subsidies.programme.quotaText', { month: programme.quota.month, year: programme.quota.year }),
    },
    {
      key: 'channels',
      label: t('citizen.subsidies.programme.channels'),
      value: t('citizen.subsidies.programme.channelsText', { channels }),
    },
    {
      key: 'schedule',
      label: t('citizen.subsidies.programme.schedule'),
      value: t('citizen.subsidies.programme.scheduleText', {
        from: months[0] ? monthLabel(months[0], lang) : '',
        to: months.at(-1) ? monthLabel(months.at(-1)!, lang) : '',
        day: programme.releaseSchedule.dayOfMonth,
        time: programme.releaseSchedule.time,
      }),
    },
    { key: 'validity', label: t('citizen.subsidies.programme.validity'), value: t('citizen.subsidies.programme.validityText') },
  );
  return (
    <article className="citizen-card subsidy-programme" aria-labelledby={headingId} data-testid={`programme-${programme.id}`}>
      <h3 id={headingId} className="citizen-card-title">
        {localised(programme.name, lang)}
      </h3>
      <dl className="citizen-profile subsidy-facts">
        {rows.map((row) => (
          <div key={row.key} className="citizen-profile-row">
            <dt>{row.label}</dt>
            <dd data-testid={`programme-${row.key}`}>{row.value}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}
