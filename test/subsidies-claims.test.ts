import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityService } from '../src/modules/identity/index.ts';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { verifyAudit } from '../src/platform/audit.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const TIANJIN = { location: { lat: 39.1237, lng: 117.202 } };
const BEIJING = { location: { lat: 39.9087, lng: 116.3975 } };

describe.each(databaseKinds())('coupon claims (systems.md S2) on %s', (database) => {
  let server: TestServer;
  let subsidies: SubsidyService;
  let residents: { subject: string; token: string }[];
  let admin: string;
  let next = 0;
  const resident = () => residents[next++]!;

  const inject = (options: InjectOptions) => server.platform.app.inject(options);
  const claim = (token: string, release: string, body: object = TIANJIN, headers: Record<string, string> = {}) =>
    inject({ method: 'POST', url: `/api/v1/subsidies/releases/${release}/claims`, headers: { authorization: `Bearer ${token}`, ...headers }, payload: body });
  const at = async (instant: string) => {
    server.clock.set(instant);
  };

  beforeAll(async () => {
    server = await startTestServer({ database, demo: true, now: '2026-03-01T10:59:00+08:00' });
    subsidies = server.platform.services.get<SubsidyService>('subsidies');
    for (const month of ['2026-03', '2026-04', '2026-05', '2026-06', '2026-07']) await subsidies.planReleases(month);
    // Tokens that outlive the months this suite travels through.
    const identity = server.platform.services.get<IdentityService>('identity');
    const year = 365 * 24 * 3600;
    residents = await demoTokens(server.platform.context, identity, 'citizen', 60, year);
    admin = (await demoTokens(server.platform.context, identity, 'admin', 1, year))[0]!.token;
  });
  afterAll(async () => server?.close());

  it('TI-17: before 11:00 on the 1st the answer is NOT_OPEN with the opening and the server time', async () => {
    await at('2026-03-01T10:59:30+08:00');
    const response = await claim(resident().token, 'appliances-2026-offline-2026-03');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'NOT_OPEN', opensAt: '2026-03-01T11:00:00+08:00', serverTime: '2026-03-01T10:59:30+08:00' });
    await at('2026-03-01T11:00:00+08:00');
    const open = await claim(resident().token, 'appliances-2026-offline-2026-03');
    expect(open.statusCode).toBe(201);
    expect(open.json().coupon).toMatchObject({ programme: 'appliances-2026', channel: 'offline', month: '2026-03', expiresAt: '2026-04-01T00:00:00+08:00' });
  });

  it('every coupon issued is named in its batch’s audit entry, and the chain verifies', async () => {
    await at('2026-03-01T11:05:00+08:00');
    const response = await claim(resident().token, 'appliances-2026-offline-2026-03');
    expect(response.statusCode).toBe(201);
    const couponId = response.json().coupon.id as string;
    // The batch appends one entry naming every coupon it issued (subsidy_claim_batch, step 5).
    const page = (await inject({ method: 'GET', url: '/api/v1/admin/audit?entityType=subsidy_release&entityId=appliances-2026-offline-2026-03&limit=200', headers: { authorization: `Bearer ${admin}` } })).json();
    const entries = page.entries.filter((entry: { action: string; summary: { coupons: string[][] } }) =>
      entry.action === 'subsidies.coupons.claim' && entry.summary.coupons.some((coupon) => coupon[0] === couponId));
    expect(entries).toHaveLength(1);
    await expect(verifyAudit(server.platform.context.database)).resolves.toMatchObject({ ok: true, problems: [] });
  });

  it('TI-05: a claim from outside Tianjin is refused with OUTSIDE_CITY and issues nothing', async () => {
    await at('2026-03-02T09:00:00+08:00');
    const person = resident();
    const response = await claim(person.token, 'appliances-2026-offline-2026-03', BEIJING);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('OUTSIDE_CITY');
    const coupons = await inject({ method: 'GET', url: '/api/v1/me/coupons', headers: { authorization: `Bearer ${person.token}` } });
    expect(coupons.json()).toEqual([]);
  });

  it('TI-19: at most 3 appliance coupons a month, counted across both channels', async () => {
    const person = resident();
    expect((await claim(person.token, 'appliances-2026-offline-2026-03')).statusCode).toBe(201);
    expect((await claim(person.token, 'appliances-2026-online-2026-03')).statusCode).toBe(201);
    expect((await claim(person.token, 'appliances-2026-offline-2026-03')).statusCode).toBe(201);
    const fourth = await claim(person.token, 'appliances-2026-online-2026-03');
    expect(fourth.statusCode).toBe(409);
    expect(fourth.json().code).toBe('QUOTA_MONTH_REACHED');
    // A different programme has its own quota.
    expect((await claim(person.token, 'digital-2026-offline-2026-03')).statusCode).toBe(201);
  });

  it('TI-20: at most 2 digital coupons a month', async () => {
    const person = resident();
    expect((await claim(person.token, 'digital-2026-offline-2026-03')).statusCode).toBe(201);
    expect((await claim(person.token, 'digital-2026-online-2026-03')).statusCode).toBe(201);
    const third = await claim(person.token, 'digital-2026-offline-2026-03');
    expect(third.json().code).toBe('QUOTA_MONTH_REACHED');
  });

  it('TI-19/TI-20/TI-21: at most 12 appliance coupons a year, expired and unused ones included', async () => {
    const person = resident();
    for (const month of ['2026-03', '2026-04', '2026-05', '2026-06']) {
      await at(`${month}-01T11:00:01+08:00`);
      for (let index = 0; index < 3; index += 1) {
        const response = await claim(person.token, `appliances-2026-offline-${month}`);
        expect(response.statusCode, `${month} #${index + 1}`).toBe(201);
      }
    }
    await at('2026-07-01T11:00:01+08:00');
    await subsidies.expireCoupons();
    const thirteenth = await claim(person.token, 'appliances-2026-offline-2026-07');
    expect(thirteenth.statusCode).toBe(409);
    expect(thirteenth.json().code).toBe('QUOTA_YEAR_REACHED');
    const coupons = (await inject({ method: 'GET', url: '/api/v1/me/coupons', headers: { authorization: `Bearer ${person.token}` } })).json();
    expect(coupons).toHaveLength(12);
    expect(coupons.filter((coupon: { status: string }) => coupon.status === 'expired')).toHaveLength(12);
    const quota = (await inject({ method: 'GET', url: '/api/v1/me/subsidy-quota?month=2026-07', headers: { authorization: `Bearer ${person.token}` } })).json();
    expect(quota.find((q: { programme: string }) => q.programme === 'appliances-2026')).toMatchObject({ monthUsed: 0, yearUsed: 12, yearQuota: 12 });
  });

  it('TI-18/TI-24: coupons expire at the end of their month (job) and show as expired', async () => {
    await at('2026-05-31T23:59:00+08:00');
    const person = resident();
    expect((await claim(person.token, 'digital-2026-offline-2026-05')).statusCode).toBe(201);
    await at('2026-06-01T00:00:00+08:00');
    expect(await subsidies.expireCoupons()).toBeGreaterThanOrEqual(1);
    const [coupon] = (await inject({ method: 'GET', url: '/api/v1/me/coupons', headers: { authorization: `Bearer ${person.token}` } })).json();
    expect(coupon).toMatchObject({ month: '2026-05', status: 'expired', expiresAt: '2026-06-01T00:00:00+08:00' });
    const late = await claim(person.token, 'digital-2026-offline-2026-05');
    expect(late.json().code).toBe('RELEASE_CLOSED');
  });

  it('TI-17: first come, first served until sold out; SOLD_OUT is then answered without the database', async () => {
    await at('2026-07-02T10:00:00+08:00');
    const release = 'digital-2026-online-2026-07';
    await inject({ method: 'PATCH', url: `/api/v1/admin/subsidies/releases/${release}`, headers: { authorization: `Bearer ${admin}` }, payload: { stock: 3 } });
    const results = [];
    for (let index = 0; index < 5; index += 1) results.push((await claim(resident().token, release)).statusCode);
    expect(results).toEqual([201, 201, 201, 409, 409]);
    const database = server.platform.context.database;
    const original = { query: database.query, transaction: database.transaction, execute: database.execute };
    let calls = 0;
    database.query = (async (...args: Parameters<typeof original.query>) => { calls += 1; return original.query.apply(database, args); }) as typeof database.query;
    database.transaction = (async (...args: Parameters<typeof original.transaction>) => { calls += 1; return original.transaction.apply(database, args); }) as typeof database.transaction;
    try {
      const soldOut = await claim(resident().token, release);
      expect(soldOut.json().code).toBe('SOLD_OUT');
      expect(calls).toBe(0);
    } finally {
      Object.assign(database, original);
    }
    const listed = (await inject({ method: 'GET', url: '/api/v1/subsidies/releases?month=2026-07' })).json();
    expect(listed.find((r: { id: string }) => r.id === release)).toMatchObject({ stock: 3, issued: 3, remaining: 0 });
  });

  it('claims are idempotent: the same key returns the same coupon and counts once; another release gets 422', async () => {
    await at('2026-07-03T10:00:00+08:00');
    const person = resident();
    const first = await claim(person.token, 'appliances-2026-offline-2026-07', TIANJIN, { 'idempotency-key': 'claim-1' });
    const again = await claim(person.token, 'appliances-2026-offline-2026-07', TIANJIN, { 'idempotency-key': 'claim-1' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().coupon.id).toBe(first.json().coupon.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await claim(person.token, 'appliances-2026-online-2026-07', TIANJIN, { 'idempotency-key': 'claim-1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    const quota = (await inject({ method: 'GET', url: '/api/v1/me/subsidy-quota?month=2026-07', headers: { authorization: `Bearer ${person.token}` } })).json();
    expect(quota.find((q: { programme: string }) => q.programme === 'appliances-2026').monthUsed).toBe(1);
  });

  it('bad input is refused with INVALID_REQUEST naming the field, and changes nothing', async () => {
    const person = resident();
    const noLocation = await claim(person.token, 'appliances-2026-offline-2026-07', {});
    expect(noLocation.statusCode).toBe(400);
    expect(noLocation.json().errors[0].field).toBe('location');
    const badLat = await claim(person.token, 'appliances-2026-offline-2026-07', { location: { lat: 'north', lng: 117.2 } });
    expect(badLat.json().errors[0].field).toBe('location.lat');
    const extra = await claim(person.token, 'appliances-2026-offline-2026-07', { ...TIANJIN, coupons: 5 });
    expect(extra.json().errors[0].field).toBe('coupons');
    const coupons = (await inject({ method: 'GET', url: '/api/v1/me/coupons', headers: { authorization: `Bearer ${person.token}` } })).json();
    expect(coupons).toEqual([]);
  });

  it('only residents claim; administrators create releases, one per programme, channel and month', async () => {
    const forbidden = await claim(admin, 'appliances-2026-offline-2026-07');
    expect(forbidden.statusCode).toBe(403);
    const asResident = await inject({ method: 'POST', url: '/api/v1/admin/subsidies/releases', headers: { authorization: `Bearer ${resident().token}` }, payload: {} });
    expect(asResident.statusCode).toBe(403);
    const create = (payload: object) => inject({ method: 'POST', url: '/api/v1/admin/subsidies/releases', headers: { authorization: `Bearer ${admin}` }, payload });
    const created = await create({ programme: 'digital-2026', channel: 'offline', month: '2026-09', opensAt: '2026-09-01T11:00:00+08:00', stock: 1000 });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'digital-2026-offline-2026-09', stock: 1000, remaining: 1000, opensAt: '2026-09-01T11:00:00+08:00', closesAt: '2026-10-01T00:00:00+08:00' });
    expect((await create({ programme: 'digital-2026', channel: 'offline', month: '2026-09', opensAt: '2026-09-01T11:00:00+08:00', stock: 5 })).json().code).toBe('RELEASE_EXISTS');
    expect((await create({ programme: 'digital-2026', channel: 'offline', month: '2027-01', opensAt: '2027-01-01T11:00:00+08:00', stock: 5 })).json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'month' }] });
    expect((await create({ programme: 'digital-2026', channel: 'online', month: '2026-10', opensAt: '2026-09-30T11:00:00+08:00', stock: 5 })).json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'opensAt' }] });
    expect((await create({ programme: 'digital-2026', channel: 'online', month: '2026-10', opensAt: '2026-10-01T11:00:00+08:00', stock: -1 })).json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'stock' }] });
    const audit = await server.platform.context.database.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE entity_id = 'digital-2026-offline-2026-09'`,
    );
    expect(audit.map((row) => row.action)).toEqual(['subsidies.release.create']);
  });

  it('the programmes route publishes rate, caps, price limit, quotas and schedule', async () => {
    const programmes = (await inject({ method: 'GET', url: '/api/v1/subsidies/programmes' })).json();
    expect(programmes.map((p: { id: string }) => p.id)).toEqual(['appliances-2026', 'digital-2026']);
    expect(programmes[1]).toMatchObject({ rate: '0.15', capPerItem: '500.00', priceLimit: '6000.00', quota: { month: 2, year: 8 }, releaseSchedule: { dayOfMonth: 1, time: '11:00' } });
    const platforms = (await inject({ method: 'GET', url: '/api/v1/subsidies/platforms' })).json();
    expect(platforms.map((p: { id: string }) => p.id)).toContain('platform-haihe-mall');
  });

  it('every invariant holds after all of the above', async () => {
    expect(await subsidies.checkInvariants()).toEqual([]);
  });
});
