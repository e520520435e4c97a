import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Drawer, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { districtName, TIANJIN_DISTRICTS } from '../../shared/districts';
import { hasAnyRole } from '../../shared/roles';
import { useSession } from '../../shared/session';
import { formatSessions, pick } from '../../public/halls/common/format';
import { put } from '../../public/halls/common/put';
import { HALL_TYPES, type Catalogue, type HallDetail, type HallSummary } from '../../public/halls/common/types';
import { CsvImport } from './CsvImport';
import { HALL_ADMINS } from './HallsConsole';
import { tr } from '../../public/halls/common/i18n';

interface HallForm {
  id: string;
  type: string;
  nameZh: string;
  nameEn: string;
  districtCode: string;
  address: string;
  phone: string;
  lat: number;
  lng: number;
  workingDays: string;
  restDays: string;
  slotMinutes: number;
  slotCapacity: number;
  windows: { id: string; nameZh: string; nameEn: string; services: string[] }[];
}

const HALL_HEADER = 'id,type,name_zh,name_en,district_code,address,phone,lat,lng,working_day_hours,rest_day_hours,slot_minutes,slot_capacity,windows,active';

function sessions(text: string): string[][] {
  return text.split(/[;；,，]/).map((part) => part.trim()).filter(Boolean).map((part) => part.split(/[-–]/).map((time) => time.trim()));
}

