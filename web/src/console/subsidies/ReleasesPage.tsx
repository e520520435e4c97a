import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { RequireRole } from '../../desktop/RequireRole';
import { api, ApiError } from '../../shared/api';
import { Icon } from '../../shared/Icon';
import { IdempotencyKeys } from '../../shared/idempotency';
import { serverNow, useServerNow } from '../../shared/serverClock';
import {
  civilInputToInstant,
  formatCivilDateTime,
  formatCount,
  instantToCivilInput,
  isChannel,
  localised,
  monthLabel,
  releasePhase,
  scheduledOpening,
  type SubsidyProgramme,
  type SubsidyRelease,
} from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { canManageSubsidies, loadProgrammes, MonthSelect, monthOptions, useMonthParam, useReleaseName } from './common';

/** /console/subsidies: a month's releases with stock, issued and remaining; create a release; change its stock. */
export function ReleasesPage() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('console.subsidies.title')} home="/console" allow={canManageSubsidies}>
      <Releases />
    </RequireRole>
  );
}

function Releases() {
  const { t } = useTranslation();
  const lang = currentLang();
  const now = useServerNow();
  const [month, setMonth] = useMonthParam();
  const programmes = usePolled('programmes', loadProgrammes, null);
  const load = useCallback(
    (signal: AbortSignal) => api.get<SubsidyRelease[]>('/subsidies/releases', { month }, { signal }),
    [month],
  );
  const releases = usePolled(`releases:${month}`, month ? load : null, 5000);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<SubsidyRelease | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const nameOf = useReleaseName();

  const columns: ColumnsType<SubsidyRelease> = [
    {
      key: 'programme',
      title: t('console.subsidies.columns.programme'),
      render: (_, release) => {
        const name = nameOf(release, programmes.data);
        return (
          <div className="release-name">
            <strong>{name.programme}</strong>
            <span>{name.channel}</span>
          </div>
        );
      },
    },
    { key: 'opensAt', title: t('console.subsidies.columns.opensAt'), render: (_, release) => formatCivilDateTime(release.opensAt) },
    {
      key: 'phase',
      title: t('console.subsidies.columns.phase'),
      render: (_, release) => {
        const phase = releasePhase(release, now);
        return (
          <span className={`phase-badge phase-${phase}`} data-testid={`phase-${release.id}`}>
            {t(`subsidies.phase.${phase}`)}
          </span>
        );
      },
    },
    { key: 'stock', title: t('console.subsidies.columns.stock'), align: 'right', render: (_, release) => formatCount(release.stock, lang) },
    { key: 'issued', title: t('console.subsidies.columns.issued'), align: 'right', render: (_, release) => formatCount(release.issued, lang) },
    {
      key: 'remaining',
      title: t('console.subsidies.columns.remaining'),
      align: 'right',
      render: (_, release) => <span data-testid={`remaining-${release.id}`}>{formatCount(release.remaining, lang)}</span>,
    },
    {
      key: 'actions',
      title: t('console.subsidies.columns.actions'),
      render: (_, release) => {
        const name = nameOf(release, programmes.data);
        return (
          <Space wrap>
            <Link
              to={`/console/subsidies/releases/${encodeURIComponent(release.id)}`}
              className="table-link"
              data-testid={`live-${release.id}`}
              aria-label={t('console.subsidies.liveFor', { name: `${name.programme} ${name.channel}` })}
            >
              {t('console.subsidies.liveLink')}
            </Link>
            <Button
              onClick={() => setEditing(release)}
              data-testid={`edit-stock-${release.id}`}
              aria-label={t('console.subsidies.editStockFor', { name: `${name.programme} ${name.channel}` })}
            >
              {t('console.subsidies.editStock')}
            </Button>
          </Space>
        );
      },
    },
  ];

  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('console.subsidies.title')}</h1>
      <p className="desktop-intro">{t('console.subsidies.intro')}</p>
      <div className="page-toolbar">
        <MonthSelect value={month} options={monthOptions(programmes.data, month)} onChange={setMonth} />
        <Button type="primary" icon={<Icon name="plus" />} onClick={() => setCreating(true)} data-testid="create-release">
          {t('console.subsidies.create')}
        </Button>
        <Link to={`/console/subsidies/quota${month ? `?month=${month}` : ''}`} className="toolbar-link">
          <Icon name="chart" /> {t('console.subsidies.quotaLink')}
        </Link>
      </div>
      <div className="page-messages" aria-live="polite">
        {notice && <Alert type="success" showIcon title={notice} closable onClose={() => setNotice(null)} />}
      </div>
      <Card
        className="releases-card"
        title={<h2 className="card-heading">{t('console.subsidies.listTitle', { month: month ? monthLabel(month, lang) : '' })}</h2>}
      >
        {releases.error !== undefined && (
          <>
            <ProblemAlert error={releases.error} />
            <p>
              <Button onClick={releases.reload}>{t('session.retry')}</Button>
            </p>
          </>
        )}
        <Table<SubsidyRelease>
          rowKey="id"
          size="middle"
          pagination={false}
          scroll={{ x: 'max-content' }}
          loading={releases.data === undefined && releases.error === undefined}
          dataSource={releases.data ?? []}
          columns={columns}
          locale={{ emptyText: <span className="table-empty">{releases.data === undefined ? t('console.subsidies.loading') : t('console.subsidies.empty')}</span> }}
        />
      </Card>
      <CreateReleaseDialog
        open={creating}
        programmes={programmes.data}
        month={month}
        onClose={() => setCreating(false)}
        onCreated={(release) => {
          setCreating(false);
          const name = nameOf(release, programmes.data);
          setNotice(t('console.subsidies.created', name));
          if (release.month !== month) setMonth(release.month);
          releases.reload();
        }}
      />
      <EditStockDialog
        release={editing}
        programmes={programmes.data}
        onClose={() => setEditing(null)}
        onSaved={(release) => {
          setEditing(null);
          setNotice(t('console.subsidies.stockForm.updated', { ...nameOf(release, programmes.data), stock: formatCount(release.stock, lang) }));
          releases.reload();
        }}
      />
    </div>
  );
}

