import { useState } from 'react';
import { Button, Dialog } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { signInUrl, useSession } from '../../shared/session';
import { civilDay, formatDay, formatTime, pick } from '../../public/halls/common/format';
import type { Appointment, Ticket } from '../../public/halls/common/types';
import { ProblemAlert } from '../ProblemAlert';
import { SlotPicker } from './SlotPicker';
import { useGet } from './useApi';
import { tr } from '../../public/halls/common/i18n';

/** 我的排队: my tickets (with their progress) and my appointments (cancel). */
export function MyHallsPage() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <>
      <h1 className="citizen-title">{t('halls.mine.title')}</h1>
      {session.state.status === 'signedOut' && (
        <section className="citizen-card">
          <p className="citizen-card-lead">{t('halls.mine.signIn')}</p>
          <a className="citizen-big-button" href={signInUrl('/citizen/halls/mine')}>
            {t('citizen.me.signIn')}
          </a>
        </section>
      )}
      {session.state.status === 'signedIn' && session.isResident && <Mine />}
      <p className="citizen-back">
        <Link to="/citizen/halls">{t('halls.backToList')}</Link>
      </p>
    </>
  );
}

function Mine() {
  const { t } = useTranslation();
  const lang = currentLang();
  const tickets = useGet<Ticket[]>('/me/tickets');
  const appointments = useGet<Appointment[]>('/me/appointments');
  const [error, setError] = useState<unknown>(undefined);
  const [moving, setMoving] = useState<string | null>(null);
  const cancel = async (appointment: Appointment) => {
    const confirmed = await Dialog.confirm({ content: t('halls.mine.cancelConfirm'), confirmText: t('halls.mine.cancel'), cancelText: t('halls.ticket.keep') });
    if (!confirmed) return;
    try {
      await api.post(`/me/appointments/${encodeURIComponent(appointment.id)}/cancel`);
      appointments.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      <section aria-labelledby="mine-tickets">
        <h2 id="mine-tickets" className="citizen-subtitle">
          {t('halls.mine.tickets')}
        </h2>
        <ProblemAlert error={tickets.error} />
        {tickets.data?.length === 0 && <p className="citizen-intro">{t('halls.mine.noTickets')}</p>}
        <ul className="halls-list">
          {tickets.data?.map((ticket) => (
            <li key={ticket.id} className="citizen-card halls-item">
              <div className="halls-item-head">
                <h3 className="halls-item-title">
                  <Link to={`/citizen/halls/tickets/${ticket.id}`}>
                    {ticket.number} · {pick(ticket.serviceNames, lang)}
                  </Link>
                </h3>
              </div>
              <p className="halls-address">
                {pick(ticket.hallNames, lang)} · {formatDay(ticket.issuedAt, lang)} {formatTime(ticket.issuedAt)}
              </p>
              <p className="halls-address">
                {tr(t, `halls.ticketStatus.${ticket.status}`)}
                {ticket.status === 'waiting' && ticket.position ? ` · ${t('halls.ticket.position', { count: ticket.position })}` : ''}
              </p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="mine-appointments">
        <h2 id="mine-appointments" className="citizen-subtitle">
          {t('halls.mine.appointments')}
        </h2>
        <ProblemAlert error={appointments.error ?? error} />
        {appointments.data?.length === 0 && <p className="citizen-intro">{t('halls.mine.noAppointments')}</p>}
        <ul className="halls-list">
          {appointments.data?.map((appointment) => (
            <li key={appointment.id} className="citizen-card halls-item">
              <h3 className="halls-item-title">{pick(appointment.serviceNames, lang)}</h3>
              <p className="halls-address">
                <Link to={`/citizen/halls/${appointment.hallId}`}>{pick(appointment.hallNames, lang)}</Link>
              </p>
              <p className="halls-address">
                {formatDay(appointment.slotStart, lang)} {formatTime(appointment.slotStart)}–{formatTime(appointment.slotEnd)} · {tr(t, `halls.appointmentStatus.${appointment.status}`)}
              </p>
              {appointment.status === 'booked' && (
                <>
                  <div className="halls-actions">
                    <Button className="citizen-button" onClick={() => setMoving(moving === appointment.id ? null : appointment.id)} aria-expanded={moving === appointment.id}>
                      {t('halls.mine.reschedule')}
                    </Button>
                    <Button className="citizen-button" onClick={() => void cancel(appointment)}>
                      {t('halls.mine.cancel')}
                    </Button>
                  </div>
                  {moving === appointment.id && <Reschedule appointment={appointment} onDone={() => { setMoving(null); appointments.reload(); }} />}
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** 改约: another slot of the same hall; the old place is freed only once the new one is taken. */
function Reschedule({ appointment, onDone }: { appointment: Appointment; onDone: () => void }) {
  const { t } = useTranslation();
  const [date, setDate] = useState(civilDay(0));
  const [slot, setSlot] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!slot) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/me/appointments/${encodeURIComponent(appointment.id)}/reschedule`, { slotStart: slot });
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="halls-reschedule">
      <SlotPicker hallId={appointment.hallId} name={`move-${appointment.id}`} date={date} onDate={setDate} slot={slot} onSlot={setSlot} />
      <ProblemAlert error={error} />
      <Button block color="primary" className="citizen-button" disabled={!slot} loading={busy} onClick={() => void submit()}>
        {t('halls.mine.rescheduleSubmit')}
      </Button>
    </div>
  );
}
