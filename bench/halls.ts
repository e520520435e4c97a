/**
 * npm run bench:halls — one platform process (demo halls), load from this process:
 *   1. the no-op route GET /api/v1/time, for the ratio, alternating in short rounds with
 *   2. tickets taken by QR tag over HTTP at high concurrency (tickets/s, share of the no-op route);
 *   3. SUBSCRIBERS live status streams (server-sent events) spread over the halls while tickets are
 *      taken and called at a steady rate: status changes per second, pushes delivered, and the
 *      delay from a change (its commit, named in the pushed status) to its delivery, p50/p99.
 * The database is checked afterwards (one active ticket per person and hall, numbers unique).
 *
 * Environment: DATABASE_URL (PostgreSQL server; default the embedded PGlite), BENCH_SUBSCRIBERS
 * (10000), BENCH_SECONDS (10: no-op and ticket phases, each in all), BENCH_ROUNDS (5: the two phases
 * alternate in this many rounds), BENCH_STREAM_SECONDS (20), BENCH_PEOPLE
 * (6000 residents; each takes at most one ticket per hall), BENCH_CONNECTIONS (200, both HTTP phases),
 * BENCH_CHANGES_PER_SECOND (40 tickets/s plus as many calls and finishes as the windows manage).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import autocannon from 'autocannon';
import { openDatabase } from '../src/platform/db/index.ts';
import { benchDatabase, demoTokens, percentile, phaseCpuMeter, readMetrics, startServer } from './support.ts';

const subscribersWanted = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const streamSeconds = Number(process.env.BENCH_STREAM_SECONDS ?? 20);
const people = Number(process.env.BENCH_PEOPLE ?? 6000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const changesPerSecond = Number(process.env.BENCH_CHANGES_PER_SECOND ?? 40);
/** A working Monday, shortly after the halls open (the platform clock runs on from here). */
const CLOCK = '2026-03-02T09:05:00+08:00';
const DEMO_HALL = 'hall-hexi-xiawafang';
const SERVICE_BY_TYPE: Record<string, string> = { police_station: 'id-card-renewal', traffic_police: 'driving-licence-renewal', service_hall: 'passport-first' };

