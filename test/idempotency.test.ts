import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPlatform, type Platform } from '../src/app.ts';
import { SettableClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { modules as allModules } from '../src/modules/index.ts';
import { databaseKinds, freshDatabase, type TestDatabase } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { widgetsModule } from './fixtures/widgets/index.ts';

type Injector = Platform['app'];

function post(app: Injector, url: string, body: object, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
}

// Both kinds of idempotent route: one stores its answer inside its own transaction
// (completeIdempotency), the other relies on the platform storing what was sent.
const routes = [
  { route: '/api/v1/test/widgets', storesInTransaction: true },
  { route: '/api/v1/test/widgets-plain', storesInTransaction: false },
];

describe.each(databaseKinds())('Idempotency-Key on %s', (kind) => {
  let server: TestServer;
  let app: Injector;
  const widgetCount = async (name?: string) => {
    const [row] = await server.platform.context.database.query<{ count: number }>(
      'SELECT count(*) AS count FROM widgets WHERE $1::text IS NULL OR name = $1',
      [name ?? null],
    );
    return row!.count;
  };

  beforeAll(async () => {
    server = await startTestServer({ database: kind, modules: [widgetsModule] });
    app = server.platform.app;
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    await server.platform.context.database.execute('DELETE FROM widgets');
    await server.platform.context.database.execute('DELETE FROM idempotency_keys');
  });

  it('runs every request without a key (the baseline)', async () => {
    await post(app, '/api/v1/test/widgets', { name: 'no-key', count: 1 });
    await post(app, '/api/v1/test/widgets', { name: 'no-key', count: 1 });
    expect(await widgetCount('no-key')).toBe(2);
  });

  it.each(routes)('$route: 20 concurrent identical requests with one key store one row and get one answer', async ({ route }) => {
    const body = { name: 'concurrent', count: 7, location: { lat: 39.08, lng: 117.2 } };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(app, route, body, { 'idempotency-key': 'till-7/receipt-0001' })),
    );
    expect(await widgetCount('concurrent')).toBe(1);
    const first = responses[0]!;
    expect(first.statusCode).toBe(201);
    for (const response of responses) {
      expect(response.statusCode).toBe(201);
      expect(response.body).toBe(first.body);
      expect(response.headers['content-type']).toBe(first.headers['content-type']);
    }
    const replayed = responses.filter((response) => response.headers['idempotent-replayed'] === 'true');
    expect(replayed).toHaveLength(19);
  });

  it.each(routes)('$route: a later replay is the first answer byte for byte, marked idempotent-replayed', async ({ route }) => {
    const body = { name: 'replay', count: 2 };
    const first = await post(app, route, body, { 'idempotency-key': 'replay-key' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const stored = await server.platform.context.database.query<{ response_body: string }>(
      'SELECT response_body FROM idempotency_keys WHERE key = $1',
      ['replay-key'],
    );
    expect(stored[0]!.response_body).toBe(first.body);

    const again = await post(app, route, body, { 'idempotency-key': 'replay-key' });
    expect(again.statusCode).toBe(first.statusCode);
    expect(Buffer.compare(again.rawPayload, first.rawPayload)).toBe(0);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await widgetCount('replay')).toBe(1);
  });

  it('answers the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED and stores nothing', async () => {
    const first = await post(app, '/api/v1/test/widgets', { name: 'reused', count: 1 }, { 'idempotency-key': 'reused-key' });
    expect(first.statusCode).toBe(201);
    const different = await post(app, '/api/v1/test/widgets', { name: 'reused', count: 2 }, { 'idempotency-key': 'reused-key' });
    expect(different.statusCode).toBe(422);
    expect(different.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(different.json()).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    // The same key on another route is another request too.
    const otherRoute = await post(app, '/api/v1/test/widgets-plain', { name: 'reused', count: 1 }, { 'idempotency-key': 'reused-key' });
    expect(otherRoute.statusCode).toBe(422);
    expect(await widgetCount('reused')).toBe(1);
    // The first request can still be replayed.
    const replay = await post(app, '/api/v1/test/widgets', { name: 'reused', count: 1 }, { 'idempotency-key': 'reused-key' });
    expect(replay.body).toBe(first.body);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const first = await post(app, '/api/v1/test/widgets', { name: 'order', count: 1 }, { 'idempotency-key': 'order-key' });
    const reordered = await app.inject({
      method: 'POST',
      url: '/api/v1/test/widgets',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-key' },
      payload: '{"count":1,"name":"order"}',
    });
    expect(reordered.statusCode).toBe(201);
    expect(reordered.body).toBe(first.body);
    expect(await widgetCount('order')).toBe(1);
  });

  it.each([
    ['129 characters', 'k'.repeat(129)],
    ['a space', 'two words'],
    ['an empty value', ''],
    ['a control character', 'tab\there'],
  ])('refuses a key with %s with 400 INVALID_REQUEST and stores nothing', async (_label, key) => {
    const response = await post(app, '/api/v1/test/widgets', { name: 'bad-key', count: 1 }, { 'idempotency-key': key });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'header.idempotency-key' }] });
    expect(await widgetCount('bad-key')).toBe(0);
  });

  it('accepts a key of exactly 128 visible ASCII characters', async () => {
    const key = '!~'.repeat(64);
    const first = await post(app, '/api/v1/test/widgets', { name: 'long-key', count: 1 }, { 'idempotency-key': key });
    const second = await post(app, '/api/v1/test/widgets', { name: 'long-key', count: 1 }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await widgetCount('long-key')).toBe(1);
  });

  it('keeps keys of different principals apart', async () => {
    const body = { name: 'shared-key', count: 1 };
    const alice = await post(app, '/api/v1/test/widgets', body, { 'idempotency-key': 'k-1', authorization: 'Bearer test-alice' });
    const bob = await post(app, '/api/v1/test/widgets', body, { 'idempotency-key': 'k-1', authorization: 'Bearer test-bob' });
    expect(alice.statusCode).toBe(201);
    expect(bob.statusCode).toBe(201);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    expect(alice.json().owner).toBe('alice');
    expect(bob.json().owner).toBe('bob');
    // Bob may even use the key with another body: it is his key, not Alice's.
    const bobOther = await post(app, '/api/v1/test/widgets', { name: 'other', count: 9 }, { 'idempotency-key': 'k-2', authorization: 'Bearer test-bob' });
    const aliceOther = await post(app, '/api/v1/test/widgets', body, { 'idempotency-key': 'k-2', authorization: 'Bearer test-alice' });
    expect(bobOther.statusCode).toBe(201);
    expect(aliceOther.statusCode).toBe(201);
    // Alice's replay is Alice's answer.
    const aliceAgain = await post(app, '/api/v1/test/widgets', body, { 'idempotency-key': 'k-1', authorization: 'Bearer test-alice' });
    expect(aliceAgain.body).toBe(alice.body);
    expect(await widgetCount('shared-key')).toBe(3);
  });

  it('keeps keys of anonymous callers from different addresses apart', async () => {
    const body = { name: 'anonymous', count: 1 };
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'anon-1' };
    const one = await app.inject({ method: 'POST', url: '/api/v1/test/widgets', headers, payload: body, remoteAddress: '10.0.0.1' });
    const two = await app.inject({ method: 'POST', url: '/api/v1/test/widgets', headers, payload: body, remoteAddress: '10.0.0.2' });
    const oneAgain = await app.inject({ method: 'POST', url: '/api/v1/test/widgets', headers, payload: body, remoteAddress: '10.0.0.1' });
    expect(one.statusCode).toBe(201);
    expect(two.statusCode).toBe(201);
    expect(two.headers['idempotent-replayed']).toBeUndefined();
    expect(oneAgain.headers['idempotent-replayed']).toBe('true');
    expect(await widgetCount('anonymous')).toBe(2);
  });

  it('does not store a refused request under the key', async () => {
    const invalid = await post(app, '/api/v1/test/widgets', { name: 'later', count: 'x' }, { 'idempotency-key': 'after-400' });
    expect(invalid.statusCode).toBe(400);
    const valid = await post(app, '/api/v1/test/widgets', { name: 'later', count: 1 }, { 'idempotency-key': 'after-400' });
    expect(valid.statusCode).toBe(201);
    expect(await widgetCount('later')).toBe(1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('Idempotency-Key across two processes on PostgreSQL', () => {
  let test: TestDatabase;
  const platforms: Platform[] = [];
  const dataDirs: string[] = [];

  beforeAll(async () => {
    test = await freshDatabase('postgres');
    for (let index = 0; index < 2; index += 1) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-idem-'));
      dataDirs.push(dataDir);
      const config = loadConfig({ DATA_DIR: dataDir, HAIHE_DEMO: '0', LOG_LEVEL: 'silent', HAIHE_JOBS: '0', DATABASE_URL: test.url });
      // Each "process" has its own pool, as two processes behind a load balancer would.
      const database = index === 0 ? test.database : await openDatabase({ databaseUrl: test.url, dataDir, poolSize: 4 });
      const clock = new SettableClock();
      clock.run();
      platforms.push(
        await buildPlatform({
          config,
          clock,
          database,
          logger: createLogger('silent'),
          modules: [...allModules, widgetsModule],
          serveWeb: false,
          startJobs: false,
        }),
      );
    }
  });
  afterAll(async () => {
    await platforms[1]?.close();
    await platforms[1]?.context.database.close();
    await platforms[0]?.close();
    await test?.drop();
    for (const dataDir of dataDirs) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(routes)('$route: the same key sent to both processes at once has one effect', async ({ route }) => {
    const name = route.endsWith('plain') ? 'two-plain' : 'two-processes';
    const body = { name, count: 3 };
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        post(platforms[index % 2]!.app, route, body, { 'idempotency-key': `two-${name}`, authorization: 'Bearer test-carol' }),
      ),
    );
    const [row] = await platforms[0]!.context.database.query<{ count: number }>('SELECT count(*) AS count FROM widgets WHERE name = $1', [
      name,
    ]);
    expect(row!.count).toBe(1);
    for (const response of responses) {
      expect(response.statusCode).toBe(201);
      expect(response.body).toBe(responses[0]!.body);
    }
  });
});
