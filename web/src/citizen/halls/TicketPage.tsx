import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Dialog, Steps } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import { formatTime, pick } from '../../public/halls/common/format';
import type { Ticket } from '../../public/halls/common/types';
import { useHallStatus } from '../../public/halls/common/useHallStatus';
import { ProblemAlert } from '../ProblemAlert';
import { tr } from '../../public/halls/common/i18n';

const LEVELS = [5, 4, 3, 2, 1] as const;

/** Which of the steps 取号 → 等候 → 叫号 → 办结 → 评价 a ticket is at (POL-23: 业务办理到哪一步). */
function stepOf(ticket: Ticket): number {
  if (ticket.rated) return 4;
  if (ticket.status === 'done' || ticket.status === 'not_done') return 3;
  if (ticket.status === 'called') return 2;
  if (ticket.status === 'waiting') return 1;
  return 0;
}

/** My ticket: number, place in the queue, estimated wait, progress, then the rating (好差评). */
export function TicketPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const { ticketId = '' } = useParams();
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const inFlight = useRef(false);

  const load = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      setTicket(await api.get<Ticket>(`/me/tickets/${encodeURIComponent(ticketId)}`));
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      inFlight.current = false;
    }
  }, [ticketId]);

  useEffect(() => {
    void load();
  }, [load]);
  // Every change at the hall may move this ticket: read it again when the hall's status is pushed.
  const { live } = useHallStatus(ticket?.hallId, () => void load());

  const cancel = async () => {
    const confirmed = await Dialog.confirm({ content: t('halls.ticket.cancelConfirm'), confirmText: t('halls.ticket.cancel'), cancelText: t('halls.ticket.keep') });
    if (!confirmed) return;
    try {
      setTicket(await api.post<Ticket>(`/me/tickets/${encodeURIComponent(ticketId)}/cancel`));
    } catch (failure) {
      setActionError(failure);
    }
  };

  if (error && !ticket) {
    return (
      <>
        <h1 className="citizen-title">{t('halls.ticket.title')}</h1>
        <ProblemAlert error={error} />
      </>
    );
  }
  if (!ticket) return <p role="status">{t('common.loading')}</p>;
  const step = stepOf(ticket);
  return (
    <>
      <h1 className="citizen-title">{t('halls.ticket.title')}</h1>
      <section className="citizen-card halls-ticket" aria-labelledby="ticket-number">
        <p className="halls-ticket-hall">{pick(ticket.hallNames, lang)}</p>
        <p id="ticket-number" className="halls-ticket-number" data-testid="ticket-number">
          <span className="visually-hidden">{t('halls.ticket.number')} </span>
          {ticket.number}
        </p>
        <p className="halls-ticket-item">{pick(ticket.serviceNames, lang)}</p>
        <div aria-live="polite" className="halls-ticket-state" data-testid="ticket-state" data-status={ticket.status}>
          {ticket.status === 'waiting' && (
            <>
              <p className="halls-ticket-big">{t('halls.ticket.position', { count: ticket.position ?? 0 })}</p>
              <p>{t('halls.ticket.ahead', { count: Math.max(0, (ticket.position ?? 1) - 1) })}</p>
              {ticket.estimatedWaitRange && (
                <p>
                  {t('halls.ticket.estimate', { minutes: ticket.estimatedWaitMinutes, low: ticket.estimatedWaitRange.low, high: ticket.estimatedWaitRange.high })}
                </p>
              )}
              {ticket.priority && <p className="citizen-hint">{tr(t, `halls.priority.${ticket.priority}`)}</p>}
            </>
          )}
          {ticket.status === 'called' && ticket.window && (
            <p className="halls-ticket-big halls-called">{t('halls.ticket.called', { window: pick(ticket.window.names, lang) })}</p>
          )}
          {ticket.status === 'done' && <p className="halls-ticket-big">{t('halls.ticket.done')}</p>}
          {ticket.status === 'not_done' && (
            <p className="halls-ticket-big">
              {t('halls.ticket.notDone')}
              {ticket.reason ? `：${ticket.reason}` : ''}
            </p>
          )}
          {(ticket.status === 'no_show' || ticket.status === 'cancelled' || ticket.status === 'expired') && <p className="halls-ticket-big">{tr(t, `halls.ticketStatus.${ticket.status}`)}</p>}
        </div>
        <p className="citizen-hint">
          {t('halls.ticket.issued', { time: formatTime(ticket.issuedAt) })} · {live ? t('halls.ticket.live') : t('halls.ticket.notLive')}
        </p>
      </section>
      <section className="citizen-card" aria-labelledby="ticket-progress">
        <h2 id="ticket-progress" className="citizen-card-title">
          {t('halls.ticket.progress')}
        </h2>
        <Steps direction="vertical" current={step}>
          {['issued', 'waiting', 'called', 'finished', 'rated'].map((key) => (
            <Steps.Step key={key} title={tr(t, `halls.ticket.steps.${key}`)} />
          ))}
        </Steps>
      </section>
      <ProblemAlert error={actionError} />
      {ticket.status === 'waiting' && (
        <Button block className="citizen-button" onClick={() => void cancel()}>
          {t('halls.ticket.cancel')}
        </Button>
      )}
      {(ticket.status === 'done' || ticket.status === 'not_done') && !ticket.rated && <RatingForm ticket={ticket} onRated={() => void load()} />}
      {ticket.rated && (
        <p className="halls-success" role="status" data-testid="rated">
          {t('halls.rating.thanks', { level: tr(t, `halls.rating.levels.${ticket.ratingLevel ?? 5}`) })}
        </p>
      )}
      <p className="citizen-back">
        <Link to="/citizen/halls/mine">{t('halls.home.mine')}</Link>
      </p>
    </>
  );
}

/** 好差评: five levels, one rating per service; levels 1–2 are followed up by the hall within a working day. */
function RatingForm({ ticket, onRated }: { ticket: Ticket; onRated: () => void }) {
  const { t } = useTranslation();
  const [level, setLevel] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const keys = useRef(new IdempotencyKeys());
  const submit = async () => {
    if (level === null) return;
    setBusy(true);
    setError(undefined);
    const body = { level, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    try {
      await api.post(`/me/tickets/${encodeURIComponent(ticket.id)}/rating`, body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      onRated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="citizen-card" aria-labelledby="rating-heading">
      <h2 id="rating-heading" className="citizen-card-title">
        {t('halls.rating.title')}
      </h2>
      <fieldset className="halls-rating">
        <legend>{t('halls.rating.question')}</legend>
        {LEVELS.map((value) => (
          <label key={value} className={level === value ? 'checked' : undefined}>
            <input type="radio" name="rating" value={value} checked={level === value} onChange={() => setLevel(value)} data-testid={`rating-${value}`} />
            <span>{tr(t, `halls.rating.levels.${value}`)}</span>
          </label>
        ))}
      </fieldset>
      <label className="halls-field">
        <span>{t('halls.rating.comment')}</span>
        <textarea value={comment} maxLength={500} rows={3} onChange={(event) => setComment(event.target.value)} />
      </label>
      {level !== null && level <= 2 && <p className="citizen-hint">{t('halls.rating.followUp')}</p>}
      <ProblemAlert error={error} />
      <Button block color="primary" className="citizen-button" disabled={level === null} loading={busy} onClick={() => void submit()} data-testid="rating-submit">
        {t('halls.rating.submit')}
      </Button>
    </section>
  );
}
