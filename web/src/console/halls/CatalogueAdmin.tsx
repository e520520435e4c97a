import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Drawer, Form, Input, InputNumber, Select, Space, Switch, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { pick } from '../../public/halls/common/format';
import { put } from '../../public/halls/common/put';
import type { Catalogue, ServiceItem } from '../../public/halls/common/types';
import { CsvImport } from './CsvImport';

interface ItemForm {
  id: string;
  category: string;
  nameZh: string;
  nameEn: string;
  documents: { id: string; zh: string; en: string }[];
  feeYuan: string;
  feeNoteZh?: string;
  feeNoteEn?: string;
  completionZh?: string;
  completionEn?: string;
  windowMinutes: number;
  active: boolean;
}

const SERVICE_HEADER = 'id,category,name_zh,name_en,documents,fee_yuan,fee_note_zh,fee_note_en,completion_zh,completion_en,window_minutes,active';

/** The catalogue of business items (POL-13) and their pre-visit guidance (POL-16): edit, import, export. */
export default function CatalogueAdmin() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [editing, setEditing] = useState<ItemForm | null>(null);
  const [isNew, setIsNew] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [form] = Form.useForm<ItemForm>();

  const load = useCallback(async () => {
    try {
      setCatalogue(await api.get<Catalogue>('/services', { all: true }));
    } catch (failure) {
      setError(failure);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const edit = (item: ServiceItem | null) => {
    setSaved(null);
    const value: ItemForm = item
      ? {
          id: item.id, category: item.category, nameZh: item.names['zh-CN'], nameEn: item.names.en,
          documents: item.documents.map((document) => ({ id: document.id, zh: document.names['zh-CN'], en: document.names.en })),
          feeYuan: item.feeYuan, feeNoteZh: item.feeNote?.['zh-CN'], feeNoteEn: item.feeNote?.en, completionZh: item.completion?.['zh-CN'],
          completionEn: item.completion?.en, windowMinutes: item.windowMinutes, active: item.active,
        }
      : { id: '', category: 'population', nameZh: '', nameEn: '', documents: [{ id: 'id_card', zh: '居民身份证', en: 'Resident identity card' }], feeYuan: '0.00', windowMinutes: 10, active: true };
    setIsNew(!item);
    setEditing(value);
    form.setFieldsValue(value);
  };

  const save = async (values: ItemForm) => {
    setError(undefined);
    const text = (zh?: string, en?: string) => (zh?.trim() ? { 'zh-CN': zh.trim(), en: en?.trim() || zh.trim() } : null);
    const body = {
      id: values.id.trim(),
      category: values.category,
      name: { 'zh-CN': values.nameZh.trim(), en: values.nameEn?.trim() || values.nameZh.trim() },
      documents: (values.documents ?? []).map((document, index) => ({
        id: document.id?.trim() || `doc-${values.id.trim()}-${index + 1}`,
        name: { 'zh-CN': document.zh.trim(), en: document.en?.trim() || document.zh.trim() },
      })),
      feeYuan: /^\d+$/.test(values.feeYuan) ? `${values.feeYuan}.00` : values.feeYuan,
      feeNote: text(values.feeNoteZh, values.feeNoteEn),
      completion: text(values.completionZh, values.completionEn),
      windowMinutes: values.windowMinutes,
      active: values.active,
    };
    try {
      await put(`/admin/halls/services/${encodeURIComponent(body.id)}`, body);
      setEditing(null);
      setSaved(t('halls.console.saved', { name: body.name['zh-CN'] }));
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <>
      <h1 className="desktop-title">{t('halls.console.catalogueTitle')}</h1>
      <p className="desktop-intro">{t('halls.console.catalogueIntro')}</p>
      {catalogue?.demo && <Alert type="info" showIcon title={t('halls.guide.demo')} className="page-messages" />}
      <div className="halls-console-toolbar">
        <Button type="primary" onClick={() => edit(null)}>{t('halls.console.newItem')}</Button>
        <CsvImport path="/admin/halls/services/import" header={SERVICE_HEADER} onImported={() => void load()} />
        <a href="/api/v1/admin/halls/services.csv" download>{t('halls.console.export')}</a>
      </div>
      <ProblemAlert error={error} />
      {saved && <Alert type="success" showIcon title={saved} role="status" className="page-messages" />}
      <Table<ServiceItem>
        rowKey="id"
        loading={!catalogue}
        dataSource={catalogue?.items ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { key: 'name', title: t('halls.console.fields.item'), render: (_, item) => (<><strong>{pick(item.names, lang)}</strong>{!item.active && <Tag>{t('halls.console.retired')}</Tag>}<br /><code>{item.id}</code></>) },
          { key: 'category', title: t('halls.console.fields.category'), render: (_, item) => pick(catalogue?.categories.find((category) => category.id === item.category)?.names, lang) },
          { key: 'documents', title: t('halls.guide.documents'), render: (_, item) => item.documents.map((document) => pick(document.names, lang)).join('、') },
          { key: 'fee', title: t('halls.guide.fee'), render: (_, item) => (item.feeYuan === '0.00' ? t('halls.guide.free') : t('halls.guide.yuan', { amount: item.feeYuan })) },
          { key: 'minutes', title: t('halls.guide.windowTime'), render: (_, item) => t('halls.guide.minutes', { count: item.windowMinutes }) },
          { key: 'halls', title: t('halls.guide.halls'), render: (_, item) => item.halls.length },
          { key: 'actions', title: t('halls.console.actions'), render: (_, item) => <Button size="small" onClick={() => edit(item)}>{t('halls.console.edit')}<span className="visually-hidden"> {pick(item.names, lang)}</span></Button> },
        ]}
      />
      <Drawer open={!!editing} title={isNew ? t('halls.console.newItem') : t('halls.console.editItem')} size={720} onClose={() => setEditing(null)} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(values) => void save(values)} initialValues={editing ?? undefined}>
          <Form.Item name="id" label={t('halls.console.fields.id')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{1,63}$/, message: t('halls.console.fields.idHelp') }]}>
            <Input disabled={!isNew} />
          </Form.Item>
          <Form.Item name="category" label={t('halls.console.fields.category')} rules={[{ required: true }]}>
            <Select options={(catalogue?.categories ?? []).map((category) => ({ value: category.id, label: pick(category.names, lang) }))} />
          </Form.Item>
          <Form.Item name="nameZh" label={t('halls.console.fields.nameZh')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="nameEn" label={t('halls.console.fields.nameEn')}><Input /></Form.Item>
          <h3>{t('halls.guide.documents')}</h3>
          <Form.List name="documents">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Space key={field.key} align="baseline" wrap>
                    <Form.Item name={[field.name, 'zh']} label={t('halls.console.fields.nameZh')} rules={[{ required: true }]}><Input /></Form.Item>
                    <Form.Item name={[field.name, 'en']} label={t('halls.console.fields.nameEn')}><Input /></Form.Item>
                    <Form.Item name={[field.name, 'id']} hidden><Input /></Form.Item>
                    <Button danger onClick={() => remove(field.name)}>{t('halls.console.remove')}</Button>
                  </Space>
                ))}
                <Button onClick={() => add({ id: '', zh: '', en: '' })}>{t('halls.console.addDocument')}</Button>
              </>
            )}
          </Form.List>
          <Form.Item name="feeYuan" label={t('halls.console.fields.fee')} rules={[{ required: true, pattern: /^\d{1,8}(\.\d{2})?$/, message: t('halls.console.fields.feeHelp') }]} style={{ marginTop: 16 }}><Input /></Form.Item>
          <Form.Item name="feeNoteZh" label={t('halls.console.fields.feeNote')}><Input /></Form.Item>
          <Form.Item name="completionZh" label={t('halls.guide.completion')}><Input /></Form.Item>
          <Form.Item name="windowMinutes" label={t('halls.guide.windowTime')} rules={[{ required: true }]}><InputNumber min={1} max={480} /></Form.Item>
          <Form.Item name="active" label={t('halls.console.fields.active')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="feeNoteEn" hidden><Input /></Form.Item>
          <Form.Item name="completionEn" hidden><Input /></Form.Item>
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
