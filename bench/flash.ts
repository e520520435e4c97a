/**
 * npm run bench:flash — one platform process, one release of STOCK coupons claimed over HTTP by
 * PEOPLE distinct demo residents at high concurrency, measured against the same server's no-op
 * route in the same run. The database is checked afterwards for broken invariants.
 *
 * Phases: 10,000 other residents claim from the month's other programme, and a second of the no-op
 * route, both not counted (their code compiles); the no-op route; the claims; then five rounds of
 * SOLD_OUT answers to residents who got nothing, each followed by as long of the no-op route. The
 * ratios on the result line are against the mean of the no-op route before the release and in those
 * rounds, which bracket the claims and share the sold-out answers' conditions: on these shared
 * machines the speed drifts by a quarter within a run. Server CPU per request (and PostgreSQL's, on a server on
 * this machine) comes from /proc.
 *
 * Environment: DATABASE_URL (PostgreSQL server; default the embedded PGlite), BENCH_STOCK (100000),
 * BENCH_PEOPLE (150000), BENCH_CONNECTIONS (400), BENCH_SECONDS (10, no-op and sold-out phases),
 * BENCH_SERVER_NODE_ARGS (e.g. --cpu-prof), BENCH_SERVER_OUTPUT (file for the server's output).
 */
import autocannon from 'autocannon';
import { openDatabase } from '../src/platform/db/index.ts';
import { benchDatabase, demoTokens, percentile, phaseCpuMeter, readMetrics, startServer } from './support.ts';

const stock = Number(process.env.BENCH_STOCK ?? 100_000);
const people = Number(process.env.BENCH_PEOPLE ?? 150_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 400);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const MONTH = '2026-03';
const RELEASE = `appliances-2026-offline-${MONTH}`;
const WARM_UP_RELEASE = `digital-2026-offline-${MONTH}`;
const WARM_UP_PEOPLE = 10_000;
const LOCATION = JSON.stringify({ location: { lat: 39.1237, lng: 117.202 } });

/** A claim on `release` with a location in the city, each request signed in as `token()` (called once per request). */
function claimRequest(release: string, token: () => string): autocannon.Request {
  return {
    method: 'POST',
    path: `/api/v1/subsidies/releases/${release}/claims`,
    headers: { 'content-type': 'application/json' },
    body: LOCATION,
    setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: token() } }),
  };
}