/** Halls and their windows: list, edit, import and export (administrators); entrance tags (hall staff). */
export default function HallsAdmin() {
  const { t } = useTranslation();
  const lang = currentLang();
  const session = useSession();
  const admin = hasAnyRole(session.roles, HALL_ADMINS);
  const [halls, setHalls] = useState<HallSummary[] | null>(null);
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [editing, setEditing] = useState<HallForm | null>(null);
  const [isNew, setIsNew] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [form] = Form.useForm<HallForm>();

  const load = useCallback(async () => {
    try {
      const [list, items] = await Promise.all([api.get<HallSummary[]>('/halls'), api.get<Catalogue>('/services')]);
      setHalls(admin ? list : list.filter((hall) => hall.id === session.me?.hallId));
      setCatalogue(items);
    } catch (failure) {
      setError(failure);
    }
  }, [admin, session.me?.hallId]);
  useEffect(() => {
    void load();
  }, [load]);

  const edit = async (id: string | null) => {
    setSaved(null);
    setError(undefined);
    if (!id) {
      setIsNew(true);
      const blank: HallForm = { id: '', type: 'police_station', nameZh: '', nameEn: '', districtCode: '120101', address: '', phone: '', lat: 39.12, lng: 117.2, workingDays: '09:00-12:00; 13:30-17:00', restDays: '', slotMinutes: 30, slotCapacity: 3, windows: [{ id: '', nameZh: '1号窗口', nameEn: 'Window 1', services: ['*'] }] };
      setEditing(blank);
      form.setFieldsValue(blank);
      return;
    }
    const hall = await api.get<HallDetail>(`/halls/${encodeURIComponent(id)}`);
    const value: HallForm = {
      id: hall.id, type: hall.type, nameZh: hall.names['zh-CN'], nameEn: hall.names.en, districtCode: hall.districtCode, address: hall.address, phone: hall.phone,
      lat: hall.location.lat, lng: hall.location.lng, workingDays: formatSessions(hall.hours.workingDays).replaceAll('–', '-').replaceAll(', ', '; '),
      restDays: formatSessions(hall.hours.restDays).replaceAll('–', '-').replaceAll(', ', '; '), slotMinutes: hall.slotMinutes, slotCapacity: hall.slotCapacity,
      windows: hall.windows.map((window) => ({ id: window.id, nameZh: window.names['zh-CN'], nameEn: window.names.en, services: window.services })),
    };
    setIsNew(false);
    setEditing(value);
    form.setFieldsValue(value);
  };

  const save = async (values: HallForm) => {
    setError(undefined);
    const body = {
      id: values.id.trim(),
      type: values.type,
      name: { 'zh-CN': values.nameZh.trim(), en: values.nameEn.trim() || values.nameZh.trim() },
      districtCode: values.districtCode,
      address: values.address.trim(),
      phone: values.phone.trim(),
      location: { lat: Number(values.lat), lng: Number(values.lng) },
      hours: { workingDays: sessions(values.workingDays ?? ''), restDays: sessions(values.restDays ?? '') },
      slotMinutes: values.slotMinutes,
      slotCapacity: values.slotCapacity,
      windows: (values.windows ?? []).map((window, index) => ({
        id: window.id?.trim() || `${values.id.trim()}-w${index + 1}`,
        name: { 'zh-CN': window.nameZh.trim(), en: window.nameEn?.trim() || window.nameZh.trim() },
        services: window.services.length > 0 ? window.services : ['*'],
      })),
    };
    try {
      await put(`/admin/halls/${encodeURIComponent(body.id)}`, body);
      setEditing(null);
      setSaved(t('halls.console.saved', { name: body.name['zh-CN'] }));
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const serviceOptions = [
    { label: t('halls.console.allItems'), value: '*' },
    ...(catalogue?.categories ?? []).map((category) => ({ label: t('halls.console.category', { name: pick(category.names, lang) }), value: `category:${category.id}` })),
    ...(catalogue?.items ?? []).map((item) => ({ label: pick(item.names, lang), value: item.id })),
  ];

  return (
    <>
      <h1 className="desktop-title">{t('halls.console.hallsTitle')}</h1>
      <p className="desktop-intro">{t('halls.console.hallsIntro')}</p>
      {admin && (
        <div className="halls-console-toolbar">
          <Button type="primary" onClick={() => void edit(null)}>
            {t('halls.console.newHall')}
          </Button>
          <CsvImport path="/admin/halls/import" header={HALL_HEADER} onImported={() => void load()} />
          <a href="/api/v1/admin/halls.csv" download>
            {t('halls.console.export')}
          </a>
        </div>
      )}
      <ProblemAlert error={error} />
      {saved && <Alert type="success" showIcon title={saved} role="status" className="page-messages" />}
      <Table<HallSummary>
        rowKey="id"
        loading={!halls}
        dataSource={halls ?? []}
        pagination={{ pageSize: 15 }}
        columns={[
          { key: 'name', title: t('halls.publicMap.columns.name'), render: (_, hall) => (<><strong>{pick(hall.names, lang)}</strong> {hall.demo && <Tag>{t('halls.demo')}</Tag>}<br /><code>{hall.id}</code></>) },
          { key: 'type', title: t('halls.publicMap.columns.type'), render: (_, hall) => tr(t, `halls.types.${hall.type}`) },
          { key: 'district', title: t('halls.publicMap.columns.district'), render: (_, hall) => districtName(hall.districtCode, lang) },
          { key: 'windows', title: t('halls.status.windowsLabel'), render: (_, hall) => t('halls.status.windows', { open: hall.status.windowsOpen, total: hall.status.windowsTotal }) },
          { key: 'queue', title: t('halls.status.queueLabel'), render: (_, hall) => hall.status.queueLength },
          {
            key: 'actions',
            title: t('halls.console.actions'),
            render: (_, hall) => (
              <Space wrap>
                <Link to={`/console/halls/${hall.id}/tags`}>{t('halls.console.tags')}<span className="visually-hidden"> {pick(hall.names, lang)}</span></Link>
                {admin && (
                  <Button size="small" onClick={() => void edit(hall.id)}>
                    {t('halls.console.edit')}
                    <span className="visually-hidden"> {pick(hall.names, lang)}</span>
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Drawer open={!!editing} title={isNew ? t('halls.console.newHall') : t('halls.console.editHall')} size={720} onClose={() => setEditing(null)} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(values) => void save(values)} initialValues={editing ?? undefined}>
          <Form.Item name="id" label={t('halls.console.fields.id')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{1,63}$/, message: t('halls.console.fields.idHelp') }]}>
            <Input disabled={!isNew} />
          </Form.Item>
          <Form.Item name="type" label={t('halls.publicMap.columns.type')} rules={[{ required: true }]}>
            <Select options={HALL_TYPES.map((type) => ({ value: type, label: tr(t, `halls.types.${type}`) }))} />
          </Form.Item>
          <Form.Item name="nameZh" label={t('halls.console.fields.nameZh')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="nameEn" label={t('halls.console.fields.nameEn')}><Input /></Form.Item>
          <Form.Item name="districtCode" label={t('halls.publicMap.columns.district')} rules={[{ required: true }]}>
            <Select options={TIANJIN_DISTRICTS.map((district) => ({ value: district.code, label: lang === 'en' ? district.en : district.zh }))} />
          </Form.Item>
          <Form.Item name="address" label={t('halls.publicMap.columns.address')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="phone" label={t('halls.phone')} rules={[{ required: true }]}><Input /></Form.Item>
          <Space>
            <Form.Item name="lat" label={t('halls.console.fields.lat')} rules={[{ required: true }]}><InputNumber step={0.0001} /></Form.Item>
            <Form.Item name="lng" label={t('halls.console.fields.lng')} rules={[{ required: true }]}><InputNumber step={0.0001} /></Form.Item>
          </Space>
          <Form.Item name="workingDays" label={t('halls.hall.workingDays')} extra={t('halls.console.fields.hoursHelp')}><Input /></Form.Item>
          <Form.Item name="restDays" label={t('halls.hall.restDays')}><Input /></Form.Item>
          <Space>
            <Form.Item name="slotMinutes" label={t('halls.console.fields.slotMinutes')} rules={[{ required: true }]}><InputNumber min={5} max={240} /></Form.Item>
            <Form.Item name="slotCapacity" label={t('halls.console.fields.slotCapacity')} rules={[{ required: true }]}><InputNumber min={0} max={1000} /></Form.Item>
          </Space>
          <h3>{t('halls.console.windows')}</h3>
          <Form.List name="windows">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <fieldset key={field.key} className="halls-documents" style={{ marginBottom: 16 }}>
                    <legend>{t('halls.console.window', { index: field.name + 1 })}</legend>
                    <Form.Item name={[field.name, 'id']} label={t('halls.console.fields.windowId')}><Input placeholder={t('halls.console.fields.windowIdHelp')} /></Form.Item>
                    <Form.Item name={[field.name, 'nameZh']} label={t('halls.console.fields.nameZh')} rules={[{ required: true }]}><Input /></Form.Item>
                    <Form.Item name={[field.name, 'nameEn']} label={t('halls.console.fields.nameEn')}><Input /></Form.Item>
                    <Form.Item name={[field.name, 'services']} label={t('halls.console.fields.services')}>
                      <Select mode="multiple" options={serviceOptions} optionFilterProp="label" />
                    </Form.Item>
                    <Button danger onClick={() => remove(field.name)}>{t('halls.console.removeWindow')}</Button>
                  </fieldset>
                ))}
                <Button onClick={() => add({ id: '', nameZh: '', nameEn: '', services: ['*'] })}>{t('halls.console.addWindow')}</Button>
              </>
            )}
          </Form.List>
          <ProblemAlert error={error} />
          <Space style={{ marginTop: 16 }}>
            <Button type="primary" htmlType="submit">{t('halls.console.save')}</Button>
            <Button onClick={() => setEditing(null)}>{t('halls.window.cancel')}</Button>
          </Space>
        </Form>
      </Drawer>
    </>
  );
}
