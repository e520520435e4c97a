// Live hall status (POL-23): the server pushes a new status after every change as server-sent events.
import { useEffect, useState } from 'react';
import type { HallStatus } from './types';

/**
 * Subscribes to GET /api/v1/halls/{id}/status as an EventSource (the browser reconnects by itself)
 * and returns the latest status; `onChange` runs after each push (e.g. to re-read one's own ticket).
 */
export function useHallStatus(hallId: string | undefined, onChange?: (status: HallStatus) => void): { status: HallStatus | null; live: boolean } {
  const [status, setStatus] = useState<HallStatus | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!hallId || typeof EventSource === 'undefined') return undefined;
    const source = new EventSource(`/api/v1/halls/${encodeURIComponent(hallId)}/status`);
    const listener = (event: MessageEvent<string>) => {
      try {
        const next = JSON.parse(event.data) as HallStatus;
        setStatus(next);
        setLive(true);
        onChange?.(next);
      } catch {
        // a malformed event is skipped; the next one carries the whole status again
      }
    };
    source.addEventListener('status', listener as EventListener);
    source.onerror = () => setLive(false);
    return () => {
      source.removeEventListener('status', listener as EventListener);
      source.close();
    };
    // onChange is read at push time; a new function each render must not reopen the stream.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hallId]);
  return { status, live };
}
