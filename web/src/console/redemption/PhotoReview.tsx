import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Form, Input, Modal, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { IdempotencyKeys } from '../../shared/idempotency';
import { categoryName, fetchActivationPhoto, type PhotoForReview, type ProgrammeRules } from '../../shared/redemption';
import { formatCivilDateTime } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { RedemptionProblem } from '../../counter/till/RedemptionProblem';

const SCOPE = 'redemption.console.errors';
const loadQueue = (signal: AbortSignal) => api.get<PhotoForReview[]>('/admin/subsidies/activation-photos', undefined, { signal });

/** The activation-photo review queue (TI-34–TI-37): look at each photo, approve it or reject it with a reason. */
export function PhotoReview({ programmes }: { programmes: ProgrammeRules[] | undefined }) {
  const { t } = useTranslation();
  const queue = usePolled('photo-queue', loadQueue, 60_000);
  const [notice, setNotice] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<PhotoForReview | null>(null);
  const [reviewed, setReviewed] = useState<Set<string>>(new Set());

  const finished = (photo: PhotoForReview, message: string) => {
    setReviewed((set) => new Set(set).add(photo.id));
    setNotice(message);
    queue.reload();
  };
  const waiting = queue.data?.filter((photo) => !reviewed.has(photo.id));

  return (
    <section aria-labelledby="photos-heading">
      <h2 id="photos-heading" className="desktop-section-title">
        {t('redemption.console.photos.title')}
      </h2>
      <p className="desktop-intro">{t('redemption.console.photos.intro')}</p>
      <Alert
        type="info"
        showIcon
        className="photo-checklist"
        title={t('redemption.console.photos.checkTitle')}
        description={
          <ul>
            <li>{t('redemption.console.photos.checkPhone')}</li>
            <li>{t('redemption.console.photos.checkSn')}</li>
            <li>{t('redemption.console.photos.checkSerial')}</li>
            <li>{t('redemption.console.photos.checkQuality')}</li>
          </ul>
        }
      />
      <div className="page-messages" aria-live="polite" data-testid="photos-notice">
        {notice && <Alert type="success" showIcon title={notice} closable onClose={() => setNotice(null)} />}
      </div>
      {queue.error !== undefined && <RedemptionProblem error={queue.error} scope={SCOPE} />}
      {waiting === undefined && queue.error === undefined && <p role="status">{t('redemption.console.loading')}</p>}
      {waiting?.length === 0 && <Empty description={t('redemption.console.photos.empty')} />}
      {waiting && waiting.length > 0 && (
        <ul className="photo-list" data-testid="photo-queue">
          {waiting.map((photo) => (
            <li key={photo.id}>
              <PhotoCard photo={photo} programmes={programmes} onApproved={(message) => finished(photo, message)} onReject={() => setRejecting(photo)} />
            </li>
          ))}
        </ul>
      )}
      {rejecting && (
        <RejectDialog
          photo={rejecting}
          onClose={() => setRejecting(null)}
          onDone={(message) => {
            const photo = rejecting;
            setRejecting(null);
            finished(photo, message);
          }}
        />
      )}
    </section>
  );
}

