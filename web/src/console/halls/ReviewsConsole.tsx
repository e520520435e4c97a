import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { formatDateTime } from '../../shared/format';
import { hasAnyRole } from '../../shared/roles';
import { useSession } from '../../shared/session';
import { pick } from '../../public/halls/common/format';
import type { Review } from '../../public/halls/common/types';
import { HALL_ADMINS } from './HallsConsole';
import { tr } from '../../public/halls/common/i18n';

type Action = Review['allowedActions'][number];

/** 好差评 and 办不成 review items (POL-17): call back, rectify, appeal, close, against their working-day deadlines. */
export default function ReviewsConsole() {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const admin = hasAnyRole(session.roles, HALL_ADMINS);
  const manager = admin || session.roles.includes('hall_manager');
  const [reviews, setReviews] = useState<Review[] | null>(null);
  const [status, setStatus] = useState<string | undefined>('open');
  const [kind, setKind] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(undefined);
  const [acting, setActing] = useState<{ review: Review; action: Action } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setReviews(await api.get<Review[]>('/staff/reviews', { status, kind }));
    } catch (failure) {
      setError(failure);
    }
  }, [status, kind]);
  useEffect(() => {
    void load();
  }, [load]);

  const submit = async (values: { note: string; resolution?: string }) => {
    if (!acting) return;
    setError(undefined);
    try {
      await api.post(`/staff/reviews/${encodeURIComponent(acting.review.id)}/${acting.action}`, values);
      setDone(t('halls.reviews.doneNotice', { action: tr(t, `halls.reviews.actions.${acting.action}`) }));
      setActing(null);
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const allowed = (review: Review) => review.allowedActions.filter((action) => manager || (action !== 'appeal' && action !== 'close'));
  const resolutions = (review: Review) =>
    review.status === 'appealed' ? (admin ? ['appeal_upheld', 'appeal_rejected'] : []) : review.status === 'rectifying' ? ['rectified'] : ['explained', 'rectified'];

  return (
    <>
      <h1 className="desktop-title">{t('halls.reviews.title')}</h1>
      <p className="desktop-intro">{t('halls.reviews.intro')}</p>
      <div className="halls-console-toolbar">
        <label>
          {t('halls.reviews.status')}{' '}
          <Select allowClear value={status} onChange={setStatus} style={{ minWidth: 160 }} aria-label={t('halls.reviews.status')} options={['open', 'called_back', 'rectifying', 'appealed', 'closed'].map((value) => ({ value, label: tr(t, `halls.reviews.statuses.${value}`) }))} />
        </label>
        <label>
          {t('halls.reviews.kind')}{' '}
          <Select allowClear value={kind} onChange={setKind} style={{ minWidth: 160 }} aria-label={t('halls.reviews.kind')} options={['bad_rating', 'not_done'].map((value) => ({ value, label: tr(t, `halls.reviews.kinds.${value}`) }))} />
        </label>
      </div>
      <ProblemAlert error={error} />
      {done && <Alert type="success" showIcon title={done} role="status" className="page-messages" />}
      <Table<Review>
        rowKey="id"
        loading={!reviews}
        dataSource={reviews ?? []}
        pagination={{ pageSize: 15 }}
        expandable={{
          expandedRowRender: (review) => (
            <dl className="halls-facts">
              {review.callbackNote && (<div><dt>{t('halls.reviews.actions.callback')}</dt><dd>{review.callbackNote} ({formatDateTime(review.calledBackAt, lang)})</dd></div>)}
              {review.rectificationNote && (<div><dt>{t('halls.reviews.actions.rectify')}</dt><dd>{review.rectificationNote}</dd></div>)}
              {review.appealReason && (<div><dt>{t('halls.reviews.actions.appeal')}</dt><dd>{review.appealReason}</dd></div>)}
              {review.closingNote && (<div><dt>{t('halls.reviews.actions.close')}</dt><dd>{review.closingNote} · {review.resolution ? tr(t, `halls.reviews.resolutions.${review.resolution}`) : ''}</dd></div>)}
            </dl>
          ),
        }}
        columns={[
          { key: 'kind', title: t('halls.reviews.kind'), render: (_, review) => <Tag color={review.kind === 'bad_rating' ? 'volcano' : 'gold'}>{tr(t, `halls.reviews.kinds.${review.kind}`)}{review.ratingLevel ? ` · ${tr(t, `halls.rating.levels.${review.ratingLevel}`)}` : ''}</Tag> },
          { key: 'ticket', title: t('halls.reviews.ticket'), render: (_, review) => (<>{review.ticketNumber} · {pick(review.serviceNames, lang)}<br /><span className="halls-muted">{review.hallName}</span></>) },
          { key: 'detail', title: t('halls.reviews.detail'), render: (_, review) => review.detail ?? '—' },
          { key: 'opened', title: t('halls.reviews.opened'), render: (_, review) => formatDateTime(review.openedAt, lang) },
          { key: 'callback', title: t('halls.reviews.callbackDue'), render: (_, review) => <span className={review.callbackOverdue ? 'halls-overdue' : undefined}>{formatDateTime(review.callbackDueAt, lang)}{review.callbackOverdue ? ` · ${t('halls.reviews.overdue')}` : ''}</span> },
          { key: 'rectify', title: t('halls.reviews.rectifyDue'), render: (_, review) => <span className={review.rectifyOverdue ? 'halls-overdue' : undefined}>{formatDateTime(review.rectifyDueAt, lang)}{review.rectifyOverdue ? ` · ${t('halls.reviews.overdue')}` : ''}</span> },
          { key: 'status', title: t('halls.reviews.status'), render: (_, review) => tr(t, `halls.reviews.statuses.${review.status}`) },
          {
            key: 'actions',
            title: t('halls.console.actions'),
            render: (_, review) => (
              <Space wrap>
                {allowed(review).map((action) => (
                  <Button key={action} size="small" onClick={() => setActing({ review, action })} data-testid={`review-${action}`}>
                    {tr(t, `halls.reviews.actions.${action}`)}
                  </Button>
                ))}
              </Space>
            ),
          },
        ]}
      />
      <Modal open={!!acting} title={acting ? tr(t, `halls.reviews.actions.${acting.action}`) : ''} footer={null} onCancel={() => setActing(null)} destroyOnHidden>
        {acting && (
          <Form layout="vertical" onFinish={(values: { note: string; resolution?: string }) => void submit(values)}>
            <Form.Item name="note" label={t('halls.reviews.note')} rules={[{ required: true, whitespace: true, message: t('halls.reviews.noteRequired') }]}>
              <Input.TextArea rows={3} maxLength={1000} />
            </Form.Item>
            {acting.action === 'close' && (
              <Form.Item name="resolution" label={t('halls.reviews.resolution')} rules={[{ required: true }]}>
                <Select options={resolutions(acting.review).map((value) => ({ value, label: tr(t, `halls.reviews.resolutions.${value}`) }))} />
              </Form.Item>
            )}
            <ProblemAlert error={error} />
            <Button type="primary" htmlType="submit">{t('halls.console.save')}</Button>
          </Form>
        )}
      </Modal>
    </>
  );
}
