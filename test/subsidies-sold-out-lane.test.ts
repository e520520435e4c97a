import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityService } from '../src/modules/identity/index.ts';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const TIANJIN = JSON.stringify({ location: { lat: 39.1237, lng: 117.202 } });
const RELEASE = 'appliances-2026-online-2026-03';
const ROUTE = '/api/v1/subsidies/releases/:id/claims';

/**
 * TI-17 over real HTTP: once a release is sold out, SOLD_OUT is the platform's early answer (given
 * before routing, src/platform/http/server.ts EarlyAnswer). The lane must answer exactly as the route
 * would and keep its access rule, headers and metrics; everything else must still reach the route.
 */
describe.each(databaseKinds())('SOLD_OUT early answer (TI-17) over HTTP on %s', (database) => {
  let server: TestServer;
  let residents: { subject: string; token: string }[];
  let admin: string;

  const claim = (token: string | undefined, headers: Record<string, string> = {}, release = RELEASE, query = '') =>
    fetch(`${server.url}/api/v1/subsidies/releases/${release}/claims${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: TIANJIN,
    });
  const json = async (response: Response) => (await response.json()) as Record<string, any>;
  const metric = async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
  const routeCount = () => metric(/^haihe_http_requests_total\{method="POST",route="\/api\/v1\/subsidies\/releases\/:id\/claims",status="409"\} (\S+)$/m);
  const laneCount = () => metric(/^haihe_http_early_answers_total\{method="POST",route="\/api\/v1\/subsidies\/releases\/:id\/claims",status="409"\} (\S+)$/m);

  beforeAll(async () => {
    server = await startTestServer({ database, demo: true, listen: true, now: '2026-03-01T11:00:05+08:00' });
    const subsidies = server.platform.services.get<SubsidyService>('subsidies');
    await subsidies.planReleases('2026-03');
    const identity = server.platform.services.get<IdentityService>('identity');
    residents = await demoTokens(server.platform.context, identity, 'citizen', 6, 3600);
    admin = (await demoTokens(server.platform.context, identity, 'admin', 1, 3600))[0]!.token;
    const patched = await fetch(`${server.url}/api/v1/admin/subsidies/releases/${RELEASE}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stock: 1 }),
    });
    expect(patched.status).toBe(200);
  });
  afterAll(async () => server?.close());

  it('the last coupon goes to the first claim; then a known token gets SOLD_OUT before routing, with the same headers, and the database is not asked', async () => {
    const first = await claim(residents[0]!.token, { 'idempotency-key': 'lane-first' });
    expect(first.status).toBe(201);
    const coupon = (await json(first)).coupon;

    const database = server.platform.context.database;
    const original = { query: database.query, transaction: database.transaction, execute: database.execute };
    let calls = 0;
    database.query = (async (...args: Parameters<typeof original.query>) => { calls += 1; return original.query.apply(database, args); }) as typeof database.query;
    database.transaction = (async (...args: Parameters<typeof original.transaction>) => { calls += 1; return original.transaction.apply(database, args); }) as typeof database.transaction;
    database.execute = (async (...args: Parameters<typeof original.execute>) => { calls += 1; return original.execute.apply(database, args); }) as typeof database.execute;
    const [routeBefore, laneBefore] = [await routeCount(), await laneCount()];
    let soldOut: Response;
    try {
      soldOut = await claim(residents[1]!.token, { 'x-request-id': 'lane-test-0001' });
      expect(calls).toBe(0);
    } finally {
      Object.assign(database, original);
    }
    expect(soldOut.status).toBe(409);
    expect(soldOut.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await json(soldOut)).toMatchObject({ status: 409, code: 'SOLD_OUT', remaining: 0, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(soldOut.headers.get('x-request-id')).toBe('lane-test-0001');
    // Every header a routed answer carries (security headers), with the same values.
    const routed = await fetch(`${server.url}/api/v1/time`);
    for (const [name, value] of routed.headers) {
      if (['content-type', 'content-length', 'x-request-id', 'date'].includes(name)) continue;
      expect([name, soldOut.headers.get(name)]).toEqual([name, value]);
    }
    // Answered by the lane, and counted under the route's own label like a routed answer.
    expect(await laneCount()).toBe(laneBefore + 1);
    expect(await routeCount()).toBe(routeBefore + 1);
    expect(coupon).toMatchObject({ month: '2026-03', channel: 'online' });
  });

  it('keeps the route’s access rule: no token 401, a bad token 401, an administrator 403', async () => {
    const laneBefore = await laneCount();
    const none = await claim(undefined);
    expect([none.status, (await json(none)).code]).toEqual([401, 'UNAUTHENTICATED']);
    const bad = await claim('not-a-token');
    expect([bad.status, (await json(bad)).code]).toEqual([401, 'UNAUTHENTICATED']);
    const administrator = await claim(admin);
    expect([administrator.status, (await json(administrator)).code]).toEqual([403, 'FORBIDDEN']);
    expect(await laneCount()).toBe(laneBefore);
  });

  it('a retry with its Idempotency-Key goes to the route and gets its coupon back, not SOLD_OUT', async () => {
    const laneBefore = await laneCount();
    const again = await claim(residents[0]!.token, { 'idempotency-key': 'lane-first' });
    expect(again.status).toBe(201);
    expect(await laneCount()).toBe(laneBefore);
    expect((await json(again)).coupon).toMatchObject({ month: '2026-03', channel: 'online' });
  });

  it('a release that still has stock is not answered early: the claim goes through', async () => {
    const other = await claim(residents[2]!.token, {}, 'appliances-2026-offline-2026-03');
    expect(other.status).toBe(201);
  });

  it('an encoded release id and a query string reach the same answer; an unknown release reaches the route', async () => {
    const laneBefore = await laneCount();
    const encoded = await claim(residents[3]!.token, {}, RELEASE.replace('a', '%61'), '?from=app');
    expect([encoded.status, (await json(encoded)).code]).toEqual([409, 'SOLD_OUT']);
    expect(await laneCount()).toBe(laneBefore + 1);
    const unknown = await claim(residents[3]!.token, {}, 'no-such-release');
    expect(unknown.status).toBe(404);
  });

  it(`is named in the route table the lane borrows its label from (${ROUTE})`, async () => {
    expect(server.platform.routeAccess.some((entry) => entry.method === 'POST' && entry.url === ROUTE)).toBe(true);
  });
});
