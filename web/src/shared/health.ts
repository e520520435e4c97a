import { useEffect, useState } from 'react';

export type DatabaseKind = 'pglite' | 'postgres';

export type Health =
  | { state: 'checking' }
  | { state: 'ok'; database: DatabaseKind | null }
  | { state: 'unknown' };

/** Asks the server whether it is up; anything but a JSON `{status:"ok"}` (a 404, an HTML page, a network error) reads as unknown. */
export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  try {
    const res = await fetch('/healthz', { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return { state: 'unknown' };
    const body = (await res.json()) as { status?: unknown; database?: unknown };
    if (body.status !== 'ok') return { state: 'unknown' };
    const database = body.database === 'pglite' || body.database === 'postgres' ? body.database : null;
    return { state: 'ok', database };
  } catch {
    return { state: 'unknown' };
  }
}

/** Health of the server for status lines in footers and the console overview. */
export function useHealth(): Health {
  const [health, setHealth] = useState<Health>({ state: 'checking' });
  useEffect(() => {
    const ctrl = new AbortController();
    fetchHealth(ctrl.signal).then((h) => {
      if (!ctrl.signal.aborted) setHealth(h);
    }, () => undefined);
    return () => ctrl.abort();
  }, []);
  return health;
}
