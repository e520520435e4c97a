import i18next from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import zhCN from '../i18n/zh-CN.json';
import en from '../i18n/en.json';
import { api, ApiError, codeForStatus, newIdempotencyKey, problemMessage, readCookie, toProblem } from './api';

const zh = i18next.createInstance();
const english = i18next.createInstance();

beforeAll(async () => {
  await zh.init({ lng: 'zh-CN', resources: { 'zh-CN': { translation: zhCN } }, interpolation: { escapeValue: false } });
  await english.init({ lng: 'en', resources: { en: { translation: en } }, interpolation: { escapeValue: false } });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function respond(status: number, body: unknown, contentType = 'application/json'): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, { status, headers: { 'content-type': contentType } });
}

describe('api client', () => {
  it('sends JSON, cookies, the CSRF token and the idempotency key', async () => {
    const fetchMock = vi.fn(async () => respond(201, { id: 7 }));
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('document', { cookie: 'other=1; haihe_csrf=tok%2Ben; x=2' });
    const result = await api.post<{ id: number }>('/claims', { amount: 3 }, { idempotencyKey: 'key-1' });
    expect(result).toEqual({ id: 7 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/claims');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('include');
    expect(init.body).toBe('{"amount":3}');
    const headers = init.headers as Record<string, string>;
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['X-CSRF-Token']).toBe('tok+en');
    expect(headers['Idempotency-Key']).toBe('key-1');
  });

  it('puts GET parameters in the query string and sends no CSRF header without the cookie', async () => {
    const fetchMock = vi.fn(async () => respond(200, []));
    vi.stubGlobal('fetch', fetchMock);
    await api.get('halls', { district: '和平区', open: true, skip: undefined, tag: ['a', 'b'] });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/halls?district=%E5%92%8C%E5%B9%B3%E5%8C%BA&open=true&tag=a&tag=b');
    expect(init.body).toBeUndefined();
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
  });

  it('returns undefined for 204', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => respond(204, '')));
    await expect(api.delete('/claims/1')).resolves.toBeUndefined();
  });

  it('turns problem+json into an ApiError with field errors', async () => {
    const problem = {
      type: 'https://haihe.example/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      code: 'INVALID_REQUEST',
      detail: 'idNumber is invalid',
      errors: [{ field: 'idNumber', message: '格式不正确' }],
    };
    vi.stubGlobal('fetch', vi.fn(async () => respond(400, problem, 'application/problem+json; charset=utf-8')));
    const err = await api.patch('/me', { idNumber: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.status).toBe(400);
    expect(apiErr.code).toBe('INVALID_REQUEST');
    expect(apiErr.detail).toBe('idNumber is invalid');
    expect(apiErr.errors).toEqual([{ field: 'idNumber', message: '格式不正确' }]);
  });

  it('copes with error bodies that are not problem documents', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => respond(502, '<html>Bad gateway</html>', 'text/html')));
    const err = (await api.get('/x').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('INTERNAL');
    expect(err.status).toBe(502);
  });

  it('reports network failures as NETWORK and lets aborts through', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))));
    const err = (await api.get('/x').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('NETWORK');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new DOMException('aborted', 'AbortError'))));
    const aborted = await api.get('/x').catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(DOMException);
  });
});

describe('problemMessage', () => {
  const codes = [
    'INVALID_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'RATE_LIMITED', 'INTERNAL',
    'NOT_OPEN', 'SOLD_OUT', 'QUOTA_MONTH_REACHED', 'QUOTA_YEAR_REACHED', 'OUTSIDE_CITY', 'INVALID_ID_NUMBER',
  ];

  it('has a plain-language text for every known code in both languages', () => {
    for (const code of codes) {
      const err = new ApiError({ type: 'about:blank', title: 't', status: 400, code, detail: 'server detail' });
      const zhText = problemMessage(err, zh.t);
      const enText = problemMessage(err, english.t);
      expect(zhText, code).toBe((zhCN.errors as Record<string, string>)[code]);
      expect(enText, code).toBe((en.errors as Record<string, string>)[code]);
    }
  });

  it('falls back to the detail, then to a generic message', () => {
    const withDetail = new ApiError({ type: 'about:blank', title: 't', status: 409, code: 'SOMETHING_NEW', detail: '名额已锁定' });
    expect(problemMessage(withDetail, zh.t)).toBe('名额已锁定');
    const bare = new ApiError({ type: 'about:blank', title: 't', status: 409, code: 'SOMETHING_NEW' });
    expect(problemMessage(bare, zh.t)).toBe(zhCN.errors.GENERIC);
    const oddCode = new ApiError({ type: 'about:blank', title: 't', status: 400, code: 'title' });
    expect(problemMessage(oddCode, zh.t)).toBe(zhCN.errors.GENERIC);
    expect(problemMessage(new Error('boom'), english.t)).toBe(en.errors.GENERIC);
  });
});

describe('helpers', () => {
  it('maps statuses to codes', () => {
    expect(codeForStatus(401)).toBe('UNAUTHENTICATED');
    expect(codeForStatus(403)).toBe('FORBIDDEN');
    expect(codeForStatus(404)).toBe('NOT_FOUND');
    expect(codeForStatus(429)).toBe('RATE_LIMITED');
    expect(codeForStatus(503)).toBe('INTERNAL');
    expect(codeForStatus(418)).toBe('GENERIC');
  });

  it('keeps only well-formed field errors', () => {
    const p = toProblem(422, 'Unprocessable', { code: 'INVALID_REQUEST', errors: [{ field: 'a', message: 'm' }, { nope: 1 }] });
    expect(p.errors).toEqual([{ field: 'a', message: 'm' }]);
    expect(p.title).toBe('Unprocessable');
  });

  it('reads cookies safely', () => {
    vi.stubGlobal('document', { cookie: 'a=1; haihe_csrf=%E0%A4%A' });
    expect(readCookie('haihe_csrf')).toBe('%E0%A4%A');
    expect(readCookie('missing')).toBeUndefined();
  });

  it('makes v4 UUID idempotency keys', () => {
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
