import { useEffect, useState } from 'react';
import { Radio, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { districtName } from '../../shared/districts';
import { HallsMapChart } from './common/HallsMapChart';
import { formatTime, pick } from './common/format';
import { HALL_TYPES, type HallSummary, type HallType } from './common/types';
import './public-halls.css';
import { tr } from './common/i18n';

/** 政务服务网点地图: every hall on the district map and in a table with its live status. */
export function PublicHallsMap() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [halls, setHalls] = useState<HallSummary[] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [type, setType] = useState<HallType | 'all'>('all');
  useEffect(() => {
    let stopped = false;
    const load = () =>
      api.get<HallSummary[]>('/halls', type === 'all' ? undefined : { type }).then(
        (result) => !stopped && setHalls(result),
        (failure: unknown) => !stopped && setError(failure),
      );
    void load();
    const timer = window.setInterval(() => void load(), 20_000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [type]);
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('public.map.title')}</h1>
      <p className="desktop-intro">{t('halls.publicMap.intro')}</p>
      <Radio.Group
        value={type}
        onChange={(event) => setType(event.target.value as HallType | 'all')}
        optionType="button"
        aria-label={t('halls.home.filter')}
        options={(['all', ...HALL_TYPES] as const).map((value) => ({ value, label: value === 'all' ? t('halls.types.all') : tr(t, `halls.types.${value}`) }))}
      />
      <ProblemAlert error={error} />
      {halls && (
        <>
          <div className="public-halls-map">
            <HallsMapChart halls={halls} height={480} onSelect={(id) => window.open(`/public/halls/${id}/display`, '_blank', 'noopener')} />
          </div>
          <p className="halls-muted">{t('halls.map.note')}</p>
          <Table<HallSummary>
            rowKey="id"
            size="middle"
            pagination={false}
            dataSource={halls}
            columns={[
              { key: 'name', title: t('halls.publicMap.columns.name'), render: (_, hall) => <strong>{pick(hall.names, lang)}</strong> },
              { key: 'type', title: t('halls.publicMap.columns.type'), render: (_, hall) => <Tag>{tr(t, `halls.types.${hall.type}`)}</Tag> },
              { key: 'district', title: t('halls.publicMap.columns.district'), render: (_, hall) => districtName(hall.districtCode, lang) },
              { key: 'address', title: t('halls.publicMap.columns.address'), render: (_, hall) => hall.address },
              { key: 'phone', title: t('halls.phone'), render: (_, hall) => <a href={`tel:${hall.phone}`}>{hall.phone}</a> },
              { key: 'queue', title: t('halls.status.queueLabel'), render: (_, hall) => t('halls.status.people', { count: hall.status.queueLength }) },
              { key: 'windows', title: t('halls.status.windowsLabel'), render: (_, hall) => t('halls.status.windows', { open: hall.status.windowsOpen, total: hall.status.windowsTotal }) },
              {
                key: 'slot',
                title: t('halls.status.nextSlotLabel'),
                render: (_, hall) => {
                  const next = hall.status.nextBookableSlots[0];
                  return next ? `${formatTime(next.start)}–${formatTime(next.end)}` : t('halls.status.noSlot');
                },
              },
              {
                key: 'links',
                title: t('halls.publicMap.columns.links'),
                render: (_, hall) => (
                  <span className="public-halls-links">
                    <a href={hall.navigationUrl} target="_blank" rel="noopener noreferrer">
                      {t('halls.navigate')}
                      <span className="visually-hidden">
                        {' '}
                        {pick(hall.names, lang)} {t('halls.opensMapApp')}
                      </span>
                    </a>
                    <a href={`/public/halls/${hall.id}/display`}>
                      {t('halls.publicMap.display')}
                      <span className="visually-hidden"> {pick(hall.names, lang)}</span>
                    </a>
                  </span>
                ),
              },
            ]}
          />
        </>
      )}
    </div>
  );
}
