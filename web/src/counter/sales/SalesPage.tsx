import { useEffect, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Radio, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { RequireRole } from '../../desktop/RequireRole';
import { api } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import {
  categoryName,
  formatCivilDay,
  formatMoney,
  isKnown,
  PHOTO_STATES,
  PHOTO_TYPES,
  photoProblem,
  RETURN_REASONS,
  SALE_STATUSES,
  uploadActivationPhoto,
  type ProgrammeRules,
  type Redemption,
  type ReturnReason,
} from '../../shared/redemption';
import { serverNow, useServerClockSync } from '../../shared/serverClock';
import { civilInputToInstant, formatCivilDateTime, instantToCivilInput } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { RedemptionProblem } from '../till/RedemptionProblem';
import './sales.css';

const SCOPE = 'redemption.sales.errors';
const loadProgrammes = (signal: AbortSignal) => api.get<ProgrammeRules[]>('/subsidies/programmes', undefined, { signal });
const loadSales = (signal: AbortSignal) => api.get<Redemption[]>('/merchant/redemptions', undefined, { signal });

type Action = { kind: 'delivery' | 'photo' | 'return'; sale: Redemption };

/** /counter/sales: recent subsidised sales with deadlines; record delivery, the activation photo and returns. */
export function SalesPage() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('redemption.sales.title')} home="/counter" allow={(session) => session.isMerchant || session.roles.includes('platform')}>
      <Sales />
    </RequireRole>
  );
}

