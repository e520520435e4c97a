import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildPlatform, type Platform } from '../../src/app.ts';
import { SettableClock } from '../../src/platform/clock.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import type { Module } from '../../src/platform/module.ts';
import { modules as allModules } from '../../src/modules/index.ts';
import type { DatabaseKind } from '../../src/platform/db/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { freshDatabase } from './databases.ts';

export interface TestServer {
  url: string;
  platform: Platform;
  clock: SettableClock;
  config: Config;
  close(): Promise<void>;
}

export interface TestServerOptions {
  database?: DatabaseKind;
  demo?: boolean;
  env?: Record<string, string>;
  /** Listen on a real port (browser tests); otherwise use app.inject. */
  listen?: boolean;
  serveWeb?: boolean;
  now?: string;
  /** Extra (test-only) modules, initialised after every module of the platform. */
  modules?: readonly Module<any>[];
}

/** A port free on 127.0.0.1 right now (the platform must know its public URL before it listens). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A platform on a fresh database and a temporary DATA_DIR, for integration and browser tests. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-test-'));
  // A listening server's PUBLIC_URL is the URL it listens on (OpenID Connect redirects use it).
  const port = options.listen ? await freePort() : 0;
  const config = loadConfig({
    DATA_DIR: dataDir,
    HAIHE_DEMO: options.demo ? '1' : '0',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    ...(options.listen ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    HAIHE_JOBS: '0',
    ...options.env,
  });
  // HAIHE_E2E_DATABASE=postgres (with TEST_DATABASE_URL) runs the browser suites on PostgreSQL too.
  const test = await freshDatabase(options.database ?? (process.env.HAIHE_E2E_DATABASE === 'postgres' ? 'postgres' : 'pglite'));
  const clock = new SettableClock(options.now);
  if (!options.now) clock.run();
  let platform: Platform;
  try {
    platform = await buildPlatform({
      config,
      clock,
      database: test.database,
      logger: createLogger('silent'),
      serveWeb: options.serveWeb,
      startJobs: false,
      ...(options.modules ? { modules: [...allModules, ...options.modules] } : {}),
    });
  } catch (error) {
    // A platform that fails to build must not leave its database or DATA_DIR behind.
    await test.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let url = '';
  if (options.listen) {
    url = await platform.app.listen({ port: config.port, host: '127.0.0.1' });
  }
  return {
    url,
    platform,
    clock,
    config,
    async close() {
      await platform.close();
      await test.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
