import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Button, Result } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import { categoryName, categoryWithIncludes, platformName, type DesignatedPlatform, type ProgrammeRules, type Qualification } from '../../shared/redemption';
import { useServerNow } from '../../shared/serverClock';
import { formatCivilDateTime, isChannel, localised } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { exchangePath, changePath, HOME, loadCoupons, loadPlatforms, loadProgrammes, loadQualifications, qrPath } from './data';
import { BackLink, QualProblem, ResidentGate } from './parts';

/** /citizen/qualifications/exchange/:couponId — exchange a coupon for a category (and, online, a platform). */
export function ExchangePage() {
  const { t } = useTranslation();
  const { couponId = '' } = useParams();
  return (
    <>
      <h1 className="citizen-title">{t('redemption.citizen.exchange.title')}</h1>
      <BackLink />
      <ResidentGate returnTo={exchangePath(couponId)}>
        <Exchange couponId={couponId} />
      </ResidentGate>
    </>
  );
}

/** /citizen/qualifications/:id/change — change an unused qualification's category or platform (TI-25). */
export function ChangePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  return (
    <>
      <h1 className="citizen-title">{t('redemption.citizen.change.title')}</h1>
      <BackLink />
      <ResidentGate returnTo={changePath(id)}>
        <Change id={id} />
      </ResidentGate>
    </>
  );
}

