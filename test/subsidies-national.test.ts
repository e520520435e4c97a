import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchDatabase, demoTokens, startServer, type BenchDatabase, type ServerProcess } from '../bench/support.ts';
import { demoTokens as localTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const TIANJIN = { location: { lat: 39.1237, lng: 117.202 } };
const PEPPER = crypto.randomBytes(32).toString('base64');

/**
 * TI-06 across provinces: a second platform process stands in for another province. A resident
 * who holds a refrigerator qualification there cannot get one here; other categories are fine;
 * when the other province does not answer, the exchange is refused and nothing changes.
 */
describe('national qualification check (TI-06) against a second platform process', () => {
  let otherDatabase: BenchDatabase;
  let other: ServerProcess;
  let here: TestServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    otherDatabase = await benchDatabase();
    other = await startServer({ ...otherDatabase.env, HAIHE_DEMO: '1', HAIHE_DEMO_CLOCK: '2026-03-05T10:00:00+08:00', NATIONAL_REGISTRY_PEPPER: PEPPER, HAIHE_PROVINCE_CODE: '130000' });
    // In the other province, demo resident 0 (the same person: same identity number) takes a refrigerator qualification.
    const [resident] = await demoTokens(other.url, 'citizen', 1);
    const claim = await fetch(`${other.url}/api/v1/subsidies/releases/appliances-2026-offline-2026-03/claims`, {
      method: 'POST', headers: { authorization: `Bearer ${resident!.token}`, 'content-type': 'application/json' }, body: JSON.stringify(TIANJIN),
    });
    expect(claim.status).toBe(201);
    const exchange = await fetch(`${other.url}/api/v1/me/coupons/${((await claim.json()) as { coupon: { id: string } }).coupon.id}/exchange`, {
      method: 'POST', headers: { authorization: `Bearer ${resident!.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ category: 'refrigerator' }),
    });
    expect(exchange.status).toBe(201);
    // The other province registers this platform as a registry client.
    const [admin] = await demoTokens(other.url, 'admin', 1);
    const registered = await fetch(`${other.url}/api/v1/admin/clients`, {
      method: 'POST', headers: { authorization: `Bearer ${admin!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'province-tianjin', name: '天津市以旧换新平台', kind: 'registry' }),
    });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };

    here = await startTestServer({
      demo: true,
      now: '2026-03-05T10:00:00+08:00',
      env: {
        NATIONAL_REGISTRY_URL: other.url, NATIONAL_REGISTRY_CLIENT_ID: 'province-tianjin', NATIONAL_REGISTRY_CLIENT_SECRET: secret,
        NATIONAL_REGISTRY_PEPPER: PEPPER, NATIONAL_REGISTRY_TIMEOUT_MS: '3000',
      },
    });
    await here.platform.services.get<SubsidyService>('subsidies').planReleases('2026-03');
  }, 180_000);
  afterAll(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await here?.close();
    await other?.stop('SIGKILL');
    await otherDatabase?.drop();
  });

  async function couponOf(token: string): Promise<string> {
    const claim = await here.platform.app.inject({ method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-offline-2026-03/claims', headers: { authorization: `Bearer ${token}` }, payload: TIANJIN });
    expect(claim.statusCode).toBe(201);
    return claim.json().coupon.id;
  }

  it('refuses a category held in the other province, allows another, and fails closed when it does not answer', async () => {
    const identity = here.platform.services.get<IdentityService>('identity');
    const [resident, stranger] = await localTokens(here.platform.context, identity, 'citizen', 2, 3600);
    const exchange = (token: string, coupon: string, category: string) =>
      here.platform.app.inject({ method: 'POST', url: `/api/v1/me/coupons/${coupon}/exchange`, headers: { authorization: `Bearer ${token}` }, payload: { category } });

    const refused = await exchange(resident!.token, await couponOf(resident!.token), 'refrigerator');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CATEGORY_ALREADY_SUBSIDISED' });
    expect(refused.json().detail).toContain('130000');

    expect((await exchange(resident!.token, await couponOf(resident!.token), 'television')).statusCode).toBe(201);
    // Another resident holds nothing there.
    expect((await exchange(stranger!.token, await couponOf(stranger!.token), 'refrigerator')).statusCode).toBe(201);

    // The other province goes away: no answer, no exchange, the coupon stays claimed.
    await other.stop('SIGKILL');
    const coupon = await couponOf(stranger!.token);
    const unavailable = await exchange(stranger!.token, coupon, 'washing_machine');
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json().code).toBe('NATIONAL_CHECK_UNAVAILABLE');
    const [row] = await here.platform.context.database.query<{ status: string }>('SELECT status FROM subsidy_coupons WHERE id = $1', [coupon]);
    expect(row!.status).toBe('claimed');
  });

  it('the check endpoint answers registry clients only', async () => {
    const response = await here.platform.app.inject({ method: 'POST', url: '/api/v1/national/qualification-checks', payload: { subject: 'x'.repeat(43), category: 'refrigerator' } });
    expect(response.statusCode).toBe(401);
  });
});
