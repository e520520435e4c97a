import crypto from 'node:crypto';
import http from 'node:http';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import { isAllowed, type Access, type Authenticator, type Principal } from '../access.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/index.ts';
import { AppError, problem, type FieldError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { registerIdempotency } from './idempotency.ts';
import { fieldErrors, validatorCompiler } from './validation.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (required on every /api route). */
    access?: Access;
    /** Accepts Idempotency-Key (api-contract.md: every POST that changes quota, money or a case). */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** Registers an answer known from memory, given before routing (see EarlyAnswer). */
    answerEarly(spec: EarlyAnswer): void;
  }
}

/**
 * An answer a route gives from memory to most of its callers at its busiest, written before the
 * framework routes the request (e.g. SOLD_OUT to everyone who asks after a flash release sold out).
 * It keeps the route's access rule and the platform's headers and metrics, and applies only to a
 * bearer-token caller whose token is known, without an Idempotency-Key and within the body limit;
 * every other request, and every request the answer declines, goes through the route as usual.
 * The route must give the same answer itself (the lane is a shortcut, never the only place).
 */
export interface EarlyAnswer {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  /** The route's URL pattern, e.g. /api/v1/subsidies/releases/:id/claims. */
  url: string;
  access: Access;
  /** The answer for these path parameters (a problem: its status and JSON text), or undefined to let the route run. No side effects. */
  answer(params: Record<string, string>): { status: number; body: string } | undefined;
  /** Called once an answer has been given (after the access check). */
  answered?(params: Record<string, string>): void;
}

interface EarlyLane extends EarlyAnswer {
  pattern: RegExp;
  names: string[];
}

function compileLane(spec: EarlyAnswer): EarlyLane {
  const names: string[] = [];
  const source = spec.url
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/?#]+)';
    })
    .join('/');
  return { ...spec, pattern: new RegExp(`^${source}(?:\\?.*)?$`), names };
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpDependencies {
  config: Config;
  logger: Logger;
  database: Database;
  clock: Clock;
  metrics: Metrics;
  authenticator: Authenticator;
}

/** One access declaration per route, for the authorization matrix and the OpenAPI document. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;
const CSRF_COOKIE = 'haihe_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true },
);

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function sendProblem(reply: FastifyReply, code: string, detail?: string, extensions: Record<string, unknown> = {}): FastifyReply {
  const body = problem(code, detail, extensions);
  return reply.code(body.status).type('application/problem+json; charset=utf-8').send(body);
}

/**
 * Builds the HTTP server with the platform's conventions (api-contract.md): TypeBox schemas on
 * every route, RFC 9457 problems, request ids, access declarations checked on every request,
 * CSRF for cookie sessions, Idempotency-Key, security headers, metrics and the OpenAPI document.
 */
