import { useEffect, useMemo, useState } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { Icon } from '../../shared/Icon';
import { currentPosition } from '../../shared/location';
import { HallsMapChart } from '../../public/halls/common/HallsMapChart';
import { CITY_CENTRE, formatDistance, pick } from '../../public/halls/common/format';
import { HALL_TYPES, type HallSummary, type HallType } from '../../public/halls/common/types';
import { ProblemAlert } from '../ProblemAlert';
import { HallStatusLine } from './HallStatusLine';
import { NfcReader } from './NfcReader';
import { useGet } from './useApi';
import { tr } from '../../public/halls/common/i18n';

type Filter = HallType | 'all';

/** 附近网点 (POL-20–POL-23): a map and a list of halls sorted by distance, filtered by type, with live status. */
export function HallsHome() {
  const { t } = useTranslation();
  const lang = currentLang();
  const navigate = useNavigate();
  const [origin, setOrigin] = useState<{ lat: number; lng: number } | null>(null);
  const [locating, setLocating] = useState(false);
  const [locationProblem, setLocationProblem] = useState(false);
  const [filter, setFilter] = useState<Filter>('all');
  const centre = origin ?? CITY_CENTRE;
  const query = useMemo(() => ({ lat: centre.lat, lng: centre.lng, ...(filter === 'all' ? {} : { type: filter }) }), [centre.lat, centre.lng, filter]);
  const halls = useGet<HallSummary[]>('/halls', query);

  // The list's live figures are read again every 20 seconds while the page is open.
  useEffect(() => {
    const timer = window.setInterval(halls.reload, 20_000);
    return () => window.clearInterval(timer);
  }, [halls.reload]);

  const locate = () => {
    setLocating(true);
    // The shared reader checks a withdrawn permission first (the browser might still hold a position).
    currentPosition(10_000).then(
      (position) => {
        setOrigin(position);
        setLocating(false);
        setLocationProblem(false);
      },
      () => {
        setLocating(false);
        setLocationProblem(true);
      },
    );
  };

  return (
    <>
      <h1 className="citizen-title">{t('halls.home.title')}</h1>
      <p className="citizen-intro">{t('halls.home.intro')}</p>
      <nav className="halls-shortcuts" aria-label={t('halls.home.shortcuts')}>
        <Link to="/citizen/halls/mine" className="halls-shortcut" data-testid="my-queue">
          <Icon name="clock" />
          <span>{t('halls.home.mine')}</span>
        </Link>
        <Link to="/citizen/halls/guide" className="halls-shortcut">
          <Icon name="audit" />
          <span>{t('halls.home.guide')}</span>
        </Link>
      </nav>
      <NfcReader />

      <section className="citizen-card" aria-labelledby="halls-where">
        <h2 id="halls-where" className="citizen-card-title">
          {t('halls.home.where')}
        </h2>
        <p className="citizen-hint" role="status">
          {origin ? t('halls.home.fromYou') : t('halls.home.fromCentre')}
        </p>
        <Button block className="citizen-button" onClick={locate} loading={locating} data-testid="use-location">
          {t('halls.home.useLocation')}
        </Button>
        {locationProblem && <p className="citizen-hint">{t('halls.home.locationProblem')}</p>}
        <fieldset className="halls-segmented">
          <legend>{t('halls.home.filter')}</legend>
          {(['all', ...HALL_TYPES] as Filter[]).map((value) => (
            <label key={value} className={filter === value ? 'checked' : undefined}>
              <input type="radio" name="hall-type" value={value} checked={filter === value} onChange={() => setFilter(value)} />
              <span>{value === 'all' ? t('halls.types.all') : tr(t, `halls.types.${value}`)}</span>
            </label>
          ))}
        </fieldset>
      </section>

      {halls.data && (
        <section aria-labelledby="halls-map-heading" className="halls-map-section">
          <h2 id="halls-map-heading" className="citizen-subtitle">
            {t('halls.home.map')}
          </h2>
          <HallsMapChart halls={halls.data} origin={origin ?? undefined} height={300} onSelect={(id) => navigate(`/citizen/halls/${id}`)} />
          <p className="citizen-hint">{t('halls.map.note')}</p>
        </section>
      )}

      <section aria-labelledby="halls-list-heading">
        <h2 id="halls-list-heading" className="citizen-subtitle">
          {t('halls.home.list')}
        </h2>
        <ProblemAlert error={halls.error} />
        {halls.loading && !halls.data && <p role="status">{t('common.loading')}</p>}
        <ul className="halls-list" data-testid="halls-list">
          {halls.data?.map((hall) => (
            <li key={hall.id} className="citizen-card halls-item" data-testid={`hall-${hall.id}`}>
              <div className="halls-item-head">
                <h3 className="halls-item-title">
                  <Link to={`/citizen/halls/${hall.id}`}>{pick(hall.names, lang)}</Link>
                </h3>
                <span className="halls-distance">{formatDistance(hall.distanceM, lang)}</span>
              </div>
              <p className="halls-meta">
                <span className={`halls-badge halls-type-${hall.type}`}>{tr(t, `halls.types.${hall.type}`)}</span>
                {hall.demo && <span className="halls-badge halls-demo">{t('halls.demo')}</span>}
              </p>
              <p className="halls-address">{hall.address}</p>
              <p className="halls-address">
                {t('halls.phone')}: <a href={`tel:${hall.phone}`}>{hall.phone}</a>
              </p>
              <HallStatusLine status={hall.status} compact />
              <div className="halls-actions">
                <a className="halls-action" href={hall.navigationUrl} target="_blank" rel="noopener noreferrer" data-testid={`navigate-${hall.id}`}>
                  <Icon name="map" />
                  <span>{t('halls.navigate')}</span>
                  <span className="visually-hidden">{t('halls.opensMapApp')}</span>
                </a>
                <Link className="halls-action halls-action-primary" to={`/citizen/halls/${hall.id}`}>
                  <Icon name="location" />
                  <span>{t('halls.details')}</span>
                </Link>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
