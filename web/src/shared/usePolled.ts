import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  /** The last load's error (the previous data stays shown). */
  error: unknown;
  loading: boolean;
  /** When the data last arrived (device time, ms). */
  updatedAt: number | undefined;
  /** Loads again now (and restarts the polling interval). */
  reload(): void;
}

export type PollInterval<T> = number | null | ((data: T | undefined) => number | null);

/**
 * Loads data once, then again every `intervalMs` (null: only on reload; a function: decided from the
 * data just loaded), one request at a time.
 * Polling pauses while the page is hidden and catches up as soon as it is visible again.
 * `key` identifies what is loaded: when it changes, the old data is dropped. `load` null: nothing to load.
 */
export function usePolled<T>(key: string, load: ((signal: AbortSignal) => Promise<T>) | null, intervalMs: PollInterval<T>): Polled<T> {
  const [data, setData] = useState<{ key: string; value: T; at: number } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(load !== null);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(intervalMs);
  const enabled = load !== null;

  const latest = useRef<T | undefined>(undefined);

  // A shorter fixed interval takes effect at once.
  useEffect(() => {
    const previous = intervalRef.current;
    intervalRef.current = intervalMs;
    if (typeof intervalMs === 'number' && (previous === null || (typeof previous === 'number' && intervalMs < previous))) setGeneration((g) => g + 1);
  }, [intervalMs]);

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return undefined;
    }
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waitingForVisible = false;

    const run = async () => {
      timer = undefined;
      if (document.visibilityState === 'hidden') {
        waitingForVisible = true;
        return;
      }
      const current = loadRef.current;
      if (!current) return;
      setLoading(true);
      try {
        const value = await current(ctrl.signal);
        if (ctrl.signal.aborted) return;
        latest.current = value;
        setData({ key, value, at: Date.now() });
        setError(undefined);
      } catch (err) {
        if (ctrl.signal.aborted) return;
        setError(err);
      } finally {
        if (!ctrl.signal.aborted) setLoading(false);
      }
      if (ctrl.signal.aborted) return;
      const interval = intervalRef.current;
      const next = typeof interval === 'function' ? interval(latest.current) : interval;
      if (next !== null) timer = setTimeout(() => void run(), next);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible' && waitingForVisible) {
        waitingForVisible = false;
        void run();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      ctrl.abort();
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, enabled, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = data && data.key === key ? data : undefined;
  return { data: current?.value, error, loading, updatedAt: current?.at, reload };
}
