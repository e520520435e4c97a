import { useEffect, useRef, useState } from 'react';
import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';

export type CameraProblem = 'insecure' | 'unsupported' | 'noCamera' | 'denied' | 'busy' | 'other';

/** Sorts a camera start-up failure into something the cashier can act on. */
export function cameraProblem(error: unknown): CameraProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const text = String(error instanceof Error ? error.message : error).toLowerCase();
  if (name === 'NotAllowedError' || name === 'SecurityError' || text.includes('denied') || text.includes('not allowed')) return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || text.includes('not found') || text.includes('no camera')) return 'noCamera';
  if (name === 'NotReadableError' || name === 'AbortError' || text.includes('could not start')) return 'busy';
  return 'other';
}

/**
 * The till's camera scanner (qr-scanner, loaded on first use). The browser asks for permission when it
 * starts; without a camera, or when permission is refused, it says so and the cashier types the code.
 */
export function CameraScanner({ onResult, onClose }: { onResult: (text: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<CameraProblem | null>(null);
  const [running, setRunning] = useState(false);
  const onResultRef = useRef(onResult);
  onResultRef.current = onResult;

  useEffect(() => {
    let stopped = false;
    let scanner: { stop(): void; destroy(): void } | undefined;
    const start = async () => {
      if (!window.isSecureContext) throw Object.assign(new Error('insecure'), { name: 'InsecureContext' });
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('unsupported'), { name: 'Unsupported' });
      const { default: QrScanner } = await import('qr-scanner');
      if (!(await QrScanner.hasCamera())) throw Object.assign(new Error('no camera'), { name: 'NotFoundError' });
      if (stopped || !videoRef.current) return;
      const instance = new QrScanner(
        videoRef.current,
        (result) => {
          if (stopped) return;
          stopped = true;
          instance.stop();
          onResultRef.current(result.data.trim());
        },
        { returnDetailedScanResult: true, preferredCamera: 'environment', highlightScanRegion: true, maxScansPerSecond: 8 },
      );
      scanner = instance;
      await instance.start();
      if (!stopped) setRunning(true);
    };
    start().catch((error: unknown) => {
      if (stopped) return;
      const name = error instanceof Error ? error.name : '';
      setProblem(name === 'InsecureContext' ? 'insecure' : name === 'Unsupported' ? 'unsupported' : cameraProblem(error));
    });
    return () => {
      stopped = true;
      scanner?.stop();
      scanner?.destroy();
    };
  }, []);

  return (
    <div className="till-scanner" data-testid="camera-scanner">
      {problem ? (
        <Alert
          type="warning"
          showIcon
          role="alert"
          data-testid="camera-problem"
          data-problem={problem}
          title={t(`redemption.till.camera.${problem}`)}
          description={t('redemption.till.camera.typeInstead')}
        />
      ) : (
        <>
          <p role="status" className="till-scanner-status">
            {running ? t('redemption.till.camera.running') : t('redemption.till.camera.starting')}
          </p>
          <div className="till-video-wrap">
            <video ref={videoRef} className="till-video" muted playsInline aria-label={t('redemption.till.camera.videoLabel')} />
          </div>
        </>
      )}
      <Button onClick={onClose} className="till-scanner-close" data-testid="camera-close">
        {t('redemption.till.camera.close')}
      </Button>
    </div>
  );
}