function Sales() {
  const { t } = useTranslation();
  const lang = currentLang();
  // Dates typed into the dialogs start at the platform's "now", which may differ from this device's clock.
  useServerClockSync();
  const sales = usePolled('sales', loadSales, 60_000);
  const programmes = usePolled('programmes', loadProgrammes, null);
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const done = (message: string) => {
    setAction(null);
    setNotice(message);
    sales.reload();
  };

  const columns: ColumnsType<Redemption> = [
    {
      key: 'sale',
      title: t('redemption.sales.columns.sale'),
      render: (_, sale) => (
        <div className="sale-cell">
          <strong>{categoryName(programmes.data, sale.category, lang)}</strong>
          <span>
            {t('redemption.sales.order')} <code>{sale.orderId}</code>
          </span>
          <span>{formatCivilDateTime(sale.redeemedAt)}</span>
          {sale.serial && (
            <span>
              {t('redemption.sales.serial')} <code>{sale.serial}</code>
            </span>
          )}
        </div>
      ),
    },
    {
      key: 'money',
      title: t('redemption.sales.columns.money'),
      render: (_, sale) => (
        <dl className="sale-money">
          <dt>{t('redemption.sales.price')}</dt>
          <dd>{formatMoney(sale.price, lang)}</dd>
          <dt>{t('redemption.sales.subsidy')}</dt>
          <dd>{formatMoney(sale.subsidy, lang)}</dd>
          <dt>{t('redemption.sales.payable')}</dt>
          <dd>{formatMoney(sale.payable, lang)}</dd>
        </dl>
      ),
    },
    {
      key: 'status',
      title: t('redemption.sales.columns.status'),
      render: (_, sale) => (
        <Tag variant="outlined" className={`status-badge sale-status-${sale.status}`} data-testid="sale-status" data-status={sale.status}>
          {isKnown(SALE_STATUSES, sale.status) ? t(`redemption.saleStatus.${sale.status}`) : sale.status}
        </Tag>
      ),
    },
    {
      key: 'delivery',
      title: t('redemption.sales.columns.delivery'),
      render: (_, sale) => (
        <div className="sale-cell">
          <span>{t('redemption.sales.deliverBy', { date: formatCivilDay(sale.deliveryDue, lang) })}</span>
          {sale.deliveredAt && <span>{t('redemption.sales.deliveredAt', { time: formatCivilDateTime(sale.deliveredAt) })}</span>}
          {sale.deliveryOverdue && (
            <strong className="sale-overdue" data-testid="sale-overdue">
              <span aria-hidden="true">⚠ </span>
              {sale.deliveredAt ? t('redemption.sales.deliveredLate') : t('redemption.sales.overdue')}
            </strong>
          )}
        </div>
      ),
    },
    {
      key: 'photo',
      title: t('redemption.sales.columns.photo'),
      render: (_, sale) => (
        <span className={`sale-photo sale-photo-${sale.activationPhoto}`} data-testid="sale-photo" data-state={sale.activationPhoto}>
          {isKnown(PHOTO_STATES, sale.activationPhoto) ? t(`redemption.photoState.${sale.activationPhoto}`) : sale.activationPhoto}
        </span>
      ),
    },
    {
      key: 'return',
      title: t('redemption.sales.columns.return'),
      render: (_, sale) =>
        sale.status === 'returned' ? (
          <div className="sale-cell">
            <span>
              {isKnown(RETURN_REASONS, sale.returnReason) ? t(`redemption.returnReason.${sale.returnReason}`) : sale.returnReason}
            </span>
            {sale.returnedAt && <span>{formatCivilDateTime(sale.returnedAt)}</span>}
            {sale.refundAmount && <span>{t('redemption.sales.refunded', { amount: formatMoney(sale.refundAmount, lang) })}</span>}
          </div>
        ) : (
          <span>{t('redemption.sales.returnCutoff', { date: formatCivilDay(sale.returnCutoff, lang) })}</span>
        ),
    },
    {
      key: 'actions',
      title: t('redemption.sales.columns.actions'),
      render: (_, sale) =>
        sale.status === 'returned' ? (
          '—'
        ) : (
          <Space direction="vertical" size={4}>
            {sale.status === 'paid' && (
              <Button onClick={() => setAction({ kind: 'delivery', sale })} data-testid={`deliver-${sale.id}`}>
                {t('redemption.sales.deliver')}
              </Button>
            )}
            {(sale.activationPhoto === 'missing' || sale.activationPhoto === 'rejected') && (
              <Button onClick={() => setAction({ kind: 'photo', sale })} data-testid={`photo-${sale.id}`}>
                {t('redemption.sales.uploadPhoto')}
              </Button>
            )}
            <Button danger onClick={() => setAction({ kind: 'return', sale })} data-testid={`return-${sale.id}`}>
              {t('redemption.sales.recordReturn')}
            </Button>
          </Space>
        ),
    },
  ];

  return (
    <div className="desktop-page sales-page">
      <h1 className="desktop-title">{t('redemption.sales.title')}</h1>
      <p className="desktop-intro">{t('redemption.sales.intro')}</p>
      <p className="till-links">
        <Link to="/counter/till">{t('redemption.sales.tillLink')}</Link>
      </p>
      <div className="page-messages" aria-live="polite" data-testid="sales-notice">
        {notice && <Alert type="success" showIcon title={notice} closable onClose={() => setNotice(null)} />}
      </div>
      <Card className="sales-card" title={<h2 className="card-heading">{t('redemption.sales.listTitle')}</h2>} extra={<Button onClick={sales.reload}>{t('redemption.sales.refresh')}</Button>}>
        {sales.error !== undefined && <RedemptionProblem error={sales.error} scope={SCOPE} />}
        <Table<Redemption>
          rowKey="id"
          size="middle"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          loading={sales.data === undefined && sales.error === undefined}
          dataSource={sales.data ?? []}
          columns={columns}
          onRow={(sale) => ({ 'data-testid': `sale-${sale.id}` }) as HTMLAttributes<HTMLElement>}
          locale={{ emptyText: sales.data === undefined ? t('redemption.sales.loading') : t('redemption.sales.empty') }}
        />
      </Card>
      <section className="sales-rules" aria-labelledby="sales-rules-heading">
        <h2 id="sales-rules-heading" className="desktop-section-title">
          {t('redemption.sales.rules.title')}
        </h2>
        <ul>
          <li>{t('redemption.sales.rules.delivery')}</li>
          <li>{t('redemption.sales.rules.photo')}</li>
          <li>{t('redemption.sales.rules.returns')}</li>
          <li>{t('redemption.sales.rules.refund')}</li>
        </ul>
      </section>
      {action?.kind === 'delivery' && <DeliveryDialog sale={action.sale} onClose={() => setAction(null)} onDone={done} />}
      {action?.kind === 'photo' && <PhotoDialog sale={action.sale} onClose={() => setAction(null)} onDone={done} />}
      {action?.kind === 'return' && <ReturnDialog sale={action.sale} onClose={() => setAction(null)} onDone={done} />}
    </div>
  );
}

