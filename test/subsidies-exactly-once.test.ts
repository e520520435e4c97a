import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlatform, type Platform } from '../src/app.ts';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { SettableClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { databaseKinds, freshDatabase, type TestDatabase } from './support/databases.ts';

const TIANJIN = { location: { lat: 39.1237, lng: 117.202 } };
interface Resident { subject: string; token: string; name: string; idNumber: string }

/**
 * Exactly once (issue: subsidy redemption): the same QR at many tills at once, a replayed QR, and a
 * qualification redeemed online and offline at once each end in one redemption. On PostgreSQL the
 * requests are spread over two platform instances sharing the database.
 */
describe.each(databaseKinds())('exactly-once redemption on %s', (kind) => {
  let database: TestDatabase;
  const platforms: Platform[] = [];
  let residents: Resident[];
  let tills: string[];
  let platformToken: string;
  let invoice = 0;

  const inject = (index: number, options: InjectOptions) => platforms[index % platforms.length]!.app.inject(options);
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    database = await freshDatabase(kind, 16);
    const clock = new SettableClock('2026-03-10T10:00:00+08:00');
    const config = loadConfig({ DATA_DIR: `/tmp/haihe-exactly-once-${process.pid}`, HAIHE_DEMO: '1', HAIHE_JOBS: '0', LOG_LEVEL: 'silent' });
    platforms.push(await buildPlatform({ config, clock, database: database.database, logger: createLogger('silent'), serveWeb: false, startJobs: false }));
    if (kind === 'postgres') {
      const second = await openDatabase({ databaseUrl: database.url, dataDir: '', poolSize: 8 });
      platforms.push(await buildPlatform({ config: loadConfig({ DATA_DIR: `/tmp/haihe-exactly-once-${process.pid}`, HAIHE_DEMO: '0', HAIHE_JOBS: '0', LOG_LEVEL: 'silent' }), clock, database: second, logger: createLogger('silent'), serveWeb: false, startJobs: false }));
    }
    await platforms[0]!.services.get<SubsidyService>('subsidies').planReleases('2026-03');
    const identity = platforms[0]!.services.get<IdentityService>('identity');
    residents = (await demoTokens(platforms[0]!.context, identity, 'citizen', 10, 3600)) as Resident[];
    tills = (await demoTokens(platforms[0]!.context, identity, 'merchant', 6, 3600)).map((entry) => entry.token);
    platformToken = (await demoTokens(platforms[0]!.context, identity, 'platform', 2, 3600)).find((entry) => entry.subject === 'platform-haihe-mall')!.token;
  });
  afterAll(async () => {
    for (const platform of [...platforms].reverse()) {
      const db = platform.context.database;
      await platform.close();
      if (db !== database.database) await db.close();
    }
    await database?.drop();
  });

  async function qualification(person: Resident, release: string, category: string, platform?: string): Promise<string> {
    const claim = await inject(0, { method: 'POST', url: `/api/v1/subsidies/releases/${release}/claims`, headers: as(person.token), payload: TIANJIN });
    const exchange = await inject(0, { method: 'POST', url: `/api/v1/me/coupons/${claim.json().coupon.id}/exchange`, headers: as(person.token), payload: platform ? { category, platform } : { category } });
    expect(exchange.statusCode, exchange.body).toBe(201);
    return exchange.json().qualification.id;
  }
  const saleFor = (person: Resident, category: string, price: string) => {
    invoice += 1;
    return { category, price, orderId: `ORD-X-${invoice}`, invoice: { number: `26120000000009${String(invoice).padStart(6, '0')}`, title: person.name, amount: price }, serial: `SN-X-${invoice}` };
  };
  const redemptionsOf = async (qualificationId: string) =>
    database.database.query<{ id: string }>(`SELECT id FROM subsidy_redemptions WHERE qualification_id = $1 AND status <> 'returned'`, [qualificationId]);

  it('the same QR at six tills at once: one redemption, the others QUALIFICATION_ALREADY_USED', async () => {
    const person = residents[0]!;
    const id = await qualification(person, 'appliances-2026-offline-2026-03', 'refrigerator');
    const qr = (await inject(0, { method: 'POST', url: `/api/v1/me/qualifications/${id}/qr`, headers: as(person.token) })).json().token;
    const responses = await Promise.all(tills.map((till, index) => inject(index, {
      method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: qr, ...saleFor(person, 'refrigerator', '5000.00') },
    })));
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.statusCode !== 201).every((response) => response.json().code === 'QUALIFICATION_ALREADY_USED')).toBe(true);
    expect(await redemptionsOf(id)).toHaveLength(1);
  });

  it('a replayed QR (the same till, again and again, concurrently): one redemption', async () => {
    const person = residents[1]!;
    const id = await qualification(person, 'appliances-2026-offline-2026-03', 'television');
    const qr = (await inject(0, { method: 'POST', url: `/api/v1/me/qualifications/${id}/qr`, headers: as(person.token) })).json().token;
    const body = { qrToken: qr, ...saleFor(person, 'television', '3000.00') };
    const responses = await Promise.all(Array.from({ length: 8 }, (_, index) => inject(index, { method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(tills[0]!), payload: body })));
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(1);
    expect(await redemptionsOf(id)).toHaveLength(1);
    // With an Idempotency-Key, a retry returns the first answer instead of an error.
    const person2 = residents[2]!;
    const id2 = await qualification(person2, 'appliances-2026-offline-2026-03', 'television');
    const qr2 = (await inject(0, { method: 'POST', url: `/api/v1/me/qualifications/${id2}/qr`, headers: as(person2.token) })).json().token;
    const body2 = { qrToken: qr2, ...saleFor(person2, 'television', '3000.00') };
    const keyed = await Promise.all(Array.from({ length: 5 }, (_, index) => inject(index, { method: 'POST', url: '/api/v1/merchant/redemptions', headers: { ...as(tills[0]!), 'idempotency-key': 'till-0-sale-1' }, payload: body2 })));
    expect(keyed.every((response) => response.statusCode === 201)).toBe(true);
    expect(new Set(keyed.map((response) => response.json().id)).size).toBe(1);
    expect(await redemptionsOf(id2)).toHaveLength(1);
  });

  it('online and offline at once: a platform and tills race for one qualification; one wins', async () => {
    const person = residents[3]!;
    const id = await qualification(person, 'digital-2026-online-2026-03', 'mobile_phone', 'platform-haihe-mall');
    const online = { qualificationId: id, holderIdNumber: person.idNumber, ...saleFor(person, 'mobile_phone', '2000.00') };
    const requests = [
      ...Array.from({ length: 4 }, (_, index) => inject(index, { method: 'POST', url: '/api/v1/platform/redemptions', headers: as(platformToken), payload: { ...online, orderId: `${online.orderId}-${index}`, invoice: { ...online.invoice, number: `${online.invoice.number.slice(0, -1)}${index}` } } })),
      // A till cannot use an online qualification at all (no QR exists for it); the platform's copies race.
      inject(1, { method: 'POST', url: `/api/v1/me/qualifications/${id}/qr`, headers: as(person.token) }),
    ];
    const responses = await Promise.all(requests);
    expect(responses.slice(0, 4).filter((response) => response.statusCode === 201)).toHaveLength(1);
    // Refused either for its channel or because the platform already used it.
    expect(['CHANNEL_MISMATCH', 'QUALIFICATION_NOT_ACTIVE']).toContain(responses[4]!.json().code);
    expect(await redemptionsOf(id)).toHaveLength(1);

    // An offline qualification raced by tills and by a platform: the platform is refused, one till wins.
    const person2 = residents[4]!;
    const offline = await qualification(person2, 'digital-2026-offline-2026-03', 'tablet');
    const qr = (await inject(0, { method: 'POST', url: `/api/v1/me/qualifications/${offline}/qr`, headers: as(person2.token) })).json().token;
    const race = await Promise.all([
      ...tills.slice(0, 3).map((till, index) => inject(index, { method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: qr, ...saleFor(person2, 'tablet', '1500.00') } })),
      inject(1, { method: 'POST', url: '/api/v1/platform/redemptions', headers: as(platformToken), payload: { qualificationId: offline, holderIdNumber: person2.idNumber, ...saleFor(person2, 'tablet', '1500.00') } }),
    ]);
    expect(race.filter((response) => response.statusCode === 201)).toHaveLength(1);
    expect(['CHANNEL_MISMATCH', 'QUALIFICATION_ALREADY_USED']).toContain(race[3]!.json().code);
    expect(await redemptionsOf(offline)).toHaveLength(1);
  });

  it('TI-07 under concurrency: two coupons exchanged for one category at once — one qualification', async () => {
    const person = residents[5]!;
    const coupons: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const claim = await inject(0, { method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-offline-2026-03/claims', headers: as(person.token), payload: TIANJIN });
      coupons.push(claim.json().coupon.id);
    }
    const responses = await Promise.all(coupons.map((coupon, index) => inject(index, { method: 'POST', url: `/api/v1/me/coupons/${coupon}/exchange`, headers: as(person.token), payload: { category: 'computer' } })));
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 409]);
    const rows = await database.database.query(`SELECT id FROM subsidy_qualifications WHERE person_id = $1 AND category = 'computer' AND status IN ('active', 'used')`, [person.subject]);
    expect(rows).toHaveLength(1);
  });
});
