import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import type { Module } from '../src/platform/module.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { widgetsModule } from './fixtures/widgets/index.ts';

const PROBLEM_TYPE = /^application\/problem\+json/;

describe.each(databaseKinds())('HTTP conventions on %s', (kind) => {
  let server: TestServer;
  const inject = (options: InjectOptions) => server.platform.app.inject(options);

  async function widgetCount(): Promise<number> {
    const [row] = await server.platform.context.database.query<{ count: number }>('SELECT count(*) AS count FROM widgets');
    return row!.count;
  }

  async function postWidget(payload: string | object, headers: Record<string, string> = {}) {
    return inject({
      method: 'POST',
      url: '/api/v1/test/widgets',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  }

  function expectInvalid(response: Awaited<ReturnType<typeof postWidget>>, field: string) {
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    const body = response.json();
    expect(body).toMatchObject({ status: 400, code: 'INVALID_REQUEST', title: expect.any(String), type: expect.any(String) });
    expect(body.detail).toEqual(expect.any(String));
    expect(body.errors.map((error: { field: string }) => error.field)).toContain(field);
  }

  beforeAll(async () => {
    server = await startTestServer({ database: kind, modules: [widgetsModule] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stores a valid widget (the baseline the refusals below are measured against)', async () => {
    const response = await postWidget({ name: 'baseline', count: 3, location: { lat: 39.1, lng: 117.2 } });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ name: 'baseline', count: 3, location: { lat: 39.1, lng: 117.2 } });
    expect(response.json()).not.toHaveProperty('createdAt');
    expect(await widgetCount()).toBe(1);
    await server.platform.context.database.execute('DELETE FROM widgets');
  });

  it('answers malformed JSON with 400 INVALID_REQUEST naming the body, and stores nothing', async () => {
    const response = await postWidget('{"name": "a", "count": ');
    expectInvalid(response, 'body');
    expect(await widgetCount()).toBe(0);
  });

  it('answers an empty JSON body with 400 INVALID_REQUEST', async () => {
    const response = await postWidget('');
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_REQUEST');
    expect(await widgetCount()).toBe(0);
  });

  it('refuses an unknown field, naming it', async () => {
    expectInvalid(await postWidget({ name: 'a', count: 1, colour: 'red' }), 'colour');
    expectInvalid(await postWidget({ name: 'a', count: 1, location: { lat: 1, lng: 2, alt: 3 } }), 'location.alt');
    expect(await widgetCount()).toBe(0);
  });

  it('refuses a missing field, naming it', async () => {
    expectInvalid(await postWidget({ name: 'a' }), 'count');
    expect(await widgetCount()).toBe(0);
  });

  it('refuses a wrong type or pattern, naming the nested field', async () => {
    expectInvalid(await postWidget({ name: 'a', count: 1, location: { lat: 'north', lng: 2 } }), 'location.lat');
    expectInvalid(await postWidget({ name: 'a', count: 1, location: { lat: 91, lng: 2 } }), 'location.lat');
    expectInvalid(await postWidget({ name: 'Not Valid!', count: 1 }), 'name');
    expectInvalid(await postWidget({ name: 'a', count: 1.5 }), 'count');
    expect(await widgetCount()).toBe(0);
  });

  it('does not coerce a string into an integer in a body', async () => {
    expectInvalid(await postWidget({ name: 'a', count: '5' }), 'count');
    expect(await widgetCount()).toBe(0);
  });

  it('coerces query-string integers and refuses non-numbers there, naming query.<field>', async () => {
    const ok = await inject({ method: 'GET', url: '/api/v1/test/widgets?limit=5' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ limit: 5, widgets: [] });
    const bad = await inject({ method: 'GET', url: '/api/v1/test/widgets?limit=five' });
    expectInvalid(bad, 'query.limit');
    const unknown = await inject({ method: 'GET', url: '/api/v1/test/widgets?colour=red' });
    expectInvalid(unknown, 'query.colour');
  });

  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const payload = JSON.stringify({ name: 'a', count: 1, padding: 'x'.repeat(server.config.bodyLimitBytes) });
    const response = await postWidget(payload);
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    expect(response.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await widgetCount()).toBe(0);
  });

  it('refuses a non-JSON content type with 415', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/v1/test/widgets',
      headers: { 'content-type': 'application/xml' },
      payload: '<widget name="a" count="1"/>',
    });
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    expect(response.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await widgetCount()).toBe(0);
  });

  it('answers an unknown /api/v1 path with a 404 NOT_FOUND problem', async () => {
    const response = await inject({ method: 'GET', url: '/api/v1/no/such/route?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(PROBLEM_TYPE);
    expect(response.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'No route GET /api/v1/no/such/route' });
  });

  it('answers a route that needs a role with 401 without a token and 403 with the wrong role', async () => {
    const anonymous = await inject({ method: 'GET', url: '/api/v1/test/mine' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHENTICATED');
    const badToken = await inject({ method: 'GET', url: '/api/v1/test/mine', headers: { authorization: 'Bearer nonsense' } });
    expect(badToken.statusCode).toBe(401);
    const wrongRole = await inject({
      method: 'GET',
      url: '/api/v1/test/mine',
      headers: { authorization: 'Bearer test-ann:merchant' },
    });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().code).toBe('FORBIDDEN');
    const citizen = await inject({ method: 'GET', url: '/api/v1/test/mine', headers: { authorization: 'Bearer test-ann' } });
    expect(citizen.statusCode).toBe(200);
    expect(citizen.json()).toEqual({ subject: 'ann' });
  });

  it('gives every response an x-request-id and echoes a valid incoming one', async () => {
    const responses = await Promise.all([
      inject({ method: 'GET', url: '/healthz' }),
      inject({ method: 'GET', url: '/api/v1/no/such/route' }),
      postWidget('{bad json'),
      postWidget({ name: 'a', count: 1, extra: true }),
      postWidget(JSON.stringify({ padding: 'x'.repeat(server.config.bodyLimitBytes) })),
      inject({ method: 'GET', url: '/api/v1/test/mine' }),
      inject({ method: 'GET', url: '/metrics' }),
    ]);
    const ids = responses.map((response) => response.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);

    const echoed = await inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'till-42.retry_1' } });
    expect(echoed.headers['x-request-id']).toBe('till-42.retry_1');
    const echoedOnError = await inject({ method: 'GET', url: '/api/v1/nowhere', headers: { 'x-request-id': 'till-42.retry_2' } });
    expect(echoedOnError.headers['x-request-id']).toBe('till-42.retry_2');
    expect(echoedOnError.json().detail).not.toContain('till-42');

    for (const invalid of ['short', 'has space in it', 'x'.repeat(65), 'semi;colon-id']) {
      const replaced = await inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': invalid } });
      expect(replaced.headers['x-request-id']).not.toBe(invalid);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('sends security headers on pages, API answers and errors', async () => {
    for (const url of ['/healthz', '/api/v1/time', '/api/v1/nowhere']) {
      const response = await inject({ method: 'GET', url });
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBeDefined();
    }
  });

  it('answers /healthz with the database kind', async () => {
    const response = await inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: kind });
  });

  it('publishes an OpenAPI 3.1 document with every /api/v1 route, its schemas and its access', async () => {
    const response = await inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\.1\./);

    const apiRoutes = server.platform.routeAccess.filter(
      (route) => route.url.startsWith('/api/v1/') && !route.url.startsWith('/api/v1/docs') && route.url !== '/api/v1/openapi.json',
    );
    expect(apiRoutes.length).toBeGreaterThan(5);
    for (const route of apiRoutes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation = document.paths?.[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url} is missing from the OpenAPI document`).toBeDefined();
      expect(operation['x-access'], `${route.method} ${route.url} has no x-access`).toEqual(
        route.access === 'public' ? 'public' : [...route.access.roles],
      );
      const successes = Object.keys(operation.responses ?? {}).filter((status) => /^2/.test(status));
      expect(successes.length, `${route.method} ${route.url} declares no success response`).toBeGreaterThan(0);
      if (route.access !== 'public') expect(operation.security, `${route.method} ${route.url}`).toBeDefined();
      for (const name of route.url.match(/:([A-Za-z0-9_]+)/g) ?? []) {
        const parameter = operation.parameters?.find((p: { in: string; name: string }) => p.in === 'path' && p.name === name.slice(1));
        expect(parameter, `${route.method} ${route.url} documents no path parameter ${name}`).toBeDefined();
      }
    }

    const create = document.paths['/api/v1/test/widgets'].post;
    const bodySchema = create.requestBody.content['application/json'].schema;
    expect(Object.keys(bodySchema.properties)).toEqual(['name', 'count', 'location']);
    expect(bodySchema.additionalProperties).toBe(false);
    expect(create.responses['201'].content['application/json'].schema.properties).toHaveProperty('owner');
    const list = document.paths['/api/v1/test/widgets'].get;
    expect(list.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'limit', schema: expect.objectContaining({ type: 'integer' }) })]),
    );
    expect(document.paths['/api/v1/test/mine'].get['x-access']).toEqual(['citizen']);
    expect(document.paths['/api/v1/admin/calendar/{year}'].put['x-access']).toEqual(['admin_platform']);
  });

  it('exposes Prometheus metrics including haihe_http_requests_total', async () => {
    await inject({ method: 'GET', url: '/api/v1/time' });
    const response = await inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/^haihe_http_requests_total\{method="GET",route="\/api\/v1\/time",status="200"\} \d+$/m);
    expect(response.body).toContain('haihe_http_request_duration_seconds_bucket');
    expect(response.body).toContain('haihe_database_pool_connections');
  });
});

describe('route registration', () => {
  it('refuses an /api/v1 route that declares no access', async () => {
    const careless: Module = {
      name: 'careless',
      routes(app) {
        app.get('/careless', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }));
      },
    };
    await expect(startTestServer({ modules: [careless] })).rejects.toThrow(/GET \/api\/v1\/careless declares no access/);
  });

  it('refuses an /api/v1 route without a schema', async () => {
    const careless: Module = {
      name: 'careless',
      routes(app) {
        app.get('/careless', { config: { access: 'public' } }, async () => ({ ok: true }));
      },
    };
    await expect(startTestServer({ modules: [careless] })).rejects.toThrow(/has no schema/);
  });
});
