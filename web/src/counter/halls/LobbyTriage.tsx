import { useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Radio, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { RequireRole } from '../../desktop/RequireRole';
import { api, ApiError } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import { useSession } from '../../shared/session';
import { pick } from '../../public/halls/common/format';
import type { HallSummary } from '../../public/halls/common/types';
import { useHallAndCatalogue } from './useStaffHall';
import './counter-halls.css';
import { tr } from '../../public/halls/common/i18n';

interface Issued {
  number: string;
  position: number | null;
  estimatedWaitMinutes: number | null;
  estimatedWaitRange: { low: number; high: number } | null;
  priority: string | null;
}

const REDIRECT_REASONS = ['missing_documents', 'other_hall', 'online', 'not_police_business', 'other'] as const;

/** 大堂警官 (POL-15, POL-16): check the resident's documents against the catalogue, then issue a ticket by identity number or redirect. */
export function LobbyTriage() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('halls.lobby.title')} home="/counter" allow={(session) => session.roles.some((role) => role === 'lobby_officer' || role === 'hall_manager')}>
      <LobbyPage />
    </RequireRole>
  );
}

function LobbyPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const hallId = session.me?.hallId;
  const { hall, catalogue, error: loadError } = useHallAndCatalogue(hallId);
  const [serviceId, setServiceId] = useState<string | undefined>();
  const [checked, setChecked] = useState<string[]>([]);
  const [idNumber, setIdNumber] = useState('');
  const [name, setName] = useState('');
  const [needName, setNeedName] = useState(false);
  const [priority, setPriority] = useState<string>('');
  const [issued, setIssued] = useState<Issued | null>(null);
  const [redirected, setRedirected] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState<(typeof REDIRECT_REASONS)[number]>('missing_documents');
  const [toHallId, setToHallId] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [otherHalls, setOtherHalls] = useState<HallSummary[] | null>(null);
  const keys = useRef(new IdempotencyKeys());

  const offered = useMemo(() => (catalogue && hall ? catalogue.items.filter((item) => hall.services.includes(item.id)) : []), [catalogue, hall]);
  const item = offered.find((candidate) => candidate.id === serviceId);
  const missing = item ? item.documents.filter((document) => !checked.includes(document.id)) : [];

  const reset = () => {
    setServiceId(undefined);
    setChecked([]);
    setIdNumber('');
    setName('');
    setNeedName(false);
    setPriority('');
    setNote('');
  };

  const issue = async () => {
    if (!hallId || !serviceId) return;
    setBusy(true);
    setError(undefined);
    setIssued(null);
    setRedirected(null);
    const body = { serviceId, via: 'lobby', idNumber: idNumber.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(priority ? { priority } : {}) };
    try {
      const result = await api.post<{ ticket: Issued }>(`/halls/${encodeURIComponent(hallId)}/tickets`, body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      setIssued(result.ticket);
      reset();
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'NAME_REQUIRED') setNeedName(true);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const redirect = async () => {
    if (!hallId) return;
    setBusy(true);
    setError(undefined);
    setIssued(null);
    const body = {
      ...(serviceId ? { serviceId } : {}),
      reason,
      ...(reason === 'missing_documents' ? { missingDocuments: missing.map((document) => document.id) } : {}),
      ...(reason === 'other_hall' && toHallId ? { toHallId } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    try {
      await api.post(`/staff/halls/${encodeURIComponent(hallId)}/redirects`, body, { idempotencyKey: keys.current.keyFor(body, 'redirect') });
      keys.current.done();
      setRedirected(
        reason === 'missing_documents' && missing.length > 0
          ? t('halls.lobby.redirectedMissing', { documents: missing.map((document) => pick(document.names, lang)).join('、') })
          : t('halls.lobby.redirected'),
      );
      reset();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (!hallId) return <Alert type="warning" showIcon title={t('halls.window.noHall')} />;
  return (
    <div className="desktop-page halls-counter">
      <h1 className="desktop-title">{t('halls.lobby.title')}</h1>
      <p className="desktop-intro">
        {hall ? pick(hall.names, lang) : ''} · {t('halls.lobby.intro')}
      </p>
      <ProblemAlert error={loadError ?? error} />
      {issued && (
        <Card className="halls-issued" data-testid="issued">
          <p className="halls-muted">{t('halls.lobby.issued')}</p>
          <p className="halls-serving-number">{issued.number}</p>
          <p>
            {t('halls.ticket.position', { count: issued.position ?? 0 })}
            {issued.estimatedWaitRange && ` · ${t('halls.ticket.estimate', { minutes: issued.estimatedWaitMinutes, low: issued.estimatedWaitRange.low, high: issued.estimatedWaitRange.high })}`}
            {issued.priority && ` · ${tr(t, `halls.priority.${issued.priority}`)}`}
          </p>
        </Card>
      )}
      {redirected && <Alert type="success" showIcon title={redirected} role="status" className="page-messages" data-testid="redirected" />}

      <Card title={<h2 className="card-heading">{t('halls.lobby.step1')}</h2>} className="halls-window-card">
        <Form layout="vertical">
          <Form.Item label={t('halls.lobby.item')} htmlFor="lobby-item">
            <select
              id="lobby-item"
              className="halls-native-select"
              value={serviceId ?? ''}
              onChange={(event) => {
                setServiceId(event.target.value || undefined);
                setChecked([]);
              }}
              data-testid="lobby-item"
            >
              <option value="">{t('halls.booking.chooseItem')}</option>
              {(catalogue?.categories ?? []).map((category) => (
                <optgroup key={category.id} label={pick(category.names, lang)}>
                  {offered.filter((candidate) => candidate.category === category.id).map((candidate) => (
                    <option key={candidate.id} value={candidate.id}>
                      {pick(candidate.names, lang)}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </Form.Item>
        </Form>
        {item && (
          <fieldset className="halls-documents">
            <legend>{t('halls.lobby.documents')}</legend>
            <Checkbox.Group value={checked} onChange={(values) => setChecked(values as string[])}>
              <Space direction="vertical">
                {item.documents.map((document) => (
                  <Checkbox key={document.id} value={document.id} data-testid={`doc-${document.id}`}>
                    {pick(document.names, lang)}
                  </Checkbox>
                ))}
              </Space>
            </Checkbox.Group>
          </fieldset>
        )}
      </Card>

      {item && missing.length === 0 && (
        <Card title={<h2 className="card-heading">{t('halls.lobby.step2')}</h2>} className="halls-window-card">
          <Form layout="vertical" onFinish={() => void issue()}>
            <Form.Item label={t('halls.lobby.idNumber')} htmlFor="lobby-id-number" extra={t('halls.lobby.idNumberHelp')}>
              <Input id="lobby-id-number" value={idNumber} onChange={(event) => setIdNumber(event.target.value)} autoComplete="off" maxLength={18} inputMode="text" data-testid="lobby-id-number" />
            </Form.Item>
            {needName && (
              <Form.Item label={t('halls.lobby.name')} htmlFor="lobby-name" extra={t('halls.lobby.nameHelp')}>
                <Input id="lobby-name" value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" maxLength={64} />
              </Form.Item>
            )}
            <Form.Item label={t('halls.lobby.priority')}>
              <Radio.Group
                value={priority}
                onChange={(event) => setPriority(event.target.value as string)}
                options={['', 'disabled', 'pregnant', 'other'].map((value) => ({ value, label: value ? tr(t, `halls.priority.${value}`) : t('halls.lobby.noPriority') }))}
              />
            </Form.Item>
            <p className="halls-muted">{t('halls.lobby.elderlyAuto')}</p>
            <Button type="primary" size="large" htmlType="submit" loading={busy} disabled={idNumber.trim().length < 15} data-testid="lobby-issue">
              {t('halls.lobby.issue')}
            </Button>
          </Form>
        </Card>
      )}

      {item && (
        <Card title={<h2 className="card-heading">{t('halls.lobby.redirectTitle')}</h2>} className="halls-window-card">
          <Form layout="vertical" onFinish={() => void redirect()}>
            <Form.Item label={t('halls.lobby.redirectReason')}>
              <Radio.Group
                value={reason}
                onChange={(event) => {
                  const value = event.target.value as (typeof REDIRECT_REASONS)[number];
                  setReason(value);
                  if (value === 'other_hall' && !otherHalls) void api.get<HallSummary[]>('/halls').then(setOtherHalls, setError);
                }}
                options={REDIRECT_REASONS.map((value) => ({ value, label: tr(t, `halls.lobby.reasons.${value}`) }))}
              />
            </Form.Item>
            {reason === 'missing_documents' && missing.length > 0 && (
              <p>{t('halls.lobby.missing', { documents: missing.map((document) => pick(document.names, lang)).join('、') })}</p>
            )}
            {reason === 'other_hall' && (
              <Form.Item label={t('halls.lobby.toHall')} htmlFor="lobby-to-hall">
                <select id="lobby-to-hall" className="halls-native-select" value={toHallId ?? ''} onChange={(event) => setToHallId(event.target.value || undefined)}>
                  <option value="">{t('halls.lobby.toHall')}</option>
                  {(otherHalls ?? []).filter((candidate) => candidate.id !== hallId).map((candidate) => (
                    <option key={candidate.id} value={candidate.id}>
                      {pick(candidate.names, lang)}
                    </option>
                  ))}
                </select>
              </Form.Item>
            )}
            <Form.Item label={t('halls.lobby.note')} htmlFor="lobby-note">
              <Input.TextArea id="lobby-note" rows={2} maxLength={500} value={note} onChange={(event) => setNote(event.target.value)} />
            </Form.Item>
            <Button htmlType="submit" loading={busy} data-testid="lobby-redirect">
              {t('halls.lobby.redirect')}
            </Button>
          </Form>
        </Card>
      )}
    </div>
  );
}
