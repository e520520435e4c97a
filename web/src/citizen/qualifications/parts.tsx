import type { ReactNode } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError } from '../../shared/api';
import { Icon } from '../../shared/Icon';
import { isKnown, QUALIFICATION_STATUSES, scopedProblemMessage, showFieldErrors } from '../../shared/redemption';
import { signInUrl, useSession } from '../../shared/session';
import { ProblemAlert } from '../ProblemAlert';
import { HOME } from './data';

/** Shows `children` to a signed-in resident; otherwise loading, the sign-in card, or why a staff account cannot use it. */
export function ResidentGate({ returnTo, children }: { returnTo: string; children: ReactNode }) {
  const { t } = useTranslation();
  const session = useSession();
  const { state } = session;
  if (state.status === 'loading') {
    return (
      <p className="citizen-intro" role="status">
        {t('citizen.me.loading')}
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <>
        <ProblemAlert error={state.error} />
        <Button block size="large" className="citizen-button" onClick={session.reload}>
          {t('citizen.me.retry')}
        </Button>
      </>
    );
  }
  if (state.status === 'signedOut') {
    return (
      <section className="citizen-card" aria-labelledby="qual-signin-lead">
        <p id="qual-signin-lead" className="citizen-card-lead">
          {t('redemption.citizen.signInLead')}
        </p>
        <a className="citizen-big-button" href={signInUrl(returnTo)} data-testid="sign-in">
          <Icon name="user" />
          <span>{t('citizen.me.signIn')}</span>
        </a>
      </section>
    );
  }
  if (!session.isResident) return <p className="citizen-intro">{t('redemption.citizen.residentsOnly')}</p>;
  return <>{children}</>;
}

/** The mobile error banner in the resident's words (e.g. what "one item per category nationwide" means for them). */
export function QualProblem({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (error === undefined || error === null) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  const fieldErrors = error instanceof ApiError && showFieldErrors(error, t, 'redemption.citizen.errors') ? error.errors : [];
  const more = code ? t(`redemption.citizen.errorMore.${code}`, { defaultValue: '' }) : '';
  return (
    <div role="alert" className="citizen-problem" data-testid="qual-problem" data-code={code}>
      <p className="citizen-problem-title">{scopedProblemMessage(error, t, 'redemption.citizen.errors')}</p>
      {more && <p className="qual-problem-more">{more}</p>}
      {fieldErrors.length > 0 && (
        <>
          <p className="citizen-problem-lead">{t('errors.fieldErrors')}</p>
          <ul>
            {fieldErrors.map((fe, i) => (
              <li key={`${fe.field}-${i}`}>{fe.message}</li>
            ))}
          </ul>
        </>
      )}
      {onRetry && (
        <Button block size="large" className="citizen-button qual-retry" onClick={onRetry}>
          {t('redemption.citizen.retry')}
        </Button>
      )}
    </div>
  );
}

const STATUS_MARK: Record<string, string> = { active: '●', used: '✓', expired: '○', lapsed: '○' };

/** A qualification's status in words, with a mark so colour is never the only signal. */
export function QualificationStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = isKnown(QUALIFICATION_STATUSES, status);
  return (
    <span className={`qual-status qual-status-${known ? status : 'other'}`} data-testid="qualification-status" data-status={status}>
      <span aria-hidden="true">{STATUS_MARK[status] ?? '○'} </span>
      {known ? t(`redemption.qualificationStatus.${status}`) : status}
    </span>
  );
}

export function BackLink({ to = HOME, label }: { to?: string; label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="citizen-back">
      <Link to={to}>{label ?? t('redemption.citizen.back')}</Link>
    </p>
  );
}
