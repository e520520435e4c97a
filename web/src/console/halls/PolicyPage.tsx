import { useEffect, useState } from 'react';
import { Alert, Button, Form, InputNumber } from 'antd';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { put } from '../../public/halls/common/put';
import type { Policy } from '../../public/halls/common/types';

/** The queue and review policy: priority age and advance, appointment window, review deadlines in working days. */
export default function PolicyPage() {
  const { t } = useTranslation();
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const [form] = Form.useForm<Policy>();
  useEffect(() => {
    void api.get<Policy>('/admin/halls/policy').then((value) => {
      setPolicy(value);
      form.setFieldsValue(value);
    }, setError);
  }, [form]);
  const save = async (values: Policy) => {
    setError(undefined);
    setSaved(false);
    try {
      const next = await put<Policy>('/admin/halls/policy', { ...policy!, ...values, appointment: { ...policy!.appointment, ...values.appointment }, review: { ...policy!.review, ...values.review }, estimate: { ...policy!.estimate, ...values.estimate } });
      setPolicy(next);
      setSaved(true);
    } catch (failure) {
      setError(failure);
    }
  };
  const number = (name: (string | number)[], label: string, min: number, max: number) => (
    <Form.Item name={name} label={label} rules={[{ required: true }]}>
      <InputNumber min={min} max={max} />
    </Form.Item>
  );
  return (
    <>
      <h1 className="desktop-title">{t('halls.policy.title')}</h1>
      <p className="desktop-intro">{t('halls.policy.intro')}</p>
      <ProblemAlert error={error} />
      {saved && <Alert type="success" showIcon title={t('halls.policy.saved')} role="status" className="page-messages" />}
      {policy && (
        <Form form={form} layout="vertical" onFinish={(values) => void save(values)} style={{ maxWidth: 560 }}>
          <h2 className="desktop-section-title">{t('halls.policy.queue')}</h2>
          {number(['elderlyAge'], t('halls.policy.elderlyAge'), 50, 120)}
          {number(['priorityAdvanceMinutes'], t('halls.policy.advance'), 0, 240)}
          <h2 className="desktop-section-title">{t('halls.policy.appointments')}</h2>
          {number(['appointment', 'earlyMinutes'], t('halls.policy.early'), 0, 240)}
          {number(['appointment', 'lateMinutes'], t('halls.policy.late'), 0, 240)}
          {number(['appointment', 'bookableDays'], t('halls.policy.bookableDays'), 1, 60)}
          {number(['appointment', 'leadMinutes'], t('halls.policy.lead'), 0, 1440)}
          <h2 className="desktop-section-title">{t('halls.policy.review')}</h2>
          {number(['review', 'callbackWorkingDays'], t('halls.policy.callback'), 0, 30)}
          {number(['review', 'rectifyWorkingDays'], t('halls.policy.rectify'), 0, 120)}
          <Button type="primary" htmlType="submit">{t('halls.console.save')}</Button>
        </Form>
      )}
    </>
  );
}
