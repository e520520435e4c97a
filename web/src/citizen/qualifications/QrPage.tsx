import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api, ApiError } from '../../shared/api';
import { categoryName, qrRefreshDelay, secondsLeft, shownQualificationStatus, type QrCode, type Qualification } from '../../shared/redemption';
import { setLargeText, useLargeText } from '../../shared/largeText';
import { serverNow, useServerNow } from '../../shared/serverClock';
import { formatCivilTime } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { HOME, loadProgrammes, loadQualifications, qrPath } from './data';
import { QualificationStatusBadge, QualProblem, ResidentGate } from './parts';

/** The QR code is fetched again this long before it expires (it is valid for two minutes). */
export const REFRESH_LEAD_MS = 20_000;
/** While the code is shown, the page asks every few seconds whether the till has used it. */
const STATUS_POLL_MS = 5_000;

/** /citizen/qualifications/:id/qr — the full-screen code the cashier scans (TI-26). */
export function QrPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const large = useLargeText();
  return (
    <FullScreen>
      {/* The header with the display settings is behind this screen, so large text can be switched here too. */}
      <button type="button" className="qr-large-text" aria-pressed={large} onClick={() => setLargeText(!large)} data-testid="qr-large-text">
        {t('prefs.largeText')}
      </button>
      <h1 className="qr-title" id="qr-title" tabIndex={-1}>
        {t('redemption.citizen.qr.title')}
      </h1>
      <ResidentGate returnTo={qrPath(id)}>
        <QrView id={id} />
      </ResidentGate>
      <p className="qr-close">
        <Link to={HOME} className="qr-close-link" data-testid="qr-close">
          {t('redemption.citizen.qr.close')}
        </Link>
      </p>
    </FullScreen>
  );
}

/**
 * Covers the whole screen (header and tab bar included) with a white panel; what is behind it is made
 * inert, so neither the keyboard nor a screen reader wanders there. The screen is kept awake where the
 * browser allows it.
 */
function FullScreen({ children }: { children: ReactNode }) {
  useEffect(() => {
    const behind = [...document.querySelectorAll<HTMLElement>('.citizen-header, .citizen-tabbar, .skip-link')];
    for (const element of behind) element.setAttribute('inert', '');
    document.getElementById('qr-title')?.focus();
    document.documentElement.classList.add('qr-open');
    let lock: { release(): Promise<void> } | undefined;
    let released = false;
    const wake = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } }).wakeLock;
    wake
      ?.request('screen')
      .then((sentinel) => {
        if (released) void sentinel.release();
        else lock = sentinel;
      })
      .catch(() => undefined);
    return () => {
      released = true;
      for (const element of behind) element.removeAttribute('inert');
      document.documentElement.classList.remove('qr-open');
      void lock?.release().catch(() => undefined);
    };
  }, []);
  return (
    <div className="qr-screen" data-testid="qr-screen">
      <div className="qr-screen-inner">{children}</div>
    </div>
  );
}

type CodeState = { code: QrCode; image: string } | null;