/** Each subscriber and the server need a descriptor per connection: raise the soft limit when the hard one allows. */
function ensureFileLimit(): void {
  const needed = subscribersWanted + 2000;
  const soft = Number(execFileSync('sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim());
  if (soft >= needed || process.env.HAIHE_BENCH_ULIMIT === '1') return;
  const hardText = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  const hard = hardText === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hardText);
  const target = Math.min(hard, needed * 2);
  if (target <= soft) {
    console.log(`note: open-file limit ${soft} (hard ${hardText}) is below ${needed}; some subscribers may fail to connect`);
    return;
  }
  // Node cannot raise its own limit: run this script again under a shell that raised it.
  const result = spawnSync('sh', ['-c', `ulimit -n ${target} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, HAIHE_BENCH_ULIMIT: '1' },
  });
  process.exit(result.status ?? 1);
}

async function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** CPU time (user + system, ms) the server process has used so far, from /proc (Linux); 0 elsewhere. */
function cpuMs(pid: number | undefined): number {
  const [user, system] = cpuSplitMs(pid);
  return user + system;
}

/** User and system CPU time (ms) of a process, from /proc (Linux). */
function cpuSplitMs(pid: number | undefined): [number, number] {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return [(Number(fields[11]) * 1000) / 100, (Number(fields[12]) * 1000) / 100];
  } catch {
    return [0, 0];
  }
}

/** The ticket lines' batch counters (/metrics): batches written, tickets in them, seconds spent. */
async function ticketBatchMetrics(url: string): Promise<{ count: number; size: number; seconds: number }> {
  const metric = await readMetrics(url);
  return { count: metric('haihe_halls_ticket_batch_size_count'), size: metric('haihe_halls_ticket_batch_size_sum'), seconds: metric('haihe_halls_ticket_batch_seconds_sum') };
}

interface Subscriber {
  socket: net.Socket;
  buffer: string;
  events: number;
}

async function main(): Promise<void> {
  ensureFileLimit();
  const database = await benchDatabase();
  console.log(`halls: database=${database.kind} subscribers=${subscribersWanted} people=${people} connections=${connections}`);
  const server = await startServer({ ...database.env, HAIHE_DEMO: '1', HAIHE_DEMO_CLOCK: CLOCK, DATABASE_POOL_SIZE: '8' });
  const sockets: Subscriber[] = [];
  try {
    const url = new URL(server.url);
    console.log('preparing tokens and tags…');
    const started = Date.now();
    const residents = (await demoTokens(server.url, 'citizen', people)).map((entry) => `Bearer ${entry.token}`);
    const [admin] = await demoTokens(server.url, 'admin', 1);
    const [officer] = await demoTokens(server.url, 'hall-staff', 1);
    const halls = (await (await fetch(`${server.url}/api/v1/halls`)).json()) as { id: string; type: string }[];
    const bodies = new Map<string, string>();
    for (const hall of halls) {
      const tags = (await (await fetch(`${server.url}/api/v1/staff/halls/${hall.id}/tags`, { headers: { authorization: `Bearer ${admin!.token}` } })).json()) as { kind: string; token: string }[];
      bodies.set(hall.id, JSON.stringify({ serviceId: SERVICE_BY_TYPE[hall.type], via: 'qr', tagToken: tags.find((tag) => tag.kind === 'qr')!.token }));
    }
    console.log(`  ${residents.length} residents, ${halls.length} halls in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The no-op route and the ticket phase alternate in `rounds` short rounds, so both are measured
    // under the same conditions: on these shared machines the speed drifts by a quarter or more over
    // seconds, and one long phase of each compared two different machines.
    const pid = server.child.pid;
    // The load generator does the same work per request in both phases (it shares the two cores with
    // the server): prepared requests with a rotating header here too, which the no-op route ignores.
    let rotation = 0;
    const noopRequests = residents.slice(0, 1000).map((token) => ({ method: 'GET' as const, path: '/api/v1/time', headers: { 'x-bench-token': token } }));
    // Request k: resident ⌊k / halls⌋ at hall k mod halls, so nobody asks twice at one hall. The
    // requests are built before the run, so the load generator does no more per request than for
    // the no-op route.
    let next = 0;
    const prepared = Array.from({ length: Math.min(residents.length * halls.length, 400_000) }, (_, k) => {
      const hall = halls[k % halls.length]!;
      return {
        method: 'POST' as const,
        path: `/api/v1/halls/${hall.id}/tickets`,
        body: bodies.get(hall.id)!,
        headers: { 'content-type': 'application/json', authorization: residents[Math.floor(k / halls.length)]! },
      };
    });
    const noopSpec = { method: 'GET' as const, path: '/api/v1/time', setupRequest: () => noopRequests[rotation++ % noopRequests.length]! };
    const ticketSpec = { method: 'POST' as const, path: '/', setupRequest: () => prepared[next++ % prepared.length]! };
    const phaseSeconds = seconds / rounds;
    const noop = { requests: 0, seconds: 0, serverMs: 0, generatorUs: 0, p99: [] as number[] };
    const ticket = { issued: 0, seconds: 0, serverMs: 0, systemMs: 0, generatorUs: 0, postgresUs: 0 };
    const statuses = new Map<number, number>();
    const ticketLatencies: number[] = [];
    console.log(`no-op route (GET /api/v1/time) and tickets by QR tag, alternating: ${rounds} rounds of ${phaseSeconds.toFixed(1)} s each, ${connections} connections…`);
    // One second of each, not counted: the first requests of a route pay for compiling its code.
    await run({ url: server.url, connections, duration: 1, requests: [noopSpec] });
    await run({ url: server.url, connections, duration: 1, requests: [ticketSpec] });
    const batchesBefore = await ticketBatchMetrics(server.url);
    for (let round = 1; round <= rounds; round += 1) {
      let cpuBefore = cpuMs(pid);
      let meter = phaseCpuMeter(database.kind);
      let started = Date.now();
      const noopRun = await run({
        url: server.url,
        connections,
        duration: phaseSeconds,
        requests: [noopSpec],
      });
      const noopSeconds = (Date.now() - started) / 1000;
      noop.requests += noopRun.requests.total;
      noop.seconds += noopSeconds;
      noop.serverMs += cpuMs(pid) - cpuBefore;
      noop.generatorUs += meter(1).generatorUs;
      noop.p99.push(noopRun.latency.p99);

      cpuBefore = cpuMs(pid);
      const splitBefore = cpuSplitMs(pid);
      meter = phaseCpuMeter(database.kind);
      const issuedBefore = statuses.get(201) ?? 0;
      started = Date.now();
      const instance = autocannon(
        {
          url: server.url,
          connections,
          duration: phaseSeconds,
          requests: [ticketSpec],
        },
        () => undefined,
      );
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
        if (statusCode === 201) ticketLatencies.push(responseTime);
      });
      await new Promise((resolve) => instance.on('done', resolve));
      const ticketSeconds = (Date.now() - started) / 1000;
      const issued = (statuses.get(201) ?? 0) - issuedBefore;
      const cpu = meter(1);
      ticket.issued += issued;
      ticket.seconds += ticketSeconds;
      ticket.serverMs += cpuMs(pid) - cpuBefore;
      ticket.systemMs += cpuSplitMs(pid)[1] - splitBefore[1];
      ticket.generatorUs += cpu.generatorUs;
      ticket.postgresUs += cpu.postgresUs ?? 0;
      const noopRate = noopRun.requests.total / noopSeconds;
      const ticketRate = issued / ticketSeconds;
      console.log(`  round ${round}: no-op ${Math.round(noopRate)} req/s, tickets ${Math.round(ticketRate)}/s, tickets/no-op ${(ticketRate / noopRate).toFixed(3)}`);
    }
    const noopPerSecond = noop.requests / noop.seconds;
    const noopCpuUs = (noop.serverMs * 1000) / Math.max(1, noop.requests);
    console.log(`no-op route: ${noop.requests} requests in ${noop.seconds.toFixed(1)} s = ${Math.round(noopPerSecond)} req/s, p99 ${Math.max(...noop.p99)} ms (worst round), server CPU ${noopCpuUs.toFixed(0)} µs/request, load generator ${(noop.generatorUs / Math.max(1, noop.requests)).toFixed(0)} µs/request`);
    const issued = ticket.issued;
    const ticketsPerSecond = issued / ticket.seconds;
    const ticketCpuUs = (ticket.serverMs * 1000) / Math.max(1, issued);
    console.log(`tickets: statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.log(`  ${issued} tickets in ${ticket.seconds.toFixed(1)} s = ${Math.round(ticketsPerSecond)} tickets/s, p50 ${percentile(ticketLatencies, 50)} ms, p99 ${percentile(ticketLatencies, 99)} ms`);
    console.log(`  tickets/no-op ${(ticketsPerSecond / noopPerSecond).toFixed(3)}; server CPU ${ticketCpuUs.toFixed(0)} µs/ticket, ${((ticket.systemMs / Math.max(1, ticket.serverMs)) * 100).toFixed(0)}% of it in the kernel (no-op/ticket CPU ${(noopCpuUs / ticketCpuUs).toFixed(3)})`);
    console.log(`  load generator ${(ticket.generatorUs / Math.max(1, issued)).toFixed(0)} µs/ticket${database.kind === 'postgres' ? `, PostgreSQL ${(ticket.postgresUs / Math.max(1, issued)).toFixed(0)} µs/ticket` : ''}`);
    const batchesAfter = await ticketBatchMetrics(server.url);
    const batches = batchesAfter.count - batchesBefore.count;
    console.log(`  ${batches} batches, ${((batchesAfter.size - batchesBefore.size) / Math.max(1, batches)).toFixed(1)} tickets and ${(((batchesAfter.seconds - batchesBefore.seconds) / Math.max(1, batches)) * 1000).toFixed(1)} ms per batch on average`);

    // ---- live status streams ----------------------------------------------------------------
    console.log(`opening ${subscribersWanted} status streams…`);
    const time = async () => {
      const before = Date.now();
      const body = (await (await fetch(`${server.url}/api/v1/time`)).json()) as { epochMs: number };
      return body.epochMs - (before + Date.now()) / 2;
    };
    // The platform runs on a demo clock: delays are measured on it (offset from this machine's clock).
    const offset = await time();
    const delays: number[] = [];
    let measuring = false;
    let events = 0;
    const versionsSeen = new Map<string, number>();
    let versionChanges = 0;
    const onEvent = (hallId: string, event: string) => {
      events += 1;
      const changed = /"changedAt":"([^"]+)"/.exec(event);
      const version = /"version":(\d+)/.exec(event);
      if (version) {
        const value = Number(version[1]);
        if (value > (versionsSeen.get(hallId) ?? -1)) {
          if (measuring && versionsSeen.has(hallId)) versionChanges += 1;
          versionsSeen.set(hallId, value);
        }
      }
      if (measuring && changed) delays.push(Date.now() + offset - Date.parse(changed[1]!));
    };
    const openOne = (index: number) =>
      new Promise<void>((resolve) => {
        const hall = halls[index % halls.length]!;
        const subscriber: Subscriber = { socket: net.connect({ host: url.hostname, port: Number(url.port) }), buffer: '', events: 0 };
        subscriber.socket.setNoDelay(true);
        subscriber.socket.once('connect', () => {
          subscriber.socket.write(`GET /api/v1/halls/${hall.id}/status HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
        });
        subscriber.socket.setEncoding('utf8');
        let first = true;
        subscriber.socket.on('data', (chunk: string) => {
          subscriber.buffer += chunk;
          let end: number;
          while ((end = subscriber.buffer.indexOf('\n\n')) >= 0) {
            const event = subscriber.buffer.slice(0, end);
            subscriber.buffer = subscriber.buffer.slice(end + 2);
            if (event.includes('data: ')) {
              subscriber.events += 1;
              onEvent(hall.id, event);
              if (first) {
                first = false;
                resolve();
              }
            }
          }
        });
        subscriber.socket.on('error', () => resolve());
        subscriber.socket.on('close', () => resolve());
        sockets.push(subscriber);
      });
    const openStart = Date.now();
    for (let index = 0; index < subscribersWanted; index += 500) {
      await Promise.all(Array.from({ length: Math.min(500, subscribersWanted - index) }, (_, offsetIndex) => openOne(index + offsetIndex)));
    }
    const connected = sockets.filter((subscriber) => subscriber.events > 0 && !subscriber.socket.destroyed).length;
    console.log(`  ${connected} streams open in ${((Date.now() - openStart) / 1000).toFixed(1)} s`);

    console.log(`tickets taken (${changesPerSecond}/s) and called while ${connected} subscribers watch (${streamSeconds} s)…`);
    const windows = (await (await fetch(`${server.url}/api/v1/staff/halls/${DEMO_HALL}/windows`, { headers: { authorization: `Bearer ${officer!.token}` } })).json()) as { id: string }[];
    measuring = true;
    let changes = 0;
    let driverErrors = 0;
    const driverStart = Date.now();
    const deadline = driverStart + streamSeconds * 1000;
    // Tickets at every hall, from residents who have none there yet.
    let driven = 0;
    const base = next + halls.length * 10;
    const takeLoop = (async () => {
      const interval = 1000 / changesPerSecond;
      while (Date.now() < deadline) {
        const k = base + driven;
        driven += 1;
        const hall = halls[k % halls.length]!;
        const person = residents[Math.floor(k / halls.length) % residents.length]!;
        const tick = Date.now();
        void fetch(`${server.url}/api/v1/halls/${hall.id}/tickets`, { method: 'POST', headers: { authorization: person, 'content-type': 'application/json' }, body: bodies.get(hall.id)! }).then(
          (response) => (response.status === 201 ? (changes += 1) : (driverErrors += 1)),
          () => (driverErrors += 1),
        );
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, interval - (Date.now() - tick))));
      }
    })();
    // The demo hall's windows call and finish as fast as they can (each call and each finish is a change).
    const callLoops = windows.map(async (window) => {
      while (Date.now() < deadline) {
        const called = await fetch(`${server.url}/api/v1/staff/windows/${window.id}/call-next`, { method: 'POST', headers: { authorization: `Bearer ${officer!.token}` } });
        if (called.status !== 200) {
          await called.text();
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        changes += 1;
        const { ticket } = (await called.json()) as { ticket: { id: string } };
        await new Promise((resolve) => setTimeout(resolve, 100));
        const finished = await fetch(`${server.url}/api/v1/staff/tickets/${ticket.id}/finish`, {
          method: 'POST',
          headers: { authorization: `Bearer ${officer!.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ outcome: 'done' }),
        });
        await finished.text();
        if (finished.status === 200) changes += 1;
        else driverErrors += 1;
      }
    });
    await Promise.all([takeLoop, ...callLoops]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    measuring = false;
    const driverSeconds = (Date.now() - driverStart - 1500) / 1000;
    const stillOpen = sockets.filter((subscriber) => !subscriber.socket.destroyed).length;
    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    console.log(`  ${changes} changes committed (${(changes / driverSeconds).toFixed(1)}/s, ${driverErrors} refused), ${versionChanges} status versions seen by subscribers`);
    console.log(`  ${delays.length} pushes delivered (${Math.round(delays.length / driverSeconds)}/s); delay change → delivery p50 ${p50} ms, p99 ${p99} ms, max ${delays.reduce((most, delay) => Math.max(most, delay), 0)} ms; ${stillOpen} streams still open`);
    for (const subscriber of sockets) subscriber.socket.destroy();

    await server.stop('SIGTERM');
    const db = await openDatabase({ databaseUrl: database.url, dataDir: database.dataDir });
    const violations: string[] = [];
    const [doubles] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (SELECT person_id, hall_id FROM hall_tickets WHERE status IN ('waiting', 'called') GROUP BY 1, 2 HAVING count(*) > 1) t`,
    );
    const [numbers] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (SELECT hall_id, day, number FROM hall_tickets GROUP BY 1, 2, 3 HAVING count(*) > 1) t`,
    );
    const [gaps] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (SELECT hall_id, day, max(seq) - count(*) AS gap FROM hall_tickets GROUP BY 1, 2) t WHERE gap <> 0`,
    );
    await db.close();
    if (doubles!.count > 0) violations.push(`${doubles!.count} people hold two active tickets at one hall`);
    if (numbers!.count > 0) violations.push(`${numbers!.count} duplicate ticket numbers`);
    if (gaps!.count > 0) violations.push(`${gaps!.count} halls with gaps in the day's numbers`);
    for (const violation of violations) console.log(`  VIOLATION: ${violation}`);
    const ratio = ticketsPerSecond / noopPerSecond;
    console.log(
      `halls: subscribers=${stillOpen} changes_per_s=${(changes / driverSeconds).toFixed(1)} pushes_per_s=${Math.round(delays.length / driverSeconds)} ` +
        `delivery_p50_ms=${p50} delivery_p99_ms=${p99} tickets_per_s=${Math.round(ticketsPerSecond)} noop_per_s=${Math.round(noopPerSecond)} ` +
        `ratio=${ratio.toFixed(3)} violations=${violations.length} database=${database.kind}`,
    );
  } finally {
    for (const subscriber of sockets) subscriber.socket.destroy();
    await server.stop('SIGKILL');
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