export async function createHttpServer(deps: HttpDependencies): Promise<{ app: App; routeAccess: RouteAccess[] }> {
  const { config, logger, database, clock, metrics, authenticator } = deps;
  const lanes: EarlyLane[] = [];
  let closing = false;
  // Filled below, once helmet's headers are known: the early answers carry the same headers.
  let answerEarly: (request: http.IncomingMessage, response: http.ServerResponse) => boolean = () => false;
  const app = Fastify({
    // Fastify's own server, with a look at the early answers first (answerEarly, below).
    serverFactory: (handler, options) => {
      const settings = options as unknown as { http?: http.ServerOptions; keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number; maxRequestsPerSocket: number };
      const server = http.createServer(settings.http ?? {}, (request, response) => {
        if (lanes.length === 0 || closing || !answerEarly(request, response)) handler(request, response);
      });
      // What Fastify sets on the server it makes itself.
      server.keepAliveTimeout = settings.keepAliveTimeout;
      server.requestTimeout = settings.requestTimeout;
      server.setTimeout(settings.connectionTimeout);
      if (settings.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = settings.maxRequestsPerSocket;
      return server;
    },
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (request) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : crypto.randomUUID();
    },
    logController: new LogController({ disableRequestLogging: true }),
    // Requests share the process logger (a child per request costs more than a no-op request);
    // the few places that log in a request name its id.
    childLoggerFactory: (logger) => logger,
    ajv: { customOptions: { removeAdditional: false } },
    trustProxy: config.trustProxy,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  app.decorate('answerEarly', (spec: EarlyAnswer) => {
    lanes.push(compileLane(spec));
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addSchema(ProblemSchema);
  app.decorateRequest('principal', undefined);

  const routeAccess: RouteAccess[] = [];
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    const isApi = url.startsWith('/api/v1/') && !url.startsWith('/api/v1/docs');
    if (!route.config?.access) {
      if (isApi) throw new Error(`route ${String(route.method)} ${url} declares no access (config.access)`);
      route.config = { ...route.config, access: 'public' };
    }
    if (isApi && !route.schema) throw new Error(`route ${String(route.method)} ${url} has no schema`);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routeAccess.push({ method, url, access: route.config!.access! });
    }
    if (isApi && route.config!.access !== 'public' && route.schema && !route.schema.security) {
      route.schema = { ...route.schema, security: [{ bearer: [] }, { session: [] }] };
    }
  });

  // Security headers (helmet's choices), computed once: helmet builds them per request otherwise,
  // which costs more than a whole no-op request on the claim path.
  const securityHeaders = staticHelmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // antd and antd-mobile write component styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        fontSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
  });
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders);
  });

  // Request ids travel back to the caller, and every request is counted and timed.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Metric children are looked up once per label combination, not hashed on every request.
  const requestCounters = new Map<string, { inc(): void }>();
  const durationHistograms = new Map<string, { observe(value: number): void }>();
  const countRequest = (method: string, route: string, status: number, seconds: number): void => {
    const routeKey = `${method} ${route}`;
    const counterKey = `${routeKey} ${status}`;
    let counter = requestCounters.get(counterKey);
    if (!counter) requestCounters.set(counterKey, (counter = metrics.httpRequests.labels(method, route, String(status))));
    counter.inc();
    let histogram = durationHistograms.get(routeKey);
    if (!histogram) durationHistograms.set(routeKey, (histogram = metrics.httpDuration.labels(method, route)));
    histogram.observe(seconds);
  };
  app.addHook('onResponse', async (request, reply) => {
    countRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.error({ req: request, res: reply, ms: reply.elapsedTime }, 'request failed');
    else if (config.logLevel === 'debug' || config.logLevel === 'trace') request.log.debug({ req: request, res: reply, ms: reply.elapsedTime }, 'request');
  });

  const securityHeaderList = Object.entries(securityHeaders).flat();
  const earlyCounters = new Map<string, { inc(): void }>();
  answerEarly = (request, response) => {
    const url = request.url ?? '';
    for (const lane of lanes) {
      if (request.method !== lane.method) continue;
      const match = lane.pattern.exec(url);
      if (!match) continue;
      const started = performance.now();
      const headers = request.headers;
      const authorization = headers.authorization;
      if (authorization === undefined || headers['idempotency-key'] !== undefined) return false;
      const length = headers['content-length'];
      if (length !== undefined && !(Number(length) <= config.bodyLimitBytes)) return false;
      const params: Record<string, string> = {};
      try {
        for (let index = 0; index < lane.names.length; index += 1) params[lane.names[index]!] = decodeURIComponent(match[index + 1]!);
      } catch {
        return false;
      }
      const answer = lane.answer(params);
      if (!answer) return false;
      const principal = authenticator.authenticate({ authorization });
      if (principal instanceof Promise) {
        principal.catch(() => undefined); // the route authenticates again and reports
        return false;
      }
      if (isAllowed(lane.access, principal) !== 'allowed') return false;
      const given = headers['x-request-id'];
      const requestId = typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : crypto.randomUUID();
      response.writeHead(answer.status, [
        ...securityHeaderList,
        'x-request-id', requestId,
        'content-type', 'application/problem+json; charset=utf-8',
        'content-length', String(Buffer.byteLength(answer.body)),
      ]);
      response.end(answer.body);
      lane.answered?.(params);
      countRequest(lane.method, lane.url, answer.status, (performance.now() - started) / 1000);
      const earlyKey = `${lane.method} ${lane.url} ${answer.status}`;
      let early = earlyCounters.get(earlyKey);
      if (!early) earlyCounters.set(earlyKey, (early = metrics.httpEarlyAnswers.labels(lane.method, lane.url, String(answer.status))));
      early.inc();
      return true;
    }
    return false;
  };

  // Authentication, access and CSRF come before validation: a stranger learns nothing about a route's input.
  // A callback hook, finished synchronously when the principal is known at once (a token seen before).
  const admit = (request: FastifyRequest, principal: Principal | undefined): void => {
    const access = request.routeOptions.config.access ?? 'public';
    request.principal = principal;
    if (request.headers.authorization !== undefined && !principal && access !== 'public') {
      throw new AppError('UNAUTHENTICATED', 'The bearer token is missing, expired or not valid');
    }
    const decision = isAllowed(access, principal);
    if (decision === 'unauthenticated') throw new AppError('UNAUTHENTICATED', 'Sign in to use this service');
    if (decision === 'forbidden') throw new AppError('FORBIDDEN', 'Your role does not allow this');
    if (principal?.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const expected = readCookie(request.headers.cookie, CSRF_COOKIE);
      const given = request.headers['x-csrf-token'];
      if (!expected || typeof given !== 'string' || given.length !== expected.length ||
          !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
        throw new AppError('CSRF_FAILED', 'Reload the page and try again');
      }
    }
  };
  app.addHook('onRequest', (request, _reply, done) => {
    const access = request.routeOptions.config.access ?? 'public';
    const authorization = request.headers.authorization;
    const cookie = request.headers.cookie;
    let principal: Principal | undefined | Promise<Principal | undefined>;
    try {
      if (authorization !== undefined || (cookie !== undefined && access !== 'public')) principal = authenticator.authenticate({ authorization, cookie });
      if (principal instanceof Promise) {
        principal.then((known) => admit(request, known)).then(() => done(), done);
        return;
      }
      admit(request, principal);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });

  registerIdempotency(app, database, clock);

  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, error.code, error.message, error.extensions);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const errors: FieldError[] = fieldErrors(fastifyError.validation as never, fastifyError.validationContext ?? 'body');
      const first = errors[0];
      return sendProblem(reply, 'INVALID_REQUEST', first ? `${first.field} ${first.message}` : 'The request is not valid', { errors });
    }
    switch (fastifyError.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, 'INVALID_REQUEST', 'The body is not valid JSON', {
          errors: [{ field: 'body', message: 'is not valid JSON' }],
        });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 'PAYLOAD_TOO_LARGE', `The body is larger than ${config.bodyLimitBytes} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json)');
      default:
        break;
    }
    if (fastifyError.statusCode === 400 && typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_')) {
      return sendProblem(reply, 'INVALID_REQUEST', fastifyError.message);
    }
    if (fastifyError.statusCode === 413) return sendProblem(reply, 'PAYLOAD_TOO_LARGE', fastifyError.message);
    if (fastifyError.statusCode === 429) return sendProblem(reply, 'RATE_LIMITED', fastifyError.message);
    request.log.error({ err: error, requestId: request.id, path: request.url.split('?')[0] }, 'unhandled error');
    return sendProblem(reply, 'INTERNAL', `Something went wrong on our side (request ${request.id})`);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'haihe 海河 — city public services API',
        version: 'v1',
        description: 'Errors are RFC 9457 problem details with a stable `code` (see docs/errors.md).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'haihe_session' },
        },
      },
    },
    hideUntagged: false,
    transformObject: (documentObject) => {
      const openapi = (documentObject as { openapiObject: Record<string, any> }).openapiObject;
      for (const entry of routeAccess) {
        const path = entry.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        const operation = openapi.paths?.[path]?.[entry.method.toLowerCase()];
        if (operation) operation['x-access'] = entry.access === 'public' ? 'public' : [...entry.access.roles];
      }
      return openapi;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs', uiConfig: { docExpansion: 'list' } });

  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  return { app, routeAccess };
}

/** Runs helmet once against a stand-in response and keeps the headers it sets. */
function staticHelmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as never, response as never, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return headers;
}

/** Answers unmatched API paths with a NOT_FOUND problem. */
export function apiNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
}