interface ReleaseForm {
  programme: string;
  channel: string;
  month: string;
  opensAt: string;
  stock: number | null;
}

type FormField = keyof ReleaseForm;
const FORM_FIELDS: readonly FormField[] = ['programme', 'channel', 'month', 'opensAt', 'stock'];

/** The server's field messages (English, fixed) in the page's language; anything else is shown as sent. */
const SERVER_MESSAGES: Record<string, string> = {
  'is outside the programme': 'outsideProgramme',
  'must fall within the month': 'opensOutsideMonth',
  'is not a channel of the programme': 'channelNotInProgramme',
  'is not a programme': 'unknownProgramme',
};

export function fieldOf(serverField: string): FormField | undefined {
  const name = serverField.replace(/^(body\.|\/)/, '').split('.')[0];
  return FORM_FIELDS.find((field) => field === name);
}

function CreateReleaseDialog({
  open,
  programmes,
  month,
  onClose,
  onCreated,
}: {
  open: boolean;
  programmes: SubsidyProgramme[] | undefined;
  month: string | undefined;
  onClose: () => void;
  onCreated: (release: SubsidyRelease) => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [form] = Form.useForm<ReleaseForm>();
  const programmeId = Form.useWatch('programme', form);
  const chosenMonth = Form.useWatch('month', form);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  /** Every problem the server named is shown under its field, so no summary is needed above the form. */
  const [onFields, setOnFields] = useState(false);
  const keys = useRef(new IdempotencyKeys());
  const programme = programmes?.find((p) => p.id === programmeId);
  const months = monthOptions(programme ? [programme] : programmes, month);
  const touchedOpening = useRef(false);

  // A new dialog starts from the page's month and that month's scheduled opening (set before it is
  // painted, so nothing typed at once is overwritten).
  useLayoutEffect(() => {
    if (!open) return;
    touchedOpening.current = false;
    setError(undefined);
    setOnFields(false);
    const first = programmes?.[0];
    form.resetFields();
    form.setFieldsValue({
      programme: first?.id,
      channel: first?.channels[0],
      month,
      opensAt: first && month ? instantToCivilInput(scheduledOpening(first, month)) : '',
      stock: null,
    });
  }, [open, programmes, month, form]);

  // Until the opening is edited by hand, it follows the scheduled opening of the chosen programme and month.
  useEffect(() => {
    if (!open || touchedOpening.current || !programme || !chosenMonth) return;
    form.setFieldValue('opensAt', instantToCivilInput(scheduledOpening(programme, chosenMonth)));
  }, [open, programme, chosenMonth, form]);

  const required = (field: string) => ({ required: true, message: t('console.subsidies.form.required', { field }) });

  async function submit(values: ReleaseForm): Promise<void> {
    const opensAt = civilInputToInstant(values.opensAt);
    if (!opensAt) {
      form.setFields([{ name: 'opensAt', errors: [t('console.subsidies.form.invalidTime')] }]);
      return;
    }
    const body = { programme: values.programme, channel: values.channel, month: values.month, opensAt, stock: values.stock ?? 0 };
    setSubmitting(true);
    setError(undefined);
    setOnFields(false);
    try {
      const release = await api.post<SubsidyRelease>('/admin/subsidies/releases', body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      onCreated(release);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError) {
        const byField = new Map<FormField, string[]>();
        for (const fe of err.errors) {
          const field = fieldOf(fe.field);
          if (!field) continue;
          const known = SERVER_MESSAGES[fe.message];
          const text = known ? t(`console.subsidies.form.serverErrors.${known as 'outsideProgramme'}`) : fe.message;
          byField.set(field, [...(byField.get(field) ?? []), text]);
        }
        if (err.code === 'RELEASE_EXISTS') byField.set('month', [t('errors.RELEASE_EXISTS')]);
        if (byField.size > 0) form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
        setOnFields(byField.size > 0 && err.errors.every((fe) => fieldOf(fe.field) !== undefined));
      }
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('console.subsidies.form.title')}
      okText={t('console.subsidies.form.submit')}
      cancelText={t('console.subsidies.form.cancel')}
      confirmLoading={submitting}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'create-submit' }}
      destroyOnHidden={false}
      forceRender
    >
      <Form<ReleaseForm> form={form} name="create-release" layout="vertical" onFinish={(values) => void submit(values)} requiredMark>
        {!onFields && <ProblemAlert error={error} />}
        <Form.Item name="programme" label={t('console.subsidies.form.programme')} rules={[required(t('console.subsidies.form.programme'))]}>
          <Radio.Group
            className="option-list"
            onChange={(e) => {
              const next = programmes?.find((p) => p.id === e.target.value);
              if (next && !next.channels.includes(form.getFieldValue('channel'))) form.setFieldValue('channel', next.channels[0]);
            }}
          >
            {programmes?.map((p) => (
              <Radio key={p.id} value={p.id} data-testid={`form-programme-${p.id}`}>
                {localised(p.name, lang)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="channel" label={t('console.subsidies.form.channel')} rules={[required(t('console.subsidies.form.channel'))]}>
          <Radio.Group className="option-list">
            {(programme?.channels ?? ['offline', 'online']).map((c) => (
              <Radio key={c} value={c} data-testid={`form-channel-${c}`}>
                {isChannel(c) ? t(`subsidies.channel.${c}`) : c}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="month" label={t('console.subsidies.form.month')} rules={[required(t('console.subsidies.form.month'))]}>
          <Select
            options={months.map((m) => ({ value: m, label: monthLabel(m, lang) }))}
            data-testid="form-month"
            aria-label={t('console.subsidies.form.month')}
          />
        </Form.Item>
        <Form.Item label={t('console.subsidies.form.opensAt')} required extra={t('console.subsidies.form.opensAtHelp')}>
          <Space.Compact className="opens-at">
            <Form.Item name="opensAt" noStyle rules={[required(t('console.subsidies.form.opensAt'))]}>
              <Input
                type="datetime-local"
                onChange={() => {
                  touchedOpening.current = true;
                }}
                aria-label={t('console.subsidies.form.opensAt')}
                data-testid="form-opens-at"
              />
            </Form.Item>
            <Button
              onClick={() => {
                touchedOpening.current = true;
                const value = instantToCivilInput(Math.floor(serverNow() / 60_000) * 60_000);
                form.setFieldValue('opensAt', value);
                form.setFieldValue('month', value.slice(0, 7));
              }}
              data-testid="form-opens-now"
            >
              {t('console.subsidies.form.now')}
            </Button>
          </Space.Compact>
        </Form.Item>
        <Form.Item
          name="stock"
          label={t('console.subsidies.form.stock')}
          extra={t('console.subsidies.form.stockHelp')}
          rules={[required(t('console.subsidies.form.stock'))]}
        >
          <InputNumber min={0} max={100_000_000} precision={0} step={1000} className="stock-input" data-testid="form-stock" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function EditStockDialog({
  release,
  programmes,
  onClose,
  onSaved,
}: {
  release: SubsidyRelease | null;
  programmes: SubsidyProgramme[] | undefined;
  onClose: () => void;
  onSaved: (release: SubsidyRelease) => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [form] = Form.useForm<{ stock: number | null }>();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const nameOf = useReleaseName();

  // Filled in before the dialog is painted, so nothing typed at once is overwritten.
  useLayoutEffect(() => {
    if (!release) return;
    setError(undefined);
    form.resetFields();
    form.setFieldsValue({ stock: release.stock });
  }, [release, form]);

  async function submit(values: { stock: number | null }): Promise<void> {
    if (!release) return;
    setSubmitting(true);
    setError(undefined);
    try {
      const saved = await api.patch<SubsidyRelease>(`/admin/subsidies/releases/${encodeURIComponent(release.id)}`, { stock: values.stock ?? 0 });
      onSaved(saved);
    } catch (err) {
      setError(err);
      // Shown under the stock field (which is all this form has), rather than above the form.
      if (err instanceof ApiError && err.code === 'STOCK_BELOW_ISSUED') {
        form.setFields([{ name: 'stock', errors: [t('errors.STOCK_BELOW_ISSUED')] }]);
        setError(undefined);
      } else if (err instanceof ApiError && err.errors.length > 0 && err.errors.every((fe) => fieldOf(fe.field) === 'stock')) {
        form.setFields([{ name: 'stock', errors: err.errors.map((fe) => fe.message) }]);
        setError(undefined);
      }
    } finally {
      setSubmitting(false);
    }
  }

  const name = release ? nameOf(release, programmes) : undefined;
  return (
    <Modal
      open={release !== null}
      title={t('console.subsidies.stockForm.title')}
      okText={t('console.subsidies.stockForm.submit')}
      cancelText={t('console.subsidies.form.cancel')}
      confirmLoading={submitting}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'stock-submit' }}
      forceRender
    >
      <Form form={form} name="edit-stock" layout="vertical" onFinish={(values) => void submit(values)} requiredMark>
        {name && <p>{t('console.subsidies.stockForm.current', name)}</p>}
        <ProblemAlert error={error} />
        <Form.Item
          name="stock"
          label={t('console.subsidies.stockForm.stock')}
          extra={release ? t('console.subsidies.stockForm.issuedHint', { issued: formatCount(release.issued, lang) }) : undefined}
          rules={[{ required: true, message: t('console.subsidies.form.required', { field: t('console.subsidies.stockForm.stock') }) }]}
        >
          <InputNumber min={0} max={100_000_000} precision={0} step={1000} className="stock-input" data-testid="stock-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