async function renderQr(token: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(token, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function QrView({ id }: { id: string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const now = useServerNow(1000);
  const programmes = usePolled('programmes', loadProgrammes, null);
  const qualifications = usePolled('qualifications', loadQualifications, STATUS_POLL_MS);
  const [state, setState] = useState<CodeState>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(false);
  const [announced, setAnnounced] = useState(false);
  const generation = useRef(0);
  const reloadStatus = qualifications.reload;
  const q: Qualification | undefined = qualifications.data?.find((x) => x.id === id);
  const status = q ? shownQualificationStatus(q, now) : undefined;
  const usable = status === undefined || status === 'active';

  const refresh = useCallback(async (manual: boolean) => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const code = await api.post<QrCode>(`/me/qualifications/${encodeURIComponent(id)}/qr`);
      const image = await renderQr(code.token);
      if (mine !== generation.current) return;
      setState({ code, image });
      setError(undefined);
      setAnnounced(manual);
    } catch (err) {
      if (mine !== generation.current) return;
      setError(err);
      if (err instanceof ApiError && (err.code === 'QUALIFICATION_NOT_ACTIVE' || err.code === 'QUALIFICATION_NOT_FOUND')) {
        setState(null);
        reloadStatus();
      }
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [id, reloadStatus]);

  // The first code as soon as the page opens (and again if the qualification becomes usable again).
  useEffect(() => {
    if (usable) void refresh(false);
    else {
      generation.current += 1;
      setState(null);
    }
  }, [refresh, usable]);

  // A new code REFRESH_LEAD_MS before the current one expires; after a failure, try again in a few seconds.
  useEffect(() => {
    if (!usable) return undefined;
    const delay = state ? qrRefreshDelay(state.code.expiresAt, serverNow(), REFRESH_LEAD_MS) : error !== undefined ? 5_000 : null;
    if (delay === null) return undefined;
    const timer = setTimeout(() => void refresh(false), delay);
    return () => clearTimeout(timer);
  }, [state, error, usable, refresh]);

  if (q && status !== 'active') {
    return (
      <div className="qr-done" data-testid="qr-not-active" data-status={status} role="status">
        <p className="qr-category">{categoryName(programmes.data, q.category, lang)}</p>
        <QualificationStatusBadge status={status ?? q.status} />
        <p className="qr-done-text">{t(`redemption.citizen.qr.after.${status}`, { defaultValue: t('redemption.citizen.qr.after.other') })}</p>
      </div>
    );
  }

  const left = state ? secondsLeft(state.code.expiresAt, now) : 0;
  const expired = state !== null && left === 0;
  const untilRefresh = Math.max(0, left - REFRESH_LEAD_MS / 1000);
  return (
    <div className="qr-view">
      {q && <p className="qr-category">{categoryName(programmes.data, q.category, lang)}</p>}
      <p className="qr-lead">{t('redemption.citizen.qr.lead')}</p>
      <div className="qr-box" data-testid="qr-box">
        {state && !expired ? (
          <img className="qr-image" src={state.image} alt={t('redemption.citizen.qr.alt')} data-testid="qr-image" />
        ) : (
          <p className="qr-placeholder" role="status">
            {expired ? t('redemption.citizen.qr.expired') : t('redemption.citizen.qr.loading')}
          </p>
        )}
      </div>
      {state && !expired && (
        <p className="qr-countdown" role="timer" aria-live="off" data-testid="qr-countdown">
          {loading ? t('redemption.citizen.qr.refreshing') : t('redemption.citizen.qr.countdown', { seconds: untilRefresh })}
          <span className="qr-valid-until">{t('redemption.citizen.qr.validUntil', { time: formatCivilTime(state.code.expiresAt) })}</span>
        </p>
      )}
      <p className="visually-hidden" aria-live="polite">
        {announced && !loading ? t('redemption.citizen.qr.refreshed') : ''}
      </p>
      <QualProblem error={error} />
      <Button block size="large" className="citizen-button qr-refresh" onClick={() => void refresh(true)} loading={loading} data-testid="qr-refresh">
        {t('redemption.citizen.qr.refresh')}
      </Button>
      {state && (
        <div className="qr-token-block">
          <p className="qr-token-label">
            {t('redemption.citizen.qr.tokenLabel')}
          </p>
          {state.code.typedCode && (
            <p className="qr-typed-code" data-testid="qr-typed-code" aria-label={state.code.typedCode.split('').join(' ')}>
              {state.code.typedCode.replace(/(\d{4})(\d{4})(\d{2})/, '$1 $2 $3')}
            </p>
          )}
          <p className="qr-token" data-testid="qr-token">
            {state.code.token}
          </p>
        </div>
      )}
      <p className="qr-hint">{t('redemption.citizen.qr.hint')}</p>
    </div>
  );
}
