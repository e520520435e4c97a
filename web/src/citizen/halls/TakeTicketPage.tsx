import { useMemo, useRef, useState } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api, ApiError } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import { signInUrl, useSession } from '../../shared/session';
import { civilDay, formatTime, pick } from '../../public/halls/common/format';
import type { Appointment, Catalogue, HallDetail } from '../../public/halls/common/types';
import { ProblemAlert } from '../ProblemAlert';
import { useGet } from './useApi';

/**
 * The page the hall's NFC sticker or QR poster opens (POL-19): the phone is signed in under the
 * resident's real name, so choosing the business and pressing "take a ticket" queues this person.
 */
export function TakeTicketPage() {
  const { t } = useTranslation();
  const session = useSession();
  const { hallId = '' } = useParams();
  const [search] = useSearchParams();
  const via = search.get('via') === 'nfc' ? 'nfc' : 'qr';
  const tag = search.get('tag') ?? '';
  const here = `/citizen/halls/${hallId}/take?${search.toString()}`;

  return (
    <>
      <h1 className="citizen-title">{t('halls.take.title')}</h1>
      {session.state.status === 'loading' && <p role="status">{t('citizen.me.loading')}</p>}
      {session.state.status === 'signedOut' && (
        <section className="citizen-card">
          <p className="citizen-card-lead">{t('halls.take.signIn')}</p>
          <a className="citizen-big-button" href={signInUrl(here)} data-testid="sign-in">
            {t('citizen.me.signIn')}
          </a>
        </section>
      )}
      {session.state.status === 'error' && <ProblemAlert error={session.state.error} />}
      {session.state.status === 'signedIn' && (session.isResident ? <TakeForm hallId={hallId} via={via} tag={tag} /> : <p className="citizen-intro">{t('halls.take.residentsOnly')}</p>)}
    </>
  );
}

function TakeForm({ hallId, via, tag }: { hallId: string; via: 'nfc' | 'qr'; tag: string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const navigate = useNavigate();
  const hall = useGet<HallDetail>(`/halls/${encodeURIComponent(hallId)}`);
  const catalogue = useGet<Catalogue>('/services');
  const appointments = useGet<Appointment[]>('/me/appointments');
  const today = civilDay(0);
  const todays = useMemo(
    () => (appointments.data ?? []).filter((appointment) => appointment.hallId === hallId && appointment.status === 'booked' && civilDay(0, new Date(appointment.slotStart)) === today),
    [appointments.data, hallId, today],
  );
  const [serviceId, setServiceId] = useState('');
  const [useAppointment, setUseAppointment] = useState<string>('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const keys = useRef(new IdempotencyKeys());

  const offered = useMemo(
    () => (catalogue.data && hall.data ? catalogue.data.items.filter((item) => hall.data!.services.includes(item.id)) : []),
    [catalogue.data, hall.data],
  );
  const chosen = offered.find((item) => item.id === serviceId);

  const take = async () => {
    const appointment = todays.find((candidate) => candidate.id === useAppointment);
    const body = { serviceId: appointment?.serviceId ?? serviceId, via, tagToken: tag, ...(appointment ? { appointmentId: appointment.id } : {}) };
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.post<{ ticket: { id: string } }>(`/halls/${encodeURIComponent(hallId)}/tickets`, body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      navigate(`/citizen/halls/tickets/${result.ticket.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  if (hall.error) return <ProblemAlert error={hall.error} />;
  if (!hall.data || !catalogue.data) return <p role="status">{t('common.loading')}</p>;
  const alreadyActive = error instanceof ApiError && error.code === 'TICKET_ALREADY_ACTIVE';
  return (
    <>
      <p className="citizen-intro" data-testid="take-hall">
        {t('halls.take.at', { hall: pick(hall.data.names, lang) })}
      </p>
      {!tag && <p className="citizen-problem">{t('halls.take.noTag')}</p>}
      {todays.length > 0 && (
        <fieldset className="citizen-card halls-appointment-choice">
          <legend>{t('halls.take.appointment')}</legend>
          {todays.map((appointment) => (
            <label key={appointment.id} className="halls-check">
              <input type="checkbox" checked={useAppointment === appointment.id} onChange={(event) => setUseAppointment(event.target.checked ? appointment.id : '')} />
              <span>{t('halls.take.useAppointment', { item: pick(appointment.serviceNames, lang), time: formatTime(appointment.slotStart) })}</span>
            </label>
          ))}
        </fieldset>
      )}
      {!useAppointment && (
        <section className="citizen-card">
          <label className="halls-field">
            <span>{t('halls.take.item')}</span>
            <select value={serviceId} onChange={(event) => setServiceId(event.target.value)} data-testid="take-item">
              <option value="">{t('halls.booking.chooseItem')}</option>
              {catalogue.data.categories.map((category) => (
                <optgroup key={category.id} label={pick(category.names, lang)}>
                  {offered.filter((item) => item.category === category.id).map((item) => (
                    <option key={item.id} value={item.id}>
                      {pick(item.names, lang)}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </label>
          {chosen && (
            <div className="halls-bring" aria-live="polite">
              <h2 className="citizen-card-title">{t('halls.take.bring')}</h2>
              <ul>
                {chosen.documents.map((document) => (
                  <li key={document.id}>{pick(document.names, lang)}</li>
                ))}
              </ul>
            </div>
          )}
        </section>
      )}
      <ProblemAlert error={error} />
      {alreadyActive && (
        <p className="citizen-intro">
          <Link to="/citizen/halls/mine">{t('halls.take.seeMine')}</Link>
        </p>
      )}
      <Button block color="primary" size="large" className="citizen-button" disabled={!tag || (!serviceId && !useAppointment)} loading={busy} onClick={() => void take()} data-testid="take-ticket">
        {t('halls.take.submit')}
      </Button>
      <p className="citizen-hint">{t('halls.take.privacy')}</p>
    </>
  );
}
