import { useState } from 'react';
import { Alert, Button, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';

/** Import from CSV (all or nothing): paste the text or pick a file; the server names every bad row. */
export function CsvImport({ path, header, onImported }: { path: string; header: string; onImported: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [csv, setCsv] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [result, setResult] = useState<{ created: number; updated: number } | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.post<{ created: number; updated: number }>(path, { csv }));
      onImported();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => { setOpen(true); setResult(null); setError(undefined); }}>{t('halls.console.import')}</Button>
      <Modal open={open} title={t('halls.console.import')} onCancel={() => setOpen(false)} footer={null} width={720} destroyOnHidden>
        <p>{t('halls.console.importHelp')}</p>
        <p>
          <code className="halls-tag-url">{header}</code>
        </p>
        <label>
          <span className="visually-hidden">{t('halls.console.importFile')}</span>
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void file.text().then(setCsv);
            }}
          />
        </label>
        <Input.TextArea rows={8} value={csv} onChange={(event) => setCsv(event.target.value)} aria-label={t('halls.console.importText')} style={{ marginTop: 12 }} />
        <div style={{ marginTop: 12 }}>
          <ProblemAlert error={error} />
          {result && <Alert type="success" showIcon title={t('halls.console.imported', result)} role="status" />}
        </div>
        <Button type="primary" onClick={() => void submit()} loading={busy} disabled={!csv.trim()} style={{ marginTop: 12 }}>
          {t('halls.console.importSubmit')}
        </Button>
      </Modal>
    </>
  );
}
