import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textArray } from '../src/platform/db/arrays.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * subsidy_claim_batch on its own (docs/adr/0005-batched-claims.md): the database function that
 * alone decides claims. These cases reach paths the HTTP tests meet only by chance: the batch that
 * sells a release out takes back what it wrote for the requests beyond the stock, and several
 * requests of one person in one batch each need their own free place in the quota.
 */
describe.each(databaseKinds())('subsidy_claim_batch on %s', (database) => {
  let server: TestServer;
  let subsidies: SubsidyService;
  const OFFLINE = 'appliances-2026-offline-2026-03';
  const ONLINE = 'appliances-2026-online-2026-03';
  const NOW = new Date('2026-03-01T11:00:05+08:00');
  let sequence = 0;

  const batch = async (requests: { person: string; release: string; key?: string }[]) => {
    const ids = requests.map(() => `c-batch-${(sequence += 1)}`);
    const rows = await server.platform.context.database.query<{ idx: number; outcome: string; coupon_id: string | null; remaining: number | null }>(
      'SELECT idx, outcome, coupon_id, remaining FROM subsidy_claim_batch($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz) ORDER BY idx',
      [
        textArray(requests.map((r) => r.person)),
        textArray(requests.map((r) => r.release)),
        textArray(requests.map((r) => r.key ?? null)),
        textArray(requests.map(() => '120101')),
        textArray(ids),
        textArray(requests.map(() => 'req')),
        NOW,
      ],
    );
    return { rows, ids };
  };
  const quota = async (person: string) =>
    (await server.platform.context.database.query<{ month_used: number; year_used: number }>(
      `SELECT month_used, year_used FROM subsidy_quota WHERE person_id = $1 AND programme_id = 'appliances-2026'`,
      [person],
    ))[0];
  const coupons = async (person: string) =>
    (await server.platform.context.database.query<{ n: number }>('SELECT count(*)::int AS n FROM subsidy_coupons WHERE person_id = $1', [person]))[0]!.n;

  beforeAll(async () => {
    server = await startTestServer({ database, demo: false, now: '2026-03-01T11:00:05+08:00' });
    subsidies = server.platform.services.get<SubsidyService>('subsidies');
    await subsidies.planReleases('2026-03');
    await server.platform.context.database.query('UPDATE subsidy_releases SET stock = 3 WHERE id = $1', [OFFLINE]);
  });
  afterAll(async () => server?.close());

  it('TI-17: the batch that sells out grants the stock first come first served and takes back the rest', async () => {
    const people = ['p-a', 'p-b', 'p-c', 'p-d', 'p-e'];
    const { rows, ids } = await batch(people.map((person) => ({ person, release: OFFLINE })));
    expect(rows.map((row) => row.outcome)).toEqual(['claimed', 'claimed', 'claimed', 'sold_out', 'sold_out']);
    expect(rows.map((row) => row.coupon_id)).toEqual([ids[0], ids[1], ids[2], null, null]);
    expect(rows.every((row) => row.remaining === 0)).toBe(true);
    // Nothing of the requests beyond the stock remains: no coupon, no place in the quota (TI-21 counts claims that got a coupon).
    for (const person of ['p-d', 'p-e']) {
      expect(await coupons(person)).toBe(0);
      const row = await quota(person);
      expect(row === undefined || (row.month_used === 0 && row.year_used === 0)).toBe(true);
    }
    expect(await quota('p-a')).toEqual({ month_used: 1, year_used: 1 });
    const [release] = await server.platform.context.database.query<{ issued: number }>('SELECT issued FROM subsidy_releases WHERE id = $1', [OFFLINE]);
    expect(release!.issued).toBe(3);
    expect(await subsidies.checkInvariants()).toEqual([]);
  });

  it('TI-19: the k-th request of one person in a batch needs k free places of the monthly quota (3)', async () => {
    const requests = Array.from({ length: 5 }, () => ({ person: 'p-many', release: ONLINE }));
    const { rows } = await batch(requests);
    expect(rows.map((row) => row.outcome)).toEqual(['claimed', 'claimed', 'claimed', 'quota_month', 'quota_month']);
    expect(await quota('p-many')).toEqual({ month_used: 3, year_used: 3 });
    expect(await coupons('p-many')).toBe(3);
  });

  it('replays a key with its first coupon, refuses it on another release, and decides the rest of the batch as usual', async () => {
    const first = await batch([{ person: 'p-key', release: ONLINE, key: 'k-1' }]);
    expect(first.rows[0]!.outcome).toBe('claimed');
    const again = await batch([
      { person: 'p-key', release: ONLINE, key: 'k-1' },
      { person: 'p-key2', release: OFFLINE, key: 'k-1' },
      { person: 'p-key', release: OFFLINE, key: 'k-1' },
    ]);
    expect(again.rows.map((row) => row.outcome)).toEqual(['replayed', 'sold_out', 'key_reused']);
    expect(again.rows[0]!.coupon_id).toBe(first.ids[0]);
    expect(await coupons('p-key')).toBe(1);
    expect(await subsidies.checkInvariants()).toEqual([]);
  });

  it('answers unknown releases without touching anything else in the batch', async () => {
    const { rows } = await batch([
      { person: 'p-x', release: 'no-such-release' },
      { person: 'p-y', release: ONLINE },
    ]);
    expect(rows.map((row) => row.outcome)).toEqual(['unknown_release', 'claimed']);
    expect(await coupons('p-x')).toBe(0);
  });
});
