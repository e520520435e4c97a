import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlatform, type Platform } from '../src/app.ts';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { SettableClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { databaseKinds, freshDatabase, type TestDatabase } from './support/databases.ts';

const TIANJIN = { location: { lat: 39.1237, lng: 117.202 } };

/**
 * The invariants of docs/modules/subsidies.md under concurrency: issued ≤ stock, remaining =
 * stock − issued, per person and programme ≤ monthly and yearly quota, every acknowledged claim
 * stored. On PostgreSQL two platform instances (two "processes") share one database.
 */
describe.each(databaseKinds())('claim invariants under concurrency on %s', (kind) => {
  let database: TestDatabase;
  const platforms: Platform[] = [];
  let tokens: string[];

  beforeAll(async () => {
    database = await freshDatabase(kind, 16);
    const clock = new SettableClock('2026-03-01T11:00:05+08:00');
    const instances = kind === 'postgres' ? 2 : 1;
    for (let index = 0; index < instances; index += 1) {
      const config = loadConfig({ DATA_DIR: `/tmp/haihe-concurrency-${process.pid}`, HAIHE_DEMO: index === 0 ? '1' : '0', HAIHE_JOBS: '0', LOG_LEVEL: 'silent', HAIHE_CLAIMS_PER_ADDRESS_PER_SECOND: '0' });
      // A second process on PostgreSQL opens its own pool on the same database.
      const own = index === 0 ? database.database : (await freshDatabaseHandle(database)).database;
      platforms.push(await buildPlatform({ config, clock, database: own, logger: createLogger('silent'), serveWeb: false, startJobs: false }));
    }
    const subsidies = platforms[0]!.services.get<SubsidyService>('subsidies');
    await subsidies.planReleases('2026-03');
    await subsidies.setStock('appliances-2026-offline-2026-03', 150, { subject: 'test' });
    const identity = platforms[0]!.services.get<IdentityService>('identity');
    tokens = (await demoTokens(platforms[0]!.context, identity, 'citizen', 400, 3600)).map((entry) => entry.token);
  });
  afterAll(async () => {
    for (const platform of platforms.reverse()) await platform.close();
    await database?.drop();
  });

  it('400 residents × 3 concurrent claims (offline + online) on a 150-coupon release: never over stock or quota', async () => {
    const requests: Promise<{ status: number; body: { coupon?: { id: string }; code?: string } }>[] = [];
    tokens.forEach((token, index) => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const platform = platforms[(index + attempt) % platforms.length]!;
        const release = attempt === 2 ? 'appliances-2026-online-2026-03' : 'appliances-2026-offline-2026-03';
        requests.push(
          platform.app
            .inject({ method: 'POST', url: `/api/v1/subsidies/releases/${release}/claims`, headers: { authorization: `Bearer ${token}` }, payload: TIANJIN })
            .then((response) => ({ status: response.statusCode, body: response.json() })),
        );
      }
    });
    // A fourth attempt per resident on the online release pushes people past the monthly quota of 3.
    tokens.slice(0, 100).forEach((token) => {
      requests.push(
        platforms[0]!.app
          .inject({ method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-online-2026-03/claims', headers: { authorization: `Bearer ${token}` }, payload: TIANJIN })
          .then((response) => ({ status: response.statusCode, body: response.json() })),
      );
    });
    const results = await Promise.all(requests);
    const statuses = new Map<number, number>();
    for (const result of results) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    expect([...statuses.keys()].every((status) => status === 201 || status === 409), JSON.stringify(Object.fromEntries(statuses))).toBe(true);
    const acknowledged = results.filter((result) => result.status === 201).map((result) => result.body.coupon!.id);

    const db = database.database;
    const [offline] = await db.query<{ stock: number; issued: number }>(`SELECT stock, issued FROM subsidy_releases WHERE id = 'appliances-2026-offline-2026-03'`);
    expect(offline).toEqual({ stock: 150, issued: 150 });
    const stored = await db.query<{ id: string }>('SELECT id FROM subsidy_coupons WHERE id = ANY($1::text[])', [acknowledged]);
    expect(stored.length).toBe(acknowledged.length);
    const [{ total } = { total: 0 }] = await db.query<{ total: number }>('SELECT count(*)::int AS total FROM subsidy_coupons');
    expect(total).toBe(acknowledged.length);
    const subsidies = platforms[0]!.services.get<SubsidyService>('subsidies');
    expect(await subsidies.checkInvariants()).toEqual([]);
    // Sold-out answers only came after the stock was gone.
    expect(results.filter((result) => result.body.code === 'SOLD_OUT').length).toBeGreaterThan(0);
  });
});

/** A second pool on the same PostgreSQL database (a second process would open its own). */
async function freshDatabaseHandle(test: TestDatabase) {
  const { openDatabase } = await import('../src/platform/db/index.ts');
  const database = await openDatabase({ databaseUrl: test.url, dataDir: '', poolSize: 8 });
  return { database };
}
