import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Popconfirm, Space } from 'antd';
import QRCode from 'qrcode';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { ProblemAlert } from '../../desktop/ProblemAlert';
import { api } from '../../shared/api';
import { pick } from '../../public/halls/common/format';
import type { EntranceTag, HallDetail } from '../../public/halls/common/types';
import { tr } from '../../public/halls/common/i18n';

/**
 * The hall's entrance tags (POL-19) to print: the QR poster and the URL to write on the NFC
 * sticker (an NDEF URL record). Rotating voids every printed tag, e.g. after a sticker was copied.
 */
export default function TagsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const { hallId = '' } = useParams();
  const [hall, setHall] = useState<HallDetail | null>(null);
  const [tags, setTags] = useState<EntranceTag[] | null>(null);
  const [images, setImages] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [rotated, setRotated] = useState(false);

  const show = useCallback(async (next: EntranceTag[]) => {
    setTags(next);
    const entries = await Promise.all(next.map(async (tag) => [tag.kind, await QRCode.toDataURL(tag.url, { width: 480, margin: 2, errorCorrectionLevel: 'M' })] as const));
    setImages(Object.fromEntries(entries));
  }, []);
  useEffect(() => {
    void api.get<HallDetail>(`/halls/${encodeURIComponent(hallId)}`).then(setHall, setError);
    void api.get<EntranceTag[]>(`/staff/halls/${encodeURIComponent(hallId)}/tags`).then(show, setError);
  }, [hallId, show]);

  const rotate = async () => {
    setError(undefined);
    try {
      await show(await api.post<EntranceTag[]>(`/staff/halls/${encodeURIComponent(hallId)}/tags/rotate`));
      setRotated(true);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <>
      <h1 className="desktop-title">{t('halls.tags.title', { hall: hall ? pick(hall.names, lang) : hallId })}</h1>
      <p className="desktop-intro">{t('halls.tags.intro')}</p>
      <div className="halls-console-toolbar">
        <Button onClick={() => window.print()}>{t('halls.tags.print')}</Button>
        <Popconfirm title={t('halls.tags.rotateConfirm')} description={t('halls.tags.rotateDetail')} okText={t('halls.tags.rotate')} cancelText={t('halls.window.cancel')} onConfirm={() => void rotate()}>
          <Button danger>{t('halls.tags.rotate')}</Button>
        </Popconfirm>
        <Link to="/console/halls">{t('halls.tags.back')}</Link>
      </div>
      <ProblemAlert error={error} />
      {rotated && <Alert type="warning" showIcon title={t('halls.tags.rotated')} role="status" className="page-messages" />}
      <div className="halls-tag-print">
        {tags?.map((tag) => (
          <Card key={tag.kind} className="halls-tag-card" title={<h2 className="card-heading">{tr(t, `halls.tags.${tag.kind}`)}</h2>} data-testid={`tag-${tag.kind}`}>
            {images[tag.kind] && <img src={images[tag.kind]} alt={t('halls.tags.qrAlt', { hall: hall ? pick(hall.names, lang) : hallId })} />}
            <p>{tr(t, `halls.tags.${tag.kind}Help`)}</p>
            <Space direction="vertical">
              <span className="halls-tag-url" data-testid={`tag-url-${tag.kind}`}>{tag.url}</span>
              <span className="halls-muted">{t('halls.tags.generation', { generation: tag.generation })}</span>
            </Space>
          </Card>
        ))}
      </div>
    </>
  );
}
