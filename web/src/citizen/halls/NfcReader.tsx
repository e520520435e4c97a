import { useState } from 'react';
import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';

interface NdefRecord {
  recordType: string;
  data?: DataView;
}
interface NdefReaderLike {
  scan(): Promise<void>;
  onreading: ((event: { message: { records: NdefRecord[] } }) => void) | null;
  onreadingerror: (() => void) | null;
}

/**
 * POL-19 (NFC感应取号). Tapping the hall's NFC sticker opens its URL by itself on most phones; where
 * the browser offers Web NFC (Chrome on Android), this button also reads the sticker in the page.
 * The sticker carries the same signed URL as the QR poster (reference.md: "Web NFC, honestly").
 */
export function NfcReader() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [state, setState] = useState<'idle' | 'scanning' | 'failed'>('idle');
  const supported = typeof window !== 'undefined' && 'NDEFReader' in window;
  if (!supported) {
    return <p className="citizen-hint halls-nfc-hint">{t('halls.nfc.howTo')}</p>;
  }
  const scan = async () => {
    try {
      const Reader = (window as unknown as { NDEFReader: new () => NdefReaderLike }).NDEFReader;
      const reader = new Reader();
      reader.onreading = (event) => {
        for (const record of event.message.records) {
          if (record.recordType !== 'url' || !record.data) continue;
          const url = new URL(new TextDecoder().decode(record.data), window.location.origin);
          if (url.origin === window.location.origin && url.pathname.startsWith('/citizen/halls/')) {
            navigate(`${url.pathname}${url.search}`);
            return;
          }
        }
        setState('failed');
      };
      reader.onreadingerror = () => setState('failed');
      await reader.scan();
      setState('scanning');
    } catch {
      setState('failed');
    }
  };
  return (
    <div className="citizen-card">
      <Button block className="citizen-button" onClick={() => void scan()}>
        {t('halls.nfc.scan')}
      </Button>
      <p className="citizen-hint" role="status">
        {state === 'scanning' ? t('halls.nfc.scanning') : state === 'failed' ? t('halls.nfc.failed') : t('halls.nfc.howTo')}
      </p>
    </div>
  );
}