function Exchange({ couponId }: { couponId: string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const now = useServerNow(60_000);
  const coupons = usePolled('coupons', loadCoupons, null);
  const programmes = usePolled('programmes', loadProgrammes, null);
  const platforms = usePolled('platforms', loadPlatforms, null);
  const keys = useRef(new IdempotencyKeys());
  const [done, setDone] = useState<Qualification | null>(null);

  if (done) return <Success qualification={done} programmes={programmes.data} platforms={platforms.data} mode="exchanged" />;
  const loadError = coupons.error ?? programmes.error ?? platforms.error;
  if (loadError !== undefined) {
    return (
      <QualProblem
        error={loadError}
        onRetry={() => {
          coupons.reload();
          programmes.reload();
          platforms.reload();
        }}
      />
    );
  }
  if (!coupons.data || !programmes.data || !platforms.data) {
    return (
      <p className="citizen-intro" role="status">
        {t('redemption.citizen.loading')}
      </p>
    );
  }
  const coupon = coupons.data.find((c) => c.id === couponId);
  const programme = programmes.data.find((p) => p.id === coupon?.programme);
  if (!coupon || !programme) return <Missing text={t('redemption.citizen.exchange.noCoupon')} />;
  if (coupon.status !== 'claimed' || Date.parse(coupon.expiresAt) <= now) {
    return <Missing text={coupon.status === 'exchanged' ? t('redemption.citizen.exchange.alreadyExchanged') : t('redemption.citizen.exchange.expired')} />;
  }
  const online = coupon.channel === 'online';
  return (
    <>
      <section className="citizen-card" aria-labelledby="qual-coupon-heading">
        <h2 id="qual-coupon-heading" className="citizen-card-title">
          {localised(programme.name, lang)}
        </h2>
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
      </section>
      <ChooseForm
        programme={programme}
        platforms={online ? platforms.data : undefined}
        submitLabel={t('redemption.citizen.exchange.submit')}
        busyLabel={t('redemption.citizen.exchange.submitting')}
        note={t('redemption.citizen.exchange.note')}
        onSubmit={async (choice) => {
          const body = online ? { category: choice.category, platform: choice.platform } : { category: choice.category };
          const result = await api.post<{ qualification: Qualification }>(`/me/coupons/${encodeURIComponent(coupon.id)}/exchange`, body, {
            idempotencyKey: keys.current.keyFor(body, coupon.id),
          });
          keys.current.done();
          setDone(result.qualification);
        }}
      />
    </>
  );
}

function Change({ id }: { id: string }) {
  const { t } = useTranslation();
  const now = useServerNow(60_000);
  const qualifications = usePolled('qualifications', loadQualifications, null);
  const programmes = usePolled('programmes', loadProgrammes, null);
  const platforms = usePolled('platforms', loadPlatforms, null);
  const keys = useRef(new IdempotencyKeys());
  const [done, setDone] = useState<Qualification | null>(null);

  if (done) return <Success qualification={done} programmes={programmes.data} platforms={platforms.data} mode="changed" />;
  const loadError = qualifications.error ?? programmes.error ?? platforms.error;
  if (loadError !== undefined) {
    return (
      <QualProblem
        error={loadError}
        onRetry={() => {
          qualifications.reload();
          programmes.reload();
          platforms.reload();
        }}
      />
    );
  }
  if (!qualifications.data || !programmes.data || !platforms.data) {
    return (
      <p className="citizen-intro" role="status">
        {t('redemption.citizen.loading')}
      </p>
    );
  }
  const q = qualifications.data.find((x) => x.id === id);
  const programme = programmes.data.find((p) => p.id === q?.programme);
  if (!q || !programme) return <Missing text={t('redemption.citizen.change.notFound')} />;
  if (q.status !== 'active' || Date.parse(q.expiresAt) <= now) return <Missing text={t('redemption.citizen.change.notActive')} />;
  const online = q.channel === 'online';
  return (
    <ChooseForm
      programme={programme}
      platforms={online ? platforms.data : undefined}
      initial={{ category: q.category, platform: q.platform ?? '' }}
      submitLabel={t('redemption.citizen.change.submit')}
      busyLabel={t('redemption.citizen.change.submitting')}
      note={t('redemption.citizen.change.note')}
      onSubmit={async (choice) => {
        const body: { category?: string; platform?: string } = {};
        if (choice.category !== q.category) body.category = choice.category;
        if (online && choice.platform !== q.platform) body.platform = choice.platform;
        if (Object.keys(body).length === 0) {
          setDone(q);
          return;
        }
        const result = await api.patch<Qualification>(`/me/qualifications/${encodeURIComponent(q.id)}`, body, {
          idempotencyKey: keys.current.keyFor(body, q.id),
        });
        keys.current.done();
        setDone(result);
      }}
    />
  );
}

interface Choice {
  category: string;
  platform: string;
}

/** Big radio cards: the programme's categories with what they include, and for online the designated platforms. */
function ChooseForm({
  programme,
  platforms,
  initial,
  submitLabel,
  busyLabel,
  note,
  onSubmit,
}: {
  programme: ProgrammeRules;
  platforms: DesignatedPlatform[] | undefined;
  initial?: Choice;
  submitLabel: string;
  busyLabel: string;
  note: string;
  onSubmit: (choice: Choice) => Promise<void>;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [category, setCategory] = useState(initial?.category ?? '');
  const [platform, setPlatform] = useState(initial?.platform ?? '');
  const [missing, setMissing] = useState<{ category: boolean; platform: boolean }>({ category: false, platform: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const needPlatform = platforms !== undefined;
  const chosen = programme.categories.find((c) => c.id === category);

  function choose(field: 'category' | 'platform', value: string): void {
    if (field === 'category') setCategory(value);
    else setPlatform(value);
    setMissing((m) => ({ ...m, [field]: false }));
    setError(undefined);
  }

  async function submit(event?: FormEvent): Promise<void> {
    event?.preventDefault();
    const gaps = { category: !category, platform: needPlatform && !platform };
    setMissing(gaps);
    if (gaps.category || gaps.platform) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit({ category, platform });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="choose-form">
      <fieldset className="qual-fieldset" aria-describedby="qual-category-help">
        <legend className="qual-legend">{t('redemption.citizen.exchange.category')}</legend>
        <p id="qual-category-help" className="citizen-hint qual-first-hint">
          {t('redemption.citizen.exchange.categoryHelp')}
        </p>
        {missing.category && <p className="qual-invalid">{t('redemption.citizen.exchange.chooseCategory')}</p>}
        <div className="qual-options">
          {programme.categories.map((c) => (
            <label key={c.id} className="qual-option" data-testid={`category-${c.id}`}>
              <input type="radio" name="category" value={c.id} checked={category === c.id} onChange={() => choose('category', c.id)} />
              <span>
                <span className="qual-option-title">{localised(c.name, lang)}</span>
                {c.includes[lang].length > 0 && (
                  <span className="qual-option-desc">{t('redemption.citizen.exchange.includes', { items: c.includes[lang].join(lang === 'en' ? ', ' : '、') })}</span>
                )}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {needPlatform && (
        <fieldset className="qual-fieldset" aria-describedby="qual-platform-help">
          <legend className="qual-legend">{t('redemption.citizen.exchange.platform')}</legend>
          <p id="qual-platform-help" className="citizen-hint qual-first-hint">
            {t('redemption.citizen.exchange.platformHelp')}
          </p>
          {missing.platform && <p className="qual-invalid">{t('redemption.citizen.exchange.choosePlatform')}</p>}
          <div className="qual-options">
            {platforms.map((p) => (
              <label key={p.id} className="qual-option" data-testid={`platform-${p.id}`}>
                <input type="radio" name="platform" value={p.id} checked={platform === p.id} onChange={() => choose('platform', p.id)} />
                <span className="qual-option-title">{platformName(platforms, p.id, lang)}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <p className="qual-chosen" aria-live="polite">
        {chosen ? t('redemption.citizen.exchange.chosen', { category: categoryWithIncludes(chosen, lang) }) : ''}
      </p>
      <p className="citizen-hint">{note}</p>
      <QualProblem error={error} onRetry={(error as { code?: string } | undefined)?.code === 'NATIONAL_CHECK_UNAVAILABLE' ? () => void submit() : undefined} />
      <Button block size="large" color="primary" type="submit" className="citizen-button" loading={busy} loadingText={busyLabel} data-testid="choose-submit">
        {submitLabel}
      </Button>
    </form>
  );
}

function Success({
  qualification: q,
  programmes,
  platforms,
  mode,
}: {
  qualification: Qualification;
  programmes: ProgrammeRules[] | undefined;
  platforms: DesignatedPlatform[] | undefined;
  mode: 'exchanged' | 'changed';
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const details: ReactNode = (
    <>
      {t(`redemption.citizen.${mode === 'exchanged' ? 'exchange' : 'change'}.doneDetail`, {
        category: categoryName(programmes, q.category, lang),
        expiresAt: formatCivilDateTime(q.expiresAt),
      })}
      {q.platform && <> {t('redemption.citizen.onlineHint', { platform: platformName(platforms, q.platform, lang) })}</>}
    </>
  );
  return (
    <div data-testid="choose-success" role="status">
      <Result
        className="citizen-result"
        status="success"
        title={t(`redemption.citizen.${mode === 'exchanged' ? 'exchange' : 'change'}.done`)}
        description={details}
      />
      {q.channel === 'offline' && (
        <Link to={qrPath(q.id)} className="citizen-big-button qual-action" data-testid="success-show-qr">
          {t('redemption.citizen.showQr')}
        </Link>
      )}
      <p className="citizen-back">
        <Link to={HOME}>{t('redemption.citizen.toMine')}</Link>
      </p>
    </div>
  );
}

function Missing({ text }: { text: string }) {
  const { t } = useTranslation();
  return (
    <div className="citizen-card">
      <p className="citizen-card-lead">{text}</p>
      <Link to={HOME} className="citizen-big-button">
        {t('redemption.citizen.toMine')}
      </Link>
    </div>
  );
}
