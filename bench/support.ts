import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

export interface BenchDatabase {
  kind: 'pglite' | 'postgres';
  env: Record<string, string>;
  dataDir: string;
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh database for one benchmark run: a temporary DATA_DIR, or a new database on DATABASE_URL's server. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-bench-'));
  const base = process.env.DATABASE_URL;
  if (!base) {
    return { kind: 'pglite', env: { DATA_DIR: dataDir }, dataDir, url: undefined, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const url = new URL(base);
  const name = `haihe_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    dataDir,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** CPU time (user + system, ms) the server process has used so far, from /proc (Linux); 0 elsewhere. */
  cpuMs(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The Node flags `npm start` runs the platform with (package.json's start script; docs/operating.md "Memory"). */
const SERVER_NODE_FLAGS = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start as string)
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

/** Starts one platform process (`src/main.ts start`) and waits until /healthz answers. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=…") profiles the server process.
  const nodeArguments = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArguments, '--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', HAIHE_JOBS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // BENCH_SERVER_OUTPUT=<file> keeps everything the server prints (e.g. with --trace-gc).
  const keep = process.env.BENCH_SERVER_OUTPUT ? fs.createWriteStream(process.env.BENCH_SERVER_OUTPUT) : undefined;
  child.stdout!.on('data', (chunk) => (keep ? keep.write(chunk) : (output += chunk)));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    child,
    cpuMs() {
      try {
        const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      } catch {
        return 0;
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

/** CPU time (user + system, ms) used so far by each of this machine's PostgreSQL server processes, by pid (Linux; empty elsewhere). */
export function postgresCpuMs(): Map<string, number> {
  const byPid = new Map<string, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return byPid;
  }
  for (const pid of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1]!.split(' ');
      byPid.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // the process ended
    }
  }
  return byPid;
}

/**
 * PostgreSQL's CPU (ms) between two readings: what each process still running used since the first
 * (all of it for a process started since). A process that ended in between (a connection closed)
 * counts nothing: its total is gone from /proc, and subtracting it made the figure negative.
 */
export function postgresCpuSince(before: Map<string, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpuMs()) total += ms - Math.min(ms, before.get(pid) ?? 0);
  return total;
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function demoTokens(url: string, role: string, count: number): Promise<{ subject: string; token: string }[]> {
  const response = await fetch(`${url}/api/v1/demo/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, count, ttlSeconds: 6 * 3600 }),
  });
  if (!response.ok) throw new Error(`demo tokens: ${response.status} ${await response.text()}`);
  return (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { subject: string; token: string });
}

/** The server's Prometheus metrics now: a reader of one sample's value by its name (NaN when absent). */
export async function readMetrics(url: string): Promise<(name: string) => number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** CPU per request (µs) over one phase: this process (the load generator) and, on a PostgreSQL server, PostgreSQL's processes. */
export interface PhaseCpu {
  generatorUs: number;
  postgresUs: number | undefined;
}

/** Starts measuring a phase; the function returned reads the CPU per request of the requests it is given. */
export function phaseCpuMeter(databaseKind: string): (requests: number) => PhaseCpu {
  const ownBefore = process.cpuUsage();
  const postgresBefore = databaseKind === 'postgres' ? postgresCpuMs() : new Map<string, number>();
  return (requests) => {
    const own = process.cpuUsage(ownBefore);
    const n = Math.max(1, requests);
    return {
      generatorUs: (own.user + own.system) / n,
      postgresUs: databaseKind === 'postgres' ? (postgresCpuSince(postgresBefore) * 1000) / n : undefined,
    };
  };
}