function PhotoCard({
  photo,
  programmes,
  onApproved,
  onReject,
}: {
  photo: PhotoForReview;
  programmes: ProgrammeRules[] | undefined;
  onApproved: (message: string) => void;
  onReject: () => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const [url, setUrl] = useState<string | null>(null);
  const [imageError, setImageError] = useState<unknown>(undefined);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const keys = useRef(new IdempotencyKeys());
  const item = categoryName(programmes, photo.category, lang);

  // The image needs the session cookie: fetched as a Blob and shown through an object URL, freed afterwards.
  useEffect(() => {
    const ctrl = new AbortController();
    let objectUrl: string | undefined;
    setImageError(undefined);
    fetchActivationPhoto(photo.id, ctrl.signal).then(
      (blob) => {
        if (ctrl.signal.aborted) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted) setImageError(err);
      },
    );
    return () => {
      ctrl.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [photo.id, attempt]);

  async function approve(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      const body = { decision: 'approve' as const };
      await api.post(`/admin/subsidies/activation-photos/${encodeURIComponent(photo.id)}/review`, body, { idempotencyKey: keys.current.keyFor(body, photo.id) });
      keys.current.done();
      onApproved(t('redemption.console.photos.approved', { item, serial: photo.serial ?? '—' }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="photo-card" data-testid={`photo-${photo.id}`} title={<h3 className="card-heading">{t('redemption.console.photos.cardTitle', { item, serial: photo.serial ?? '—' })}</h3>}>
      <div className="photo-card-body">
        <div className="photo-frame">
          {url ? (
            <a href={url} target="_blank" rel="noreferrer" className="photo-link">
              <img src={url} alt={t('redemption.console.photos.alt', { item, serial: photo.serial ?? '—' })} data-testid="review-image" />
              <span className="visually-hidden">{t('redemption.console.photos.openFull')}</span>
            </a>
          ) : imageError !== undefined ? (
            <div>
              <RedemptionProblem error={imageError} scope={SCOPE} />
              <Button onClick={() => setAttempt((n) => n + 1)}>{t('redemption.console.retry')}</Button>
            </div>
          ) : (
            <p role="status">{t('redemption.console.photos.loadingImage')}</p>
          )}
        </div>
        <div className="photo-meta">
          <Descriptions
            column={1}
            size="small"
            bordered
            items={[
              { key: 'item', label: t('redemption.console.photos.item'), children: item },
              { key: 'serial', label: t('redemption.console.photos.serial'), children: photo.serial ? <code>{photo.serial}</code> : t('redemption.console.photos.noSerial') },
              { key: 'seller', label: t('redemption.console.photos.seller'), children: <code>{photo.sellerId}</code> },
              { key: 'uploaded', label: t('redemption.console.photos.uploadedAt'), children: formatCivilDateTime(photo.uploadedAt) },
              { key: 'file', label: t('redemption.console.photos.file'), children: `${photo.contentType}, ${Math.max(1, Math.round(photo.sizeBytes / 1024))} KB` },
              { key: 'sha', label: t('redemption.console.photos.sha256'), children: <code title={photo.sha256}>{photo.sha256.slice(0, 16)}…</code> },
            ]}
          />
          <RedemptionProblem error={error} scope={SCOPE} />
          <Space wrap className="photo-actions">
            <Button type="primary" loading={busy} onClick={() => void approve()} data-testid="approve-photo">
              {t('redemption.console.photos.approve')}
            </Button>
            <Button danger onClick={onReject} data-testid="reject-photo">
              {t('redemption.console.photos.reject')}
            </Button>
          </Space>
        </div>
      </div>
    </Card>
  );
}

function RejectDialog({ photo, onClose, onDone }: { photo: PhotoForReview; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const keys = useRef(new IdempotencyKeys());

  async function submit(values: { reason: string }): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      const body = { decision: 'reject' as const, reason: values.reason.trim() };
      await api.post(`/admin/subsidies/activation-photos/${encodeURIComponent(photo.id)}/review`, body, { idempotencyKey: keys.current.keyFor(body, photo.id) });
      keys.current.done();
      onDone(t('redemption.console.photos.rejected', { serial: photo.serial ?? '—' }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t('redemption.console.photos.rejectTitle')}
      okText={t('redemption.console.photos.rejectConfirm')}
      cancelText={t('redemption.console.cancel')}
      okButtonProps={{ danger: true, 'data-testid': 'reject-confirm' }}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <p>{t('redemption.console.photos.rejectIntro')}</p>
      <Form form={form} name="reject-photo" layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item
          name="reason"
          label={t('redemption.console.photos.reason')}
          extra={t('redemption.console.photos.reasonHelp')}
          rules={[
            { required: true, whitespace: true, message: t('redemption.console.photos.reasonRequired') },
            { max: 500, message: t('redemption.console.photos.reasonTooLong') },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 6 }} data-testid="reject-reason" />
        </Form.Item>
      </Form>
      <RedemptionProblem error={error} scope={SCOPE} />
    </Modal>
  );
}
