/**
 * One error catalogue for the whole platform. Each code has a kind, the kind decides the HTTP
 * status, and one handler turns an AppError into RFC 9457 problem details. Modules add their
 * codes with defineErrors(); docs/errors.md is kept in step with this catalogue by a test.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_many'
  | 'payload_too_large'
  | 'unavailable'
  | 'internal';

const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  too_many: 429,
  internal: 500,
  unavailable: 503,
};

export interface ErrorDefinition {
  kind: ErrorKind;
  /** Short, constant English title (problem details' `title`). */
  title: string;
  /** Overrides the kind's status where the contract says otherwise. */
  status?: number;
}

export interface CatalogueEntry extends ErrorDefinition {
  code: string;
  status: number;
  module: string;
}

const catalogue = new Map<string, CatalogueEntry>();

/** Registers a module's error codes; a code may be defined once, by one module. */
export function defineErrors<const T extends Record<string, ErrorDefinition>>(module: string, definitions: T): { [K in keyof T]: K } {
  const codes = {} as { [K in keyof T]: K };
  for (const [code, definition] of Object.entries(definitions)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`error code ${code} is not UPPER_SNAKE`);
    const existing = catalogue.get(code);
    if (existing && existing.module !== module) {
      throw new Error(`error code ${code} is defined by both ${existing.module} and ${module}`);
    }
    catalogue.set(code, { ...definition, code, module, status: definition.status ?? statusByKind[definition.kind] });
    (codes as Record<string, string>)[code] = code;
  }
  return codes;
}

/** Every registered code, sorted by module then code (for docs and tests). */
export function errorCatalogue(): CatalogueEntry[] {
  return [...catalogue.values()].sort((a, b) => a.module.localeCompare(b.module) || a.code.localeCompare(b.code));
}

export function catalogueEntry(code: string): CatalogueEntry {
  const entry = catalogue.get(code);
  if (!entry) throw new Error(`error code ${code} is not in the catalogue`);
  return entry;
}

export interface FieldError {
  field: string;
  message: string;
}

/** An expected failure with a stable code: sold out, quota reached, not found… Not a bug. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  constructor(code: string, detail?: string, extensions: Record<string, unknown> = {}) {
    const entry = catalogueEntry(code);
    // An expected failure needs no stack trace, and capturing one is the costliest part of it.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail ?? entry.title);
    Error.stackTraceLimit = limit;
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.extensions = extensions;
  }
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** The RFC 9457 body for an error code. */
export function problem(code: string, detail?: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  const entry = catalogueEntry(code);
  return {
    type: `urn:haihe:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    code,
    detail: detail ?? entry.title,
    ...extensions,
  };
}

export const PlatformErrors = defineErrors('platform', {
  INVALID_REQUEST: { kind: 'invalid', title: 'The request is not valid' },
  UNAUTHENTICATED: { kind: 'unauthenticated', title: 'Sign-in is required' },
  FORBIDDEN: { kind: 'forbidden', title: 'Not allowed' },
  NOT_FOUND: { kind: 'not_found', title: 'Not found' },
  METHOD_NOT_ALLOWED: { kind: 'invalid', title: 'Method not allowed', status: 405 },
  UNSUPPORTED_MEDIA_TYPE: { kind: 'invalid', title: 'Unsupported media type', status: 415 },
  PAYLOAD_TOO_LARGE: { kind: 'payload_too_large', title: 'The request body is too large' },
  IDEMPOTENCY_KEY_REUSED: { kind: 'unprocessable', title: 'The Idempotency-Key was used for a different request' },
  IDEMPOTENCY_IN_PROGRESS: { kind: 'conflict', title: 'A request with this Idempotency-Key is still being processed' },
  CSRF_FAILED: { kind: 'forbidden', title: 'The CSRF token is missing or wrong' },
  RATE_LIMITED: { kind: 'too_many', title: 'Too many requests' },
  UNAVAILABLE: { kind: 'unavailable', title: 'The service is temporarily unavailable' },
  INTERNAL: { kind: 'internal', title: 'Internal error' },
});
