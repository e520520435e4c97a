import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Empty, Form, Input, Modal, Radio, Select, Space, Switch, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { RequireRole } from '../../desktop/RequireRole';
import { api } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import { useSession } from '../../shared/session';
import { readPref, writePref } from '../../shared/storage';
import { formatTime, pick } from '../../public/halls/common/format';
import type { HallWindow, Ticket } from '../../public/halls/common/types';
import { useHallStatus } from '../../public/halls/common/useHallStatus';
import { useHallAndCatalogue } from './useStaffHall';
import './counter-halls.css';
import { tr } from '../../public/halls/common/i18n';

const WINDOW_PREF = 'haihe.halls.window';

/** 大厅窗口: the window officer's console (call next, recall, no-show, transfer, finish). */
export function WindowConsole() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('halls.window.title')} home="/counter" allow={(session) => session.roles.some((role) => role === 'window_officer' || role === 'hall_manager')}>
      <WindowConsolePage />
    </RequireRole>
  );
}

function WindowConsolePage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const hallId = session.me?.hallId;
  const { hall, catalogue, error: loadError } = useHallAndCatalogue(hallId);
  const [windows, setWindows] = useState<HallWindow[]>([]);
  const [queue, setQueue] = useState<Ticket[]>([]);
  const [windowId, setWindowId] = useState<string>(() => readPref(WINDOW_PREF) ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [transferOpen, setTransferOpen] = useState(false);
  const [notDoneOpen, setNotDoneOpen] = useState(false);
  const keys = useRef(new IdempotencyKeys());

  const refresh = useCallback(async () => {
    if (!hallId) return;
    try {
      const [nextWindows, nextQueue] = await Promise.all([
        api.get<HallWindow[]>(`/staff/halls/${encodeURIComponent(hallId)}/windows`),
        api.get<Ticket[]>(`/staff/halls/${encodeURIComponent(hallId)}/queue`),
      ]);
      setWindows(nextWindows);
      setQueue(nextQueue);
    } catch (failure) {
      setError(failure);
    }
  }, [hallId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useHallStatus(hallId, () => void refresh());

  useEffect(() => {
    if (!windowId && windows[0]) setWindowId(windows[0].id);
  }, [windows, windowId]);
  const current = windows.find((window) => window.id === windowId);
  const serving = current?.serving ?? null;

  const run = async (label: string, action: () => Promise<string | null>) => {
    setBusy(label);
    setError(undefined);
    setNotice(null);
    try {
      setNotice(await action());
      await refresh();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const callNext = () =>
    run('call', async () => {
      const result = await api.post<{ ticket: Ticket } | undefined>(`/staff/windows/${encodeURIComponent(windowId)}/call-next`);
      return result?.ticket ? t('halls.window.calledNotice', { number: result.ticket.number }) : t('halls.window.nobody');
    });
  const finish = (outcome: 'done' | 'not_done', reason?: string) =>
    run(outcome, async () => {
      const body = reason ? { outcome, reason } : { outcome };
      await api.post(`/staff/tickets/${encodeURIComponent(serving!.id)}/finish`, body, { idempotencyKey: keys.current.keyFor(body, serving!.id) });
      keys.current.done();
      return t(outcome === 'done' ? 'halls.window.doneNotice' : 'halls.window.notDoneNotice', { number: serving!.number });
    });

  const offered = useMemo(() => (catalogue && hall ? catalogue.items.filter((item) => hall.services.includes(item.id)) : []), [catalogue, hall]);

  if (!hallId) return <Alert type="warning" showIcon title={t('halls.window.noHall')} />;
  return (
    <div className="desktop-page halls-counter">
      <h1 className="desktop-title">{t('halls.window.title')}</h1>
      <p className="desktop-intro">
        {hall ? pick(hall.names, lang) : ''} ·{' '}
        <a href={`/public/halls/${encodeURIComponent(hallId)}/display`} target="_blank" rel="noopener noreferrer">
          {t('halls.window.display')}
        </a>
      </p>
      <ProblemAlert error={loadError ?? error} />
      {notice && <Alert type="info" showIcon title={notice} role="status" className="page-messages" />}
      <Card className="halls-window-card">
        <Space wrap size="large" align="center">
          <Radio.Group
            value={windowId}
            onChange={(event) => {
              setWindowId(event.target.value as string);
              writePref(WINDOW_PREF, event.target.value as string);
            }}
            aria-label={t('halls.window.choose')}
            optionType="button"
            options={windows.map((window) => ({ value: window.id, label: pick(window.names, lang) }))}
          />
          {current && (
            <label className="halls-switch">
              <Switch
                checked={current.open}
                onChange={(open) => void run('open', async () => {
                  await api.patch(`/staff/windows/${encodeURIComponent(current.id)}`, { open });
                  return null;
                })}
              />
              <span>{current.open ? t('halls.window.open') : t('halls.window.closed')}</span>
            </label>
          )}
        </Space>
      </Card>

      <Card title={<h2 className="card-heading">{t('halls.window.serving')}</h2>} className="halls-window-card">
        {serving ? (
          <div className="halls-serving" data-testid="serving">
            <p className="halls-serving-number">{serving.number}</p>
            <p>
              {pick(serving.serviceNames, lang)}
              {serving.priority && <Tag className="halls-priority">{tr(t, `halls.priority.${serving.priority}`)}</Tag>}
            </p>
            <p className="halls-muted">{t('halls.window.calledAt', { time: formatTime(serving.calledAt) })}</p>
            <Space wrap>
              <Button onClick={() => void run('recall', async () => { await api.post(`/staff/tickets/${encodeURIComponent(serving.id)}/recall`); return t('halls.window.recalled', { number: serving.number }); })} loading={busy === 'recall'}>
                {t('halls.window.recall')}
              </Button>
              <Button onClick={() => void run('noshow', async () => { await api.post(`/staff/tickets/${encodeURIComponent(serving.id)}/no-show`); return t('halls.window.noShowNotice', { number: serving.number }); })} loading={busy === 'noshow'}>
                {t('halls.window.noShow')}
              </Button>
              <Button onClick={() => setTransferOpen(true)}>{t('halls.window.transfer')}</Button>
              <Button type="primary" onClick={() => void finish('done')} loading={busy === 'done'} data-testid="finish-done">
                {t('halls.window.done')}
              </Button>
              <Button danger onClick={() => setNotDoneOpen(true)} data-testid="finish-not-done">
                {t('halls.window.notDone')}
              </Button>
            </Space>
          </div>
        ) : (
          <Space direction="vertical">
            <p>{t('halls.window.idle')}</p>
            <Button type="primary" size="large" onClick={() => void callNext()} loading={busy === 'call'} disabled={!windowId} data-testid="call-next">
              {t('halls.window.callNext')}
            </Button>
          </Space>
        )}
      </Card>

      <Card title={<h2 className="card-heading">{t('halls.window.queue', { count: queue.filter((ticket) => ticket.status === 'waiting').length })}</h2>}>
        {queue.length === 0 ? (
          <Empty description={t('halls.window.empty')} />
        ) : (
          <Table<Ticket>
            rowKey="id"
            size="small"
            pagination={{ pageSize: 10 }}
            dataSource={queue}
            columns={[
              { key: 'position', title: t('halls.window.columns.position'), render: (_, ticket) => ticket.position ?? '—' },
              { key: 'number', title: t('halls.window.columns.number'), render: (_, ticket) => <strong>{ticket.number}</strong> },
              { key: 'item', title: t('halls.window.columns.item'), render: (_, ticket) => pick(ticket.serviceNames, lang) },
              { key: 'priority', title: t('halls.window.columns.priority'), render: (_, ticket) => (ticket.priority ? tr(t, `halls.priority.${ticket.priority}`) : '—') },
              { key: 'status', title: t('halls.window.columns.status'), render: (_, ticket) => (ticket.status === 'called' ? t('halls.window.atWindow', { window: ticket.window ? pick(ticket.window.names, lang) : '' }) : t('halls.ticketStatus.waiting')) },
              { key: 'issued', title: t('halls.window.columns.issued'), render: (_, ticket) => formatTime(ticket.issuedAt) },
            ]}
          />
        )}
      </Card>

      <TransferDialog
        open={transferOpen}
        onClose={() => setTransferOpen(false)}
        items={offered.map((item) => ({ value: item.id, label: pick(item.names, lang) }))}
        windows={windows.filter((window) => window.id !== windowId).map((window) => ({ value: window.id, label: pick(window.names, lang) }))}
        onSubmit={(body) =>
          void run('transfer', async () => {
            await api.post(`/staff/tickets/${encodeURIComponent(serving!.id)}/transfer`, body);
            setTransferOpen(false);
            return t('halls.window.transferred', { number: serving!.number });
          })
        }
      />
      <Modal
        open={notDoneOpen}
        title={t('halls.window.notDoneTitle')}
        okText={t('halls.window.notDoneConfirm')}
        cancelText={t('halls.window.cancel')}
        okButtonProps={{ danger: true, htmlType: 'submit', form: 'not-done-form' }}
        onCancel={() => setNotDoneOpen(false)}
        destroyOnHidden
      >
        <Form
          id="not-done-form"
          layout="vertical"
          onFinish={(values: { reason: string }) => {
            setNotDoneOpen(false);
            void finish('not_done', values.reason);
          }}
        >
          <p>{t('halls.window.notDoneHelp')}</p>
          <Form.Item name="reason" label={t('halls.window.reason')} rules={[{ required: true, whitespace: true, message: t('halls.window.reasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={500} data-testid="not-done-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

function TransferDialog({
  open,
  onClose,
  items,
  windows,
  onSubmit,
}: {
  open: boolean;
  onClose: () => void;
  items: { value: string; label: string }[];
  windows: { value: string; label: string }[];
  onSubmit: (body: { serviceId?: string; windowId?: string }) => void;
}) {
  const { t } = useTranslation();
  const [serviceId, setServiceId] = useState<string | undefined>();
  const [windowId, setWindowId] = useState<string | undefined>();
  return (
    <Modal
      open={open}
      title={t('halls.window.transferTitle')}
      okText={t('halls.window.transfer')}
      cancelText={t('halls.window.cancel')}
      okButtonProps={{ disabled: !serviceId && !windowId }}
      onOk={() => onSubmit({ ...(serviceId ? { serviceId } : {}), ...(windowId ? { windowId } : {}) })}
      onCancel={onClose}
      destroyOnHidden
    >
      <p>{t('halls.window.transferHelp')}</p>
      <Form layout="vertical">
        <Form.Item label={t('halls.window.transferItem')}>
          <Select allowClear showSearch optionFilterProp="label" options={items} value={serviceId} onChange={setServiceId} aria-label={t('halls.window.transferItem')} />
        </Form.Item>
        <Form.Item label={t('halls.window.transferWindow')}>
          <Select allowClear options={windows} value={windowId} onChange={setWindowId} aria-label={t('halls.window.transferWindow')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
