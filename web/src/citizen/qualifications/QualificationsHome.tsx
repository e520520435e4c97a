import { useId, useState, type FormEvent } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { Icon } from '../../shared/Icon';
import {
  categoryName,
  categoryWithIncludes,
  formatMoney,
  isExchangeable,
  normaliseMoney,
  platformName,
  shownQualificationStatus,
  sortQualifications,
  type DesignatedPlatform,
  type ProgrammeRules,
  type Qualification,
  type QuoteResult,
} from '../../shared/redemption';
import { useServerNow } from '../../shared/serverClock';
import { formatCivilDateTime, isChannel, localised, type Coupon } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { changePath, exchangePath, HOME, loadCoupons, loadPlatforms, loadProgrammes, loadQualifications, qrPath } from './data';
import { QualificationStatusBadge, QualProblem, ResidentGate } from './parts';

/** /citizen/qualifications: coupons to exchange, my qualifications (QR code, change), a price calculator and the rules. */
export function QualificationsHome() {
  const { t } = useTranslation();
  const programmes = usePolled('programmes', loadProgrammes, null);
  return (
    <>
      <h1 className="citizen-title">{t('redemption.citizen.title')}</h1>
      <p className="citizen-intro">{t('redemption.citizen.intro')}</p>
      <p className="qual-top-links">
        <Link to="/citizen/subsidies" className="qual-link">
          <Icon name="subsidy" />
          <span>{t('redemption.citizen.claimLink')}</span>
        </Link>
        <Link to="/citizen/subsidies/coupons" className="qual-link">
          <Icon name="certificate" />
          <span>{t('redemption.citizen.couponsLink')}</span>
        </Link>
      </p>
      <ResidentGate returnTo={HOME}>
        <MyItems programmes={programmes.data} />
      </ResidentGate>
      <Calculator programmes={programmes.data} />
      <Rules programmes={programmes.data} />
    </>
  );
}

