import { useMemo, useRef, useState } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { Icon } from '../../shared/Icon';
import { IdempotencyKeys } from '../../shared/idempotency';
import { signInUrl, useSession } from '../../shared/session';
import { civilDay, formatDay, formatSessions, formatTime, pick } from '../../public/halls/common/format';
import { SlotPicker } from './SlotPicker';
import type { Appointment, Catalogue, HallDetail } from '../../public/halls/common/types';
import { useHallStatus } from '../../public/halls/common/useHallStatus';
import { ProblemAlert } from '../ProblemAlert';
import { HallStatusLine } from './HallStatusLine';
import { ServiceGuide } from './ServiceGuide';
import { useGet } from './useApi';
import { tr } from '../../public/halls/common/i18n';


/** One hall: live status, hours and contact, what it handles with the documents to bring, and booking a slot. */
export function HallPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const { hallId = '' } = useParams();
  const hall = useGet<HallDetail>(`/halls/${encodeURIComponent(hallId)}`);
  const catalogue = useGet<Catalogue>('/services');
  const { status } = useHallStatus(hallId);
  const current = status ?? hall.data?.status ?? null;
  const offered = useMemo(
    () => (catalogue.data && hall.data ? catalogue.data.items.filter((item) => hall.data!.services.includes(item.id)) : []),
    [catalogue.data, hall.data],
  );

  if (hall.error) {
    return (
      <>
        <h1 className="citizen-title">{t('halls.hall.title')}</h1>
        <ProblemAlert error={hall.error} />
        <p className="citizen-back">
          <Link to="/citizen/halls">{t('halls.backToList')}</Link>
        </p>
      </>
    );
  }
  if (!hall.data) return <p role="status">{t('common.loading')}</p>;
  const data = hall.data;
  return (
    <>
      <h1 className="citizen-title">{pick(data.names, lang)}</h1>
      <p className="citizen-intro">
        {tr(t, `halls.types.${data.type}`)} · {data.address}
        {data.demo && <span className="halls-demo-inline"> · {t('halls.demo')}</span>}
      </p>
      <section className="citizen-card" aria-labelledby="hall-live">
        <h2 id="hall-live" className="citizen-card-title">
          {t('halls.hall.live')}
        </h2>
        {current && <HallStatusLine status={current} />}
        <p className="citizen-hint">{t('halls.hall.liveHint')}</p>
      </section>
      <section className="citizen-card" aria-labelledby="hall-visit">
        <h2 id="hall-visit" className="citizen-card-title">
          {t('halls.hall.visit')}
        </h2>
        <dl className="halls-facts">
          <div>
            <dt>{t('halls.hall.workingDays')}</dt>
            <dd>{formatSessions(data.hours.workingDays)}</dd>
          </div>
          <div>
            <dt>{t('halls.hall.restDays')}</dt>
            <dd>{data.hours.restDays.length > 0 ? formatSessions(data.hours.restDays) : t('halls.hall.closed')}</dd>
          </div>
          <div>
            <dt>{t('halls.phone')}</dt>
            <dd>
              <a href={`tel:${data.phone}`}>{data.phone}</a>
            </dd>
          </div>
        </dl>
        <a className="citizen-big-button" href={data.navigationUrl} target="_blank" rel="noopener noreferrer">
          <Icon name="map" />
          <span>{t('halls.navigate')}</span>
          <span className="visually-hidden">{t('halls.opensMapApp')}</span>
        </a>
        <p className="citizen-hint">{t('halls.hall.takeHint')}</p>
      </section>
      <Booking hall={data} items={offered} />
      <section aria-labelledby="hall-items">
        <h2 id="hall-items" className="citizen-subtitle">
          {t('halls.hall.items', { count: offered.length })}
        </h2>
        <ProblemAlert error={catalogue.error} />
        {catalogue.data && <ServiceGuide catalogue={catalogue.data} items={offered} />}
      </section>
      <p className="citizen-back">
        <Link to="/citizen/halls">{t('halls.backToList')}</Link>
      </p>
    </>
  );
}

/** Booking a slot (哪个时段可预约, POL-23): item, day, slot. */
function Booking({ hall, items }: { hall: HallDetail; items: Catalogue['items'] }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const [serviceId, setServiceId] = useState('');
  const [date, setDate] = useState(civilDay(0));
  const [slot, setSlot] = useState<string | null>(null);
  const [booked, setBooked] = useState<Appointment | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const keys = useRef(new IdempotencyKeys());

  const book = async () => {
    if (!serviceId || !slot) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { serviceId, slotStart: slot };
      const result = await api.post<Appointment>(`/halls/${encodeURIComponent(hall.id)}/appointments`, body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      setBooked(result);
      setSlot(null);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="citizen-card" aria-labelledby="hall-booking">
      <h2 id="hall-booking" className="citizen-card-title">
        {t('halls.booking.title')}
      </h2>
      {session.state.status === 'signedOut' ? (
        <>
          <p>{t('halls.booking.signIn')}</p>
          <a className="citizen-big-button" href={signInUrl(`/citizen/halls/${hall.id}`)}>
            {t('citizen.me.signIn')}
          </a>
        </>
      ) : (
        <>
          <label className="halls-field">
            <span>{t('halls.booking.item')}</span>
            <select value={serviceId} onChange={(event) => setServiceId(event.target.value)} data-testid="booking-item">
              <option value="">{t('halls.booking.chooseItem')}</option>
              {items.map((item) => (
                <option key={item.id} value={item.id}>
                  {pick(item.names, lang)}
                </option>
              ))}
            </select>
          </label>
          <SlotPicker hallId={hall.id} name="booking" date={date} onDate={setDate} slot={slot} onSlot={setSlot} />
          <ProblemAlert error={error} />
          {booked && (
            <p className="halls-success" role="status" data-testid="booked">
              {t('halls.booking.done', { time: `${formatDay(booked.slotStart, lang)} ${formatTime(booked.slotStart)}` })} <Link to="/citizen/halls/mine">{t('halls.home.mine')}</Link>
            </p>
          )}
          <Button block color="primary" className="citizen-button" disabled={!serviceId || !slot} loading={busy} onClick={() => void book()}>
            {t('halls.booking.submit')}
          </Button>
        </>
      )}
    </section>
  );
}
