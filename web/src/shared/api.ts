// Shared HTTP client for the platform API (/api/v1). Errors follow RFC 9457 problem details.

export const API_BASE = '/api/v1';
export const CSRF_COOKIE = 'haihe_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface ProblemFieldError {
  field: string;
  message: string;
}

/** The body of an `application/problem+json` error response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: ProblemFieldError[];
}

/** Error thrown for every failed API call, so callers handle one shape whatever went wrong. */
export class ApiError extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly errors: readonly ProblemFieldError[];

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
  }
}

export interface RequestOptions {
  /** Sent as `Idempotency-Key`, so a retried submission is applied at most once. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Best code for a response that carried no problem body (proxy errors, HTML 404 pages). */
export function codeForStatus(status: number): string {
  if (status === 400 || status === 422) return 'INVALID_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL';
  return 'GENERIC';
}

/** Reads one cookie by name; the CSRF token is the only cookie the front end needs to see. */
export function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined' || !document.cookie) return undefined;
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

/** A fresh key per user action; crypto.randomUUID is missing outside secure contexts, hence the fallback. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value as QueryValue];
    for (const v of values) if (v !== undefined && v !== null) params.append(key, String(v));
  }
  const qs = params.toString();
  if (!qs) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${qs}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toFieldErrors(value: unknown): ProblemFieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: ProblemFieldError[] = [];
  for (const item of value) {
    if (isRecord(item) && typeof item.message === 'string') {
      out.push({ field: typeof item.field === 'string' ? item.field : '', message: item.message });
    }
  }
  return out;
}

/** Turns any error response into a Problem, tolerating bodies that are not problem documents. */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  const b = isRecord(body) ? body : {};
  const problem: Problem = {
    type: typeof b.type === 'string' ? b.type : 'about:blank',
    title: typeof b.title === 'string' ? b.title : statusText || `HTTP ${status}`,
    status: typeof b.status === 'number' ? b.status : status,
    code: typeof b.code === 'string' && b.code ? b.code : codeForStatus(status),
  };
  if (typeof b.detail === 'string') problem.detail = b.detail;
  const errors = toFieldErrors(b.errors);
  if (errors) problem.errors = errors;
  return problem;
}

function isJson(contentType: string | null): boolean {
  return !!contentType && /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204 || res.status === 205) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  if (isJson(res.headers.get('content-type'))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Performs one API call; the single place that knows about CSRF, idempotency and problem parsing. */
export async function request<T>(method: Method, url: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  const init: RequestInit = { method, headers, credentials: 'include' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const csrf = readCookie(CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  if (options.idempotencyKey) headers[IDEMPOTENCY_HEADER] = options.idempotencyKey;
  if (options.signal) init.signal = options.signal;

  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, code: 'NETWORK' });
  }
  const parsed = await readBody(res).catch(() => undefined);
  if (!res.ok) throw new ApiError(toProblem(res.status, res.statusText, parsed));
  return parsed as T;
}

function apiUrl(path: string): string {
  return `${API_BASE}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * The API client. Paths are relative to /api/v1. For `get`, the second argument is the query
 * string (a GET has no body); for the others it is the JSON body.
 */
export const api = {
  get<T>(path: string, query?: Query, options?: RequestOptions): Promise<T> {
    return request<T>('GET', withQuery(apiUrl(path), query), undefined, options);
  },
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return request<T>('POST', apiUrl(path), body, options);
  },
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return request<T>('PATCH', apiUrl(path), body, options);
  },
  delete<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return request<T>('DELETE', apiUrl(path), body, options);
  },
};

/** Any translate function; kept loose so it accepts react-i18next's `t` without tying keys to types. */
export type Translate = (key: string, options?: { defaultValue?: string }) => string;

const MISSING = '\u0000missing';

/** Plain-language message for the user: the i18n text for the problem code, else its detail, else a generic text. */
export function problemMessage(err: unknown, t: Translate | ((...args: never[]) => unknown)): string {
  const tr = t as Translate;
  const generic = tr('errors.GENERIC');
  if (!(err instanceof ApiError)) return generic;
  if (/^[A-Z][A-Z0-9_]*$/.test(err.code)) {
    const known = tr(`errors.${err.code}`, { defaultValue: MISSING });
    if (typeof known === 'string' && known !== MISSING && known !== `errors.${err.code}`) return known;
  }
  if (err.detail) return err.detail;
  return generic;
}