function MyItems({ programmes }: { programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const now = useServerNow(60_000);
  const coupons = usePolled('coupons', loadCoupons, null);
  const qualifications = usePolled('qualifications', loadQualifications, 30_000);
  const platforms = usePolled('platforms', loadPlatforms, null);
  const exchangeable = coupons.data?.filter((c) => isExchangeable(c, now));
  const mine = qualifications.data ? sortQualifications(qualifications.data, now) : undefined;
  return (
    <>
      <section aria-labelledby="qual-coupons-heading">
        <h2 id="qual-coupons-heading" className="citizen-subtitle">
          {t('redemption.citizen.couponsTitle')}
        </h2>
        <QualProblem error={coupons.error} onRetry={coupons.reload} />
        {exchangeable === undefined && coupons.error === undefined && (
          <p className="citizen-intro" role="status">
            {t('redemption.citizen.loading')}
          </p>
        )}
        {exchangeable?.length === 0 && (
          <div className="citizen-card">
            <p className="citizen-card-lead">{t('redemption.citizen.noCoupons')}</p>
            <Link to="/citizen/subsidies" className="citizen-big-button">
              {t('redemption.citizen.goClaim')}
            </Link>
          </div>
        )}
        {exchangeable && exchangeable.length > 0 && (
          <ul className="qual-list" data-testid="exchangeable-coupons">
            {exchangeable.map((coupon) => (
              <li key={coupon.id}>
                <CouponCard coupon={coupon} programmes={programmes} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="qual-mine-heading">
        <h2 id="qual-mine-heading" className="citizen-subtitle">
          {t('redemption.citizen.mineTitle')}
        </h2>
        <QualProblem error={qualifications.error} onRetry={qualifications.reload} />
        {mine === undefined && qualifications.error === undefined && (
          <p className="citizen-intro" role="status">
            {t('redemption.citizen.loading')}
          </p>
        )}
        {mine?.length === 0 && <p className="citizen-intro">{t('redemption.citizen.noQualifications')}</p>}
        {mine && mine.length > 0 && (
          <ul className="qual-list" data-testid="qualification-list">
            {mine.map((q) => (
              <li key={q.id}>
                <QualificationCard qualification={q} programmes={programmes} platforms={platforms.data} now={now} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function CouponCard({ coupon, programmes }: { coupon: Coupon; programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const headingId = useId();
  const programme = programmes?.find((p) => p.id === coupon.programme);
  return (
    <article className="citizen-card qual-card" aria-labelledby={headingId} data-testid={`exchange-coupon-${coupon.id}`}>
      <h3 id={headingId} className="citizen-card-title">
        {programme ? localised(programme.name, lang) : coupon.programme}
      </h3>
      <dl className="citizen-profile">
        <div className="citizen-profile-row">
          <dt>{t('redemption.citizen.channel')}</dt>
          <dd>{isChannel(coupon.channel) ? t(`redemption.channel.${coupon.channel}`) : coupon.channel}</dd>
        </div>
        <div className="citizen-profile-row">
          <dt>{t('redemption.citizen.exchangeBy')}</dt>
          <dd>{formatCivilDateTime(coupon.expiresAt)}</dd>
        </div>
      </dl>
      <Link to={exchangePath(coupon.id)} className="citizen-big-button qual-action" data-testid="exchange-action">
        <Icon name="scan" />
        <span>{t('redemption.citizen.exchangeAction')}</span>
      </Link>
    </article>
  );
}

function QualificationCard({
  qualification: q,
  programmes,
  platforms,
  now,
}: {
  qualification: Qualification;
  programmes: ProgrammeRules[] | undefined;
  platforms: DesignatedPlatform[] | undefined;
  now: number;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const headingId = useId();
  const status = shownQualificationStatus(q, now);
  const active = status === 'active';
  return (
    <article className="citizen-card qual-card" aria-labelledby={headingId} data-testid={`qualification-${q.id}`} data-status={status}>
      <header className="qual-card-head">
        <h3 id={headingId} className="citizen-card-title">
          {categoryName(programmes, q.category, lang)}
        </h3>
        <QualificationStatusBadge status={status} />
      </header>
      <dl className="citizen-profile">
        <div className="citizen-profile-row">
          <dt>{t('redemption.citizen.channel')}</dt>
          <dd>{isChannel(q.channel) ? t(`redemption.channel.${q.channel}`) : q.channel}</dd>
        </div>
        {q.platform && (
          <div className="citizen-profile-row">
            <dt>{t('redemption.citizen.platform')}</dt>
            <dd>{platformName(platforms, q.platform, lang)}</dd>
          </div>
        )}
        <div className="citizen-profile-row">
          <dt>{t('redemption.citizen.validUntil')}</dt>
          <dd data-testid="qualification-expiry">{formatCivilDateTime(q.expiresAt)}</dd>
        </div>
      </dl>
      <p className="citizen-hint">{t(`redemption.citizen.statusHint.${status}`, { defaultValue: '' })}</p>
      {active && q.channel === 'offline' && (
        <Link to={qrPath(q.id)} className="citizen-big-button qual-action" data-testid="show-qr">
          <Icon name="scan" />
          <span>{t('redemption.citizen.showQr')}</span>
        </Link>
      )}
      {active && q.channel === 'online' && (
        <p className="citizen-intro qual-online-hint">{t('redemption.citizen.onlineHint', { platform: platformName(platforms, q.platform, lang) })}</p>
      )}
      {active && (
        <Link to={changePath(q.id)} className="qual-secondary-link" data-testid="change-qualification">
          {q.channel === 'online' ? t('redemption.citizen.changeOnline') : t('redemption.citizen.changeCategory')}
        </Link>
      )}
    </article>
  );
}

/** POST /subsidies/quote: what the subsidy and the amount to pay would be at a price. */
function Calculator({ programmes }: { programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [category, setCategory] = useState('');
  const [price, setPrice] = useState('');
  const [priceInvalid, setPriceInvalid] = useState(false);
  const [result, setResult] = useState<{ quote: QuoteResult; price: string; category: string } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const chosen = category || programmes?.[0]?.categories[0]?.id || '';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const amount = normaliseMoney(price);
    setPriceInvalid(!amount);
    setResult(null);
    setError(undefined);
    if (!amount || !chosen) return;
    setBusy(true);
    try {
      const quote = await api.post<QuoteResult>('/subsidies/quote', { category: chosen, price: amount });
      setResult({ quote, price: amount, category: chosen });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="citizen-card qual-calculator" aria-labelledby="qual-calc-heading">
      <h2 id="qual-calc-heading" className="citizen-card-title">
        {t('redemption.citizen.calculator.title')}
      </h2>
      <p className="citizen-hint qual-first-hint">{t('redemption.citizen.calculator.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label className="qual-field">
          <span className="qual-label">{t('redemption.citizen.calculator.category')}</span>
          <select className="qual-input" value={chosen} onChange={(e) => setCategory(e.target.value)} data-testid="calc-category">
            {(programmes ?? []).map((programme) => (
              <optgroup key={programme.id} label={localised(programme.name, lang)}>
                {programme.categories.map((c) => (
                  <option key={c.id} value={c.id}>
                    {categoryWithIncludes(c, lang)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label className="qual-field">
          <span className="qual-label">{t('redemption.citizen.calculator.price')}</span>
          <input
            className="qual-input"
            inputMode="decimal"
            autoComplete="off"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            aria-invalid={priceInvalid || undefined}
            aria-describedby="qual-calc-price-help"
            data-testid="calc-price"
          />
          <span id="qual-calc-price-help" className="citizen-hint qual-field-hint">
            {priceInvalid ? <strong className="qual-invalid">{t('redemption.citizen.calculator.priceInvalid')}</strong> : null}{' '}
            {t('redemption.citizen.calculator.priceHelp')}
          </span>
        </label>
        <Button block size="large" color="primary" type="submit" className="citizen-button" loading={busy} data-testid="calc-submit">
          {t('redemption.citizen.calculator.submit')}
        </Button>
      </form>
      <div aria-live="polite" data-testid="calc-result">
        {result &&
          (result.quote.eligible ? (
            <p className="qual-quote">
              {t('redemption.citizen.calculator.result', {
                category: categoryName(programmes, result.category, lang),
                price: formatMoney(result.price, lang),
                subsidy: formatMoney(result.quote.subsidy, lang),
                payable: formatMoney(result.quote.payable, lang),
              })}
            </p>
          ) : (
            <p className="qual-quote qual-quote-no">
              {result.quote.reason === 'PRICE_OVER_LIMIT'
                ? t('redemption.citizen.calculator.overLimit', { limit: formatMoney(findLimit(programmes, result.category) ?? '', lang) })
                : t('redemption.citizen.calculator.notEligible')}
            </p>
          ))}
      </div>
      <QualProblem error={error} />
    </section>
  );
}

function findLimit(programmes: ProgrammeRules[] | undefined, category: string): string | undefined {
  return programmes?.find((p) => p.categories.some((c) => c.id === category))?.priceLimit ?? undefined;
}

/** The rules for using a qualification, in plain words (TI-24, TI-29–TI-41). */
function Rules({ programmes }: { programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const appliances = programmes?.find((p) => p.kind === 'appliances');
  const digital = programmes?.find((p) => p.kind === 'digital');
  const day = (value: number | undefined, fallback: number) => String(value ?? fallback);
  const items = [
    t('redemption.citizen.rules.validity'),
    t('redemption.citizen.rules.oneItem'),
    t('redemption.citizen.rules.perCategory'),
    t('redemption.citizen.rules.invoiceName'),
    t('redemption.citizen.rules.invoiceAmount'),
    t('redemption.citizen.rules.delivery', {
      appliances: appliances ? localised(appliances.name, lang) : t('redemption.citizen.rules.appliances'),
      applianceDay: day(appliances?.deliveryDeadlineDay, 10),
      digital: digital ? localised(digital.name, lang) : t('redemption.citizen.rules.digital'),
      digitalDay: day(digital?.deliveryDeadlineDay, 7),
    }),
    t('redemption.citizen.rules.activation'),
    t('redemption.citizen.rules.returns', {
      applianceDay: day(appliances?.returnCutoffDay, 18),
      digitalDay: day(digital?.returnCutoffDay, 15),
    }),
    t('redemption.citizen.rules.restored'),
  ];
  return (
    <section className="qual-rules" aria-labelledby="qual-rules-heading">
      <h2 id="qual-rules-heading" className="citizen-subtitle">
        {t('redemption.citizen.rules.title')}
      </h2>
      <ul>
        {items.map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
    </section>
  );
}