/** "now" in Tianjin for a datetime-local input (server time, so a demo clock is followed). */
function nowInput(): string {
  return instantToCivilInput(serverNow());
}

function DeliveryDialog({ sale, onClose, onDone }: { sale: Redemption; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [value, setValue] = useState(nowInput);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const keys = useRef(new IdempotencyKeys());
  const photoFirst = sale.activationPhoto === 'missing' || sale.activationPhoto === 'rejected';

  async function submit(): Promise<void> {
    const deliveredAt = civilInputToInstant(value);
    setInvalid(!deliveredAt);
    if (!deliveredAt) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { deliveredAt };
      const updated = await api.post<Redemption>(`/merchant/redemptions/${encodeURIComponent(sale.id)}/delivery`, body, { idempotencyKey: keys.current.keyFor(body, sale.id) });
      keys.current.done();
      onDone(updated.deliveryOverdue ? t('redemption.sales.deliveredLateNotice', { order: sale.orderId }) : t('redemption.sales.deliveredNotice', { order: sale.orderId }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t('redemption.sales.deliveryTitle', { order: sale.orderId })}
      okText={t('redemption.sales.save')}
      cancelText={t('redemption.sales.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'delivery-save' }}
    >
      <p>{t('redemption.sales.deliveryIntro', { date: formatCivilDay(sale.deliveryDue, lang) })}</p>
      {photoFirst && <Alert type="warning" showIcon title={t('redemption.sales.photoFirst')} className="sales-dialog-alert" />}
      <Form layout="vertical">
        <Form.Item label={t('redemption.sales.deliveredAtLabel')} htmlFor="delivered-at" validateStatus={invalid ? 'error' : undefined} help={invalid ? t('redemption.sales.timeInvalid') : t('redemption.sales.timeHelp')}>
          <Input id="delivered-at" type="datetime-local" value={value} onChange={(e) => setValue(e.target.value)} data-testid="delivered-at" />
        </Form.Item>
      </Form>
      <RedemptionProblem error={error} scope={SCOPE} />
    </Modal>
  );
}

function PhotoDialog({ sale, onClose, onDone }: { sale: Redemption; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [problem, setProblem] = useState<'type' | 'size' | 'empty' | 'missing' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const phone = sale.category === 'mobile_phone';

  useEffect(() => {
    if (!file) {
      setPreview(null);
      return undefined;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  function choose(chosen: File | undefined): void {
    setError(undefined);
    if (!chosen) {
      setFile(null);
      return;
    }
    const why = photoProblem(chosen);
    setProblem(why ?? null);
    setFile(why ? null : chosen);
  }

  async function submit(): Promise<void> {
    if (!file) {
      setProblem((p) => p ?? 'missing');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await uploadActivationPhoto(sale.id, file, file.name);
      onDone(t('redemption.sales.photoNotice', { order: sale.orderId }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t('redemption.sales.photoTitle', { order: sale.orderId })}
      okText={t('redemption.sales.upload')}
      cancelText={t('redemption.sales.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'photo-save' }}
    >
      <p className="sales-photo-lead">{t('redemption.sales.photoMustShow')}</p>
      <ul className="sales-photo-rules">
        <li>{phone ? t('redemption.sales.photoPhone') : t('redemption.sales.photoSn')}</li>
        <li>{t('redemption.sales.photoNoScreen')}</li>
        <li>{t('redemption.sales.photoQuality')}</li>
        <li>{t('redemption.sales.photoFormat')}</li>
      </ul>
      {sale.serial && <p>{t('redemption.sales.photoSerial', { serial: sale.serial })}</p>}
      <label className="sales-file-label" htmlFor="activation-photo">
        {t('redemption.sales.photoChoose')}
      </label>
      <input
        id="activation-photo"
        className="sales-file"
        type="file"
        accept={PHOTO_TYPES.join(',')}
        capture="environment"
        onChange={(e) => choose(e.target.files?.[0])}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'activation-photo-problem' : undefined}
        data-testid="photo-input"
      />
      {problem && (
        <p id="activation-photo-problem" className="sales-file-problem" role="alert">
          {t(`redemption.sales.photoProblem.${problem}`)}
        </p>
      )}
      {preview && (
        <figure className="sales-preview">
          <img src={preview} alt={t('redemption.sales.previewAlt')} data-testid="photo-preview" />
          <figcaption>{t('redemption.sales.previewCaption')}</figcaption>
        </figure>
      )}
      <RedemptionProblem error={error} scope={SCOPE} />
    </Modal>
  );
}

function ReturnDialog({ sale, onClose, onDone }: { sale: Redemption; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [reason, setReason] = useState<ReturnReason | null>(null);
  const [value, setValue] = useState(nowInput);
  const [missing, setMissing] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const keys = useRef(new IdempotencyKeys());

  async function submit(): Promise<void> {
    const refundedAt = civilInputToInstant(value);
    setMissing(!reason);
    setInvalid(!refundedAt);
    if (!reason || !refundedAt) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { reason, refundedAt };
      const result = await api.post<{ redemption: Redemption; qualificationRestored: boolean }>(`/merchant/redemptions/${encodeURIComponent(sale.id)}/return`, body, {
        idempotencyKey: keys.current.keyFor(body, sale.id),
      });
      keys.current.done();
      const refund = formatMoney(result.redemption.refundAmount ?? sale.payable, lang);
      onDone(
        `${t('redemption.sales.returnedNotice', { order: sale.orderId, amount: refund })} ${
          result.qualificationRestored ? t('redemption.sales.restored') : t('redemption.sales.notRestored')
        }`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t('redemption.sales.returnTitle', { order: sale.orderId })}
      okText={t('redemption.sales.saveReturn')}
      cancelText={t('redemption.sales.cancel')}
      okButtonProps={{ danger: true, 'data-testid': 'return-save' }}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
    >
      <p>{t('redemption.sales.returnIntro', { amount: formatMoney(sale.payable, lang), date: formatCivilDay(sale.returnCutoff, lang) })}</p>
      <fieldset className="sales-reasons" aria-describedby={missing ? 'return-reason-missing' : undefined}>
        <legend>{t('redemption.sales.reason')}</legend>
        {missing && (
          <p id="return-reason-missing" className="sales-file-problem" role="alert">
            {t('redemption.sales.reasonMissing')}
          </p>
        )}
        <Radio.Group value={reason} onChange={(e) => setReason(e.target.value as ReturnReason)} className="sales-reason-options">
          {RETURN_REASONS.map((r) => (
            <Radio key={r} value={r} data-testid={`reason-${r}`}>
              <span className="sales-reason-title">{t(`redemption.returnReason.${r}`)}</span>
              <span className="sales-reason-desc">{t(`redemption.sales.reasonHelp.${r}`)}</span>
            </Radio>
          ))}
        </Radio.Group>
      </fieldset>
      <Form layout="vertical">
        <Form.Item label={t('redemption.sales.refundedAtLabel')} htmlFor="refunded-at" validateStatus={invalid ? 'error' : undefined} help={invalid ? t('redemption.sales.timeInvalid') : t('redemption.sales.timeHelp')}>
          <Input id="refunded-at" type="datetime-local" value={value} onChange={(e) => setValue(e.target.value)} data-testid="refunded-at" />
        </Form.Item>
      </Form>
      <RedemptionProblem error={error} scope={SCOPE} />
    </Modal>
  );
}