async function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** CPU per request (µs) of the server process, of this process (the load generator) and of PostgreSQL over a phase. */
function cpuMeter(server: { cpuMs(): number }, database: { kind: string }) {
  const serverBefore = server.cpuMs();
  const phase = phaseCpuMeter(database.kind);
  return (requests: number, what = 'request') => {
    const { generatorUs, postgresUs } = phase(requests);
    const postgres = postgresUs === undefined ? '' : `, PostgreSQL ${postgresUs.toFixed(1)} µs/${what}`;
    return `server CPU ${(((server.cpuMs() - serverBefore) * 1000) / Math.max(1, requests)).toFixed(1)} µs/${what}, load generator ${generatorUs.toFixed(1)} µs/${what}${postgres}`;
  };
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  console.log(`flash: database=${database.kind} stock=${stock} people=${people} connections=${connections}`);
  const server = await startServer({
    ...database.env,
    HAIHE_DEMO: '1',
    HAIHE_DEMO_CLOCK: `${MONTH}-01T11:00:00+08:00`,
    HAIHE_CLAIMS_PER_ADDRESS_PER_SECOND: '0',
    HAIHE_CLAIM_HOLD_MS: '30000',
    DATABASE_POOL_SIZE: '8',
  });
  try {
    console.log('preparing tokens…');
    const started = Date.now();
    const allTokens = (await demoTokens(server.url, 'citizen', people + WARM_UP_PEOPLE)).map((entry) => `Bearer ${entry.token}`);
    const tokens = allTokens.slice(0, people);
    const warmUpTokens = allTokens.slice(people);
    const [admin] = await demoTokens(server.url, 'admin', 1);
    console.log(`  ${tokens.length} residents and tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // The demo created this month's scheduled release; the benchmark sets its stock.
    const patched = await fetch(`${server.url}/api/v1/admin/subsidies/releases/${RELEASE}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stock }),
    });
    if (!patched.ok) throw new Error(`setting the stock failed: ${patched.status} ${await patched.text()}`);

    // The claim path is compiled before it is measured, as in a server that has served claims before:
    // other residents (so no token of the measured ones is known yet) claim from the month's other
    // programme, which has its own stock and quotas.
    const warmUpPatched = await fetch(`${server.url}/api/v1/admin/subsidies/releases/${WARM_UP_RELEASE}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stock: Math.floor(WARM_UP_PEOPLE / 2) }),
    });
    if (!warmUpPatched.ok) throw new Error(`setting the warm-up stock failed: ${warmUpPatched.status} ${await warmUpPatched.text()}`);
    console.log(`warming the claim path up (${WARM_UP_PEOPLE} other residents, ${WARM_UP_RELEASE}, not counted)…`);
    let warmUpNext = 0;
    await run({
      url: server.url,
      connections,
      amount: WARM_UP_PEOPLE,
      requests: [claimRequest(WARM_UP_RELEASE, () => warmUpTokens[warmUpNext++ % warmUpTokens.length]!)],
    });

    // The load generator does the same work per request in every phase (it shares the two cores
    // with the server): a rotating header here too, which the no-op route ignores. (Requests built
    // once per connection, tried instead, made this phase slower in this process.)
    let rotation = 0;
    const noopPhase = async (when: string, duration = seconds) => {
      console.log(`no-op route (GET /api/v1/time), ${when}…`);
      const meter = cpuMeter(server, database);
      const started = Date.now();
      const result = await run({
        url: server.url,
        connections: 100,
        duration,
        requests: [
          {
            method: 'GET',
            path: '/api/v1/time',
            setupRequest: (request) => {
              rotation += 1;
              return { ...request, headers: { ...request.headers, 'x-bench-token': tokens[rotation % tokens.length]! } };
            },
          },
        ],
      });
      const elapsed = (Date.now() - started) / 1000;
      console.log(`  ${Math.round(result.requests.total / elapsed)} req/s, p99 ${result.latency.p99} ms; ${meter(result.requests.total)}`);
      return { requests: result.requests.total, seconds: elapsed };
    };
    await noopPhase('warming up, not counted', 1);
    const before = await noopPhase('before the release');
    const noopBefore = before.requests / before.seconds;

    console.log(`claims: ${people} residents against ${stock} coupons…`);
    let next = 0;
    const claimLatencies: number[] = [];
    const statuses = new Map<number, number>();
    let firstAt = 0;
    let lastClaimAt = 0;
    const claimStart = Date.now();
    const claimMeter = cpuMeter(server, database);
    const instance = autocannon(
      {
        url: server.url,
        connections,
        amount: people,
        timeout: 60,
        requests: [claimRequest(RELEASE, () => tokens[next++ % tokens.length]!)],
      },
      () => undefined,
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      const now = Date.now();
      if (!firstAt) firstAt = now;
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
      if (statusCode === 201) {
        claimLatencies.push(responseTime);
        lastClaimAt = now;
      }
    });
    await new Promise((resolve) => instance.on('done', resolve));
    const acknowledged = statuses.get(201) ?? 0;
    const claimCpu = claimMeter(acknowledged, 'coupon');
    const claimSeconds = Math.max(0.001, (lastClaimAt - claimStart) / 1000);
    const claimsPerSecond = acknowledged / claimSeconds;
    const p99 = percentile(claimLatencies, 99);
    console.log(`  statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.log(`  ${acknowledged} coupons acknowledged in ${claimSeconds.toFixed(2)} s = ${Math.round(claimsPerSecond)} claims/s, p50 ${percentile(claimLatencies, 50)} ms, p99 ${p99} ms`);
    console.log(`  ${claimCpu} (the ${people - acknowledged} answered SOLD_OUT included)`);

    const metric = await readMetrics(server.url);
    const batches = metric('haihe_subsidies_claim_batch_size_count');
    console.log(`  ${batches} batches, ${(metric('haihe_subsidies_claim_batch_size_sum') / batches).toFixed(1)} claims and ${((metric('haihe_subsidies_claim_batch_seconds_sum') / batches) * 1000).toFixed(1)} ms per batch on average`);

    // Residents who got nothing ask again and are told SOLD_OUT from memory, in short rounds that
    // alternate with the no-op route, so the two are compared under the same conditions.
    const rounds = 5;
    console.log(`sold out (the same residents ask again), alternating with the no-op route: ${rounds} rounds of ${(seconds / rounds).toFixed(1)} s each…`);
    let again = 0;
    const soldOutTotal = { requests: 0, seconds: 0, other: 0, p99: 0 };
    const after = { requests: 0, seconds: 0 };
    for (let round = 1; round <= rounds; round += 1) {
      const soldOutMeter = cpuMeter(server, database);
      const started = Date.now();
      const soldOut = await run({
        url: server.url,
        connections: 100,
        duration: seconds / rounds,
        requests: [claimRequest(RELEASE, () => {
          const token = tokens[stock + (again % Math.max(1, people - stock))] ?? tokens[again % tokens.length]!;
          again += 1;
          return token;
        })],
      });
      const elapsed = (Date.now() - started) / 1000;
      soldOutTotal.requests += soldOut.requests.total;
      soldOutTotal.seconds += elapsed;
      soldOutTotal.other += soldOut.requests.total - (soldOut.statusCodeStats?.['409']?.count ?? 0);
      soldOutTotal.p99 = Math.max(soldOutTotal.p99, soldOut.latency.p99);
      console.log(`  round ${round}: sold out ${Math.round(soldOut.requests.total / elapsed)} req/s, p99 ${soldOut.latency.p99} ms; ${soldOutMeter(soldOut.requests.total)}`);
      const noop = await noopPhase(`round ${round}`, seconds / rounds);
      after.requests += noop.requests;
      after.seconds += noop.seconds;
    }
    const soldOutPerSecond = soldOutTotal.requests / soldOutTotal.seconds;
    const noopAfter = after.requests / after.seconds;
    console.log(`  sold out: ${Math.round(soldOutPerSecond)} req/s (answers other than 409: ${soldOutTotal.other} of ${soldOutTotal.requests}), p99 ${soldOutTotal.p99} ms (worst round); no-op ${Math.round(noopAfter)} req/s in the same rounds`);
    console.log(`  against the no-op route before the release alone: claims/no-op ${(claimsPerSecond / noopBefore).toFixed(3)}; against the rounds after it alone: claims/no-op ${(claimsPerSecond / noopAfter).toFixed(3)}, sold-out/no-op ${(soldOutPerSecond / noopAfter).toFixed(3)}`);
    // The result line's no-op figure: the mean of the no-op route before the release and in the rounds
    // after it, which bracket the claims and include the sold-out answers' own conditions.
    const noopPerSecond = (noopBefore + noopAfter) / 2;

    await server.stop('SIGTERM');
    const db = await openDatabase({ databaseUrl: database.url, dataDir: database.dataDir });
    const violations: string[] = [];
    const [release] = await db.query<{ stock: number; issued: number }>('SELECT stock, issued FROM subsidy_releases WHERE id = $1', [RELEASE]);
    const [coupons] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM subsidy_coupons WHERE release_id = $1', [RELEASE]);
    const [overMonth] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (SELECT person_id FROM subsidy_coupons c JOIN subsidy_programmes p ON p.id = c.programme_id
         GROUP BY person_id, programme_id, month, p.month_quota HAVING count(*) > p.month_quota) t`,
    );
    const [counters] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM subsidy_quota q WHERE q.month = $1 AND q.month_used <> (SELECT count(*) FROM subsidy_coupons c
         WHERE c.person_id = q.person_id AND c.programme_id = q.programme_id AND c.month = q.month)`,
      [MONTH],
    );
    await db.close();
    if (!release) violations.push('release missing');
    else {
      if (release.issued > release.stock) violations.push(`issued ${release.issued} > stock ${release.stock}`);
      if (release.issued !== coupons!.count) violations.push(`issued ${release.issued} but ${coupons!.count} coupons`);
      if (coupons!.count < acknowledged) violations.push(`${acknowledged} acknowledged but ${coupons!.count} coupons stored`);
      if (people >= stock && release.issued !== release.stock) violations.push(`demand exceeded stock but only ${release.issued} of ${release.stock} issued`);
    }
    if (overMonth!.count > 0) violations.push(`${overMonth!.count} people over the monthly quota`);
    if (counters!.count > 0) violations.push(`${counters!.count} quota counters differ from coupons`);
    for (const violation of violations) console.log(`  VIOLATION: ${violation}`);
    const ratio = claimsPerSecond / noopPerSecond;
    console.log(`  against their mean (${Math.round(noopPerSecond)} req/s): claims/no-op ${ratio.toFixed(3)}, sold-out/no-op ${(soldOutPerSecond / noopPerSecond).toFixed(3)}`);
    console.log(
      `flash: claims_per_s=${Math.round(claimsPerSecond)} noop_per_s=${Math.round(noopPerSecond)} ratio=${ratio.toFixed(3)} ` +
        `soldout_per_s=${Math.round(soldOutPerSecond)} p99_ms=${p99} violations=${violations.length} database=${database.kind}`,
    );
  } finally {
    await server.stop('SIGKILL');
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
