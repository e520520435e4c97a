import { useEffect, useRef, useState } from 'react';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { api } from '../../shared/api';
import { formatTime, pick } from './common/format';
import { callAnnouncement, canSpeak, speak } from './common/speech';
import type { HallDetail } from './common/types';
import { useHallStatus } from './common/useHallStatus';
import './public-halls.css';

/**
 * The hall's calling screen (叫号屏): the number being called and its window, large, the last
 * calls and the queue; each new call (or recall) is also spoken in Chinese once sound is on
 * (browsers only let a page speak after someone has pressed a button on it).
 */
export function HallDisplay() {
  const { t } = useTranslation();
  const lang = currentLang();
  const { hallId = '' } = useParams();
  const [hall, setHall] = useState<HallDetail | null>(null);
  const [sound, setSound] = useState(false);
  const { status, live } = useHallStatus(hallId);
  useEffect(() => {
    void api.get<HallDetail>(`/halls/${encodeURIComponent(hallId)}`).then(setHall, () => undefined);
  }, [hallId]);

  const calling = status?.calling;
  // A call already on the screen when it opens is not spoken; every later call and recall is.
  const seen = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (!status) return;
    const key = calling ? `${calling.number}|${calling.calledAt}` : null;
    const previous = seen.current;
    seen.current = key;
    if (previous !== undefined && key !== null && key !== previous && sound) speak(callAnnouncement(calling!.number, calling!.windowNames['zh-CN']));
  }, [status, calling, sound]);

  return (
    <div className="hall-display" data-testid="hall-display">
      <h1 className="hall-display-title">{hall ? pick(hall.names, lang) : t('halls.display.title')}</h1>
      <section className="hall-display-now" aria-live="assertive" aria-atomic="true">
        <h2 className="visually-hidden">{t('halls.display.now')}</h2>
        {calling ? (
          <p>
            <span className="hall-display-number" data-testid="display-number">
              {calling.number}
            </span>
            <span className="hall-display-window">{t('halls.display.goTo', { window: pick(calling.windowNames, lang) })}</span>
          </p>
        ) : (
          <p className="hall-display-idle">{t('halls.display.idle')}</p>
        )}
      </section>
      <div className="hall-display-row">
        <section aria-labelledby="display-recent" className="hall-display-recent">
          <h2 id="display-recent">{t('halls.display.recent')}</h2>
          <ol>
            {(status?.recentCalls ?? []).slice(calling ? 1 : 0, 5).map((call) => (
              <li key={`${call.number}-${call.calledAt}`}>
                <strong>{call.number}</strong> {pick(call.windowNames, lang)} <span>{formatTime(call.calledAt)}</span>
              </li>
            ))}
          </ol>
        </section>
        <section aria-labelledby="display-queue" className="hall-display-queue">
          <h2 id="display-queue">{t('halls.display.queue')}</h2>
          <p className="hall-display-count" data-testid="display-queue">
            {t('halls.status.people', { count: status?.queueLength ?? 0 })}
          </p>
          <p>
            {t('halls.status.windowsLabel')}: {t('halls.status.windows', { open: status?.windowsOpen ?? 0, total: status?.windowsTotal ?? 0 })}
          </p>
        </section>
      </div>
      <p className="hall-display-foot">
        {live ? t('halls.ticket.live') : t('halls.ticket.notLive')} ·{' '}
        {canSpeak() ? (
          <Button
            onClick={() => {
              setSound((on) => !on);
              if (!sound) speak(t('halls.display.soundCheck'));
            }}
            aria-pressed={sound}
            data-testid="display-sound"
          >
            {sound ? t('halls.display.soundOff') : t('halls.display.soundOn')}
          </Button>
        ) : (
          t('halls.display.noSpeech')
        )}
      </p>
    </div>
  );
}
