import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Modal, Popconfirm, Radio, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../i18n';
import { CopyButton } from '../desktop/CopyButton';
import { ProblemAlert } from '../desktop/ProblemAlert';
import { RequireRole } from '../desktop/RequireRole';
import { api, ApiError } from '../shared/api';
import { formatDateTime } from '../shared/format';
import { Icon } from '../shared/Icon';
import { IdempotencyKeys } from '../shared/idempotency';

/** A machine client as GET /api/v1/admin/clients lists it (the secret itself is never listed). */
export interface Client {
  id: string;
  name: string;
  kind: string;
  organisationId: string | null;
  hallId: string | null;
  roles: string[];
  status: string;
  secretHint: string;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

export const CLIENT_KINDS = ['merchant', 'platform', 'kiosk', 'verifier'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** Same rule as the server's: 2–64 characters, lower-case letters, digits, dot, underscore, hyphen. */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

interface RegisterForm {
  id: string;
  name: string;
  kind: ClientKind;
  organisationId?: string;
  hallId?: string;
}

/** The body of POST /admin/clients: trimmed, empty optional fields left out, only the fields the kind uses. */
export function registerBody(values: RegisterForm): RegisterForm {
  const body: RegisterForm = { id: values.id.trim(), name: values.name.trim(), kind: values.kind };
  const organisationId = values.organisationId?.trim();
  const hallId = values.hallId?.trim();
  if (organisationId && (values.kind === 'merchant' || values.kind === 'platform')) body.organisationId = organisationId;
  if (hallId && values.kind === 'kiosk') body.hallId = hallId;
  return body;
}

type SecretShown = { mode: 'registered' | 'rotated'; client: Client; secret: string };

/** Console page "接入客户端": list, register, rotate and revoke machine clients (administrators only). */
export function ConsoleClients() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('console.clients.title')} home="/console" allow={(session) => session.canManageClients}>
      <ClientsPage />
    </RequireRole>
  );
}

function ClientsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [clients, setClients] = useState<Client[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [secret, setSecret] = useState<SecretShown | null>(null);
  const actionKeys = useRef(new IdempotencyKeys());

  const load = useCallback(async (signal?: AbortSignal) => {
    setLoadError(undefined);
    try {
      const result = await api.get<{ clients: Client[] }>('/admin/clients', undefined, signal ? { signal } : {});
      if (!signal?.aborted) setClients(result.clients);
    } catch (error) {
      if (!signal?.aborted) setLoadError(error);
    }
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  /** Puts a client the server returned into the list: updated in place, or added at the end. */
  const replace = (client: Client) =>
    setClients((list) => {
      const current = list ?? [];
      return current.some((c) => c.id === client.id) ? current.map((c) => (c.id === client.id ? client : c)) : [...current, client];
    });

  async function rotate(client: Client): Promise<void> {
    setActionError(undefined);
    setNotice(null);
    try {
      const key = actionKeys.current.keyFor({}, `rotate:${client.id}`);
      const result = await api.post<{ client: Client; secret: string }>(`/admin/clients/${encodeURIComponent(client.id)}/rotate`, undefined, {
        idempotencyKey: key,
      });
      actionKeys.current.done();
      replace(result.client);
      setSecret({ mode: 'rotated', client: result.client, secret: result.secret });
    } catch (error) {
      setActionError(error);
    }
  }

  async function revoke(client: Client): Promise<void> {
    setActionError(undefined);
    setNotice(null);
    try {
      const key = actionKeys.current.keyFor({}, `revoke:${client.id}`);
      const result = await api.post<{ client: Client }>(`/admin/clients/${encodeURIComponent(client.id)}/revoke`, undefined, {
        idempotencyKey: key,
      });
      actionKeys.current.done();
      replace(result.client);
      setNotice(t('console.clients.revokedMessage', { name: result.client.name }));
    } catch (error) {
      setActionError(error);
    }
  }

  const columns: ColumnsType<Client> = [
    {
      key: 'client',
      title: t('console.clients.columns.client'),
      render: (_, client) => (
        <div className="client-name">
          <strong>{client.name}</strong>
          <code>{client.id}</code>
          <span className="client-hint">
            {t('console.clients.columns.secretHint')} <code>{client.secretHint}</code>
          </span>
        </div>
      ),
    },
    {
      key: 'kind',
      title: t('console.clients.columns.kind'),
      render: (_, client) => t(`console.clients.kinds.${client.kind as ClientKind}`, { defaultValue: client.kind }),
    },
    {
      key: 'belongsTo',
      title: t('console.clients.columns.belongsTo'),
      render: (_, client) =>
        client.organisationId || client.hallId ? (
          <dl className="client-belongs">
            {client.organisationId && (
              <>
                <dt>{t('console.clients.organisation')}</dt>
                <dd>
                  <code>{client.organisationId}</code>
                </dd>
              </>
            )}
            {client.hallId && (
              <>
                <dt>{t('console.clients.hall')}</dt>
                <dd>
                  <code>{client.hallId}</code>
                </dd>
              </>
            )}
          </dl>
        ) : (
          '—'
        ),
    },
    {
      key: 'status',
      title: t('console.clients.columns.status'),
      render: (_, client) => (
        <Tag
          variant="outlined"
          className={client.status === 'active' ? 'status-badge status-ok' : 'status-badge status-revoked'}
          data-testid={`client-status-${client.id}`}
        >
          {t(`console.clients.status.${client.status as 'active' | 'revoked'}`, { defaultValue: client.status })}
        </Tag>
      ),
    },
    {
      key: 'times',
      title: t('console.clients.columns.times'),
      render: (_, client) => (
        <dl className="client-times">
          <dt>{t('console.clients.columns.createdAt')}</dt>
          <dd>{formatDateTime(client.createdAt, lang)}</dd>
          <dt>{t('console.clients.columns.rotatedAt')}</dt>
          <dd>{client.rotatedAt ? formatDateTime(client.rotatedAt, lang) : t('console.clients.never')}</dd>
          {client.revokedAt && (
            <>
              <dt>{t('console.clients.columns.revokedAt')}</dt>
              <dd>{formatDateTime(client.revokedAt, lang)}</dd>
            </>
          )}
        </dl>
      ),
    },
    {
      key: 'actions',
      title: t('console.clients.columns.actions'),
      render: (_, client) =>
        client.status === 'active' ? (
          <Space wrap>
            <Popconfirm
              title={t('console.clients.rotateConfirm', { name: client.name })}
              description={t('console.clients.rotateConfirmDetail')}
              okText={t('console.clients.confirm')}
              cancelText={t('console.clients.cancel')}
              onConfirm={() => rotate(client)}
            >
              <Button data-testid={`rotate-${client.id}`}>{t('console.clients.rotate')}</Button>
            </Popconfirm>
            <Popconfirm
              title={t('console.clients.revokeConfirm', { name: client.name })}
              description={t('console.clients.revokeConfirmDetail')}
              okText={t('console.clients.confirm')}
              cancelText={t('console.clients.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => revoke(client)}
            >
              <Button danger data-testid={`revoke-${client.id}`}>
                {t('console.clients.revoke')}
              </Button>
            </Popconfirm>
          </Space>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('console.clients.title')}</h1>
      <p className="desktop-intro">{t('console.clients.intro')}</p>
      <div className="page-toolbar">
        <Button type="primary" icon={<Icon name="plus" />} onClick={() => setRegistering(true)} data-testid="register-client">
          {t('console.clients.register')}
        </Button>
      </div>
      <div className="page-messages" aria-live="polite">
        {notice && <Alert type="success" showIcon title={notice} closable onClose={() => setNotice(null)} />}
      </div>
      <ProblemAlert error={actionError} />
      <Card className="clients-card" title={<h2 className="card-heading">{t('console.clients.listTitle')}</h2>}>
        {loadError !== undefined ? (
          <>
            <ProblemAlert error={loadError} />
            <p>
              <Button onClick={() => void load()}>{t('session.retry')}</Button>
            </p>
          </>
        ) : (
          <Table<Client>
            rowKey="id"
            size="middle"
            pagination={false}
            scroll={{ x: 'max-content' }}
            loading={clients === null}
            dataSource={clients ?? []}
            columns={columns}
            locale={{ emptyText: clients === null ? t('console.clients.loading') : t('console.clients.empty') }}
          />
        )}
      </Card>
      <TokenHelp />
      <RegisterDialog
        open={registering}
        onClose={() => setRegistering(false)}
        onRegistered={(client, newSecret) => {
          setRegistering(false);
          replace(client);
          setSecret({ mode: 'registered', client, secret: newSecret });
        }}
      />
      <SecretDialog shown={secret} onClose={() => setSecret(null)} />
    </div>
  );
}

function RegisterDialog({
  open,
  onClose,
  onRegistered,
}: {
  open: boolean;
  onClose: () => void;
  onRegistered: (client: Client, secret: string) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<RegisterForm>();
  const kind = Form.useWatch('kind', form);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const keys = useRef(new IdempotencyKeys());
  const required = (field: string) => ({ required: true, whitespace: true, message: t('console.clients.form.required', { field }) });

  async function submit(values: RegisterForm): Promise<void> {
    const body = registerBody(values);
    setSubmitting(true);
    setError(undefined);
    try {
      const result = await api.post<{ client: Client; secret: string }>('/admin/clients', body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      form.resetFields();
      onRegistered(result.client, result.secret);
    } catch (err) {
      setError(err);
      // Problems with a single field (e.g. "id is taken") are also shown under that field.
      if (err instanceof ApiError) {
        const fields = err.errors
          .map((fe) => ({ name: fe.field.replace(/^\//, ''), errors: [fe.message] }))
          .filter((fe): fe is { name: keyof RegisterForm; errors: string[] } => ['id', 'name', 'kind', 'organisationId', 'hallId'].includes(fe.name));
        if (fields.length > 0) form.setFields(fields);
      }
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('console.clients.form.title')}
      okText={t('console.clients.form.submit')}
      cancelText={t('console.clients.form.cancel')}
      confirmLoading={submitting}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(undefined);
        onClose();
      }}
      okButtonProps={{ 'data-testid': 'register-submit' }}
      destroyOnHidden={false}
      forceRender
    >
      <Form<RegisterForm>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'merchant' }}
        onFinish={(values) => void submit(values)}
        requiredMark
      >
        <ProblemAlert error={error} />
        <Form.Item
          name="kind"
          label={t('console.clients.form.kind')}
          rules={[{ required: true, message: t('console.clients.form.required', { field: t('console.clients.form.kind') }) }]}
        >
          <Radio.Group className="kind-options">
            {CLIENT_KINDS.map((k) => (
              <Radio key={k} value={k}>
                {t(`console.clients.kinds.${k}`)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="id"
          label={t('console.clients.form.id')}
          extra={t('console.clients.form.idHelp')}
          rules={[required(t('console.clients.form.id')), { pattern: CLIENT_ID_PATTERN, message: t('console.clients.form.idInvalid') }]}
        >
          <Input autoComplete="off" spellCheck={false} maxLength={64} data-testid="client-id-input" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('console.clients.form.name')}
          extra={t('console.clients.form.nameHelp')}
          rules={[required(t('console.clients.form.name'))]}
        >
          <Input autoComplete="off" maxLength={100} data-testid="client-name-input" />
        </Form.Item>
        {(kind === 'merchant' || kind === 'platform') && (
          <Form.Item
            name="organisationId"
            label={t('console.clients.form.organisationId')}
            extra={kind === 'merchant' ? t('console.clients.form.organisationHelpMerchant') : t('console.clients.form.organisationHelpPlatform')}
            rules={kind === 'merchant' ? [required(t('console.clients.form.organisationId'))] : []}
          >
            <Input autoComplete="off" spellCheck={false} maxLength={64} data-testid="client-organisation-input" />
          </Form.Item>
        )}
        {kind === 'kiosk' && (
          <Form.Item
            name="hallId"
            label={t('console.clients.form.hallId')}
            extra={t('console.clients.form.hallHelp')}
            rules={[required(t('console.clients.form.hallId'))]}
          >
            <Input autoComplete="off" spellCheck={false} maxLength={64} data-testid="client-hall-input" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** Shows a new secret once; it closes only through "I have saved it", so it is not dismissed by accident. */
function SecretDialog({ shown, onClose }: { shown: SecretShown | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={shown !== null}
      title={t('console.clients.secret.title')}
      closable={false}
      keyboard={false}
      mask={{ closable: false }}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="secret-done">
          {t('console.clients.secret.done')}
        </Button>
      }
    >
      {shown && (
        <div className="secret-dialog" data-testid="secret-dialog">
          <p>
            {shown.mode === 'registered'
              ? t('console.clients.secret.registered', { name: shown.client.name })
              : t('console.clients.secret.rotated', { name: shown.client.name })}
          </p>
          <Alert type="warning" showIcon title={t('console.clients.secret.warning')} />
          <Descriptions
            className="secret-details"
            bordered
            column={1}
            items={[
              { key: 'id', label: t('console.clients.secret.clientId'), children: <code>{shown.client.id}</code> },
              {
                key: 'secret',
                label: t('console.clients.secret.secret'),
                children: (
                  <code className="secret-value" data-testid="client-secret">
                    {shown.secret}
                  </code>
                ),
              },
            ]}
          />
          <CopyButton
            text={shown.secret}
            label={t('console.clients.secret.copy')}
            copied={t('console.clients.secret.copied')}
            failed={t('console.clients.secret.copyFailed')}
            testId="copy-secret"
          />
        </div>
      )}
    </Modal>
  );
}

/** How a client gets a token: a curl command for this server, with placeholders for the id and secret. */
export function tokenCommand(origin: string): string {
  return [
    `curl ${origin}/api/v1/oauth/token \\`,
    '  -d grant_type=client_credentials \\',
    '  -d client_id=CLIENT_ID \\',
    '  -d client_secret=CLIENT_SECRET',
  ].join('\n');
}

function TokenHelp() {
  const { t } = useTranslation();
  const command = tokenCommand(window.location.origin);
  return (
    <Card className="clients-help" title={<h2 className="card-heading">{t('console.clients.help.title')}</h2>}>
      <p>{t('console.clients.help.intro')}</p>
      <figure className="command-figure">
        <figcaption className="visually-hidden">{t('console.clients.help.commandLabel')}</figcaption>
        <pre className="command" data-testid="token-command">
          <code>{command}</code>
        </pre>
      </figure>
      <CopyButton
        text={command}
        label={t('console.clients.help.copy')}
        copied={t('console.clients.help.copied')}
        failed={t('console.clients.help.copyFailed')}
        testId="copy-command"
      />
      <p className="clients-help-then">{t('console.clients.help.then')}</p>
    </Card>
  );
}
