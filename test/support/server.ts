import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPlatform, type Platform } from '../../src/app.ts';
import { SettableClock } from '../../src/platform/clock.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
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
}

/** A platform on a fresh database and a temporary DATA_DIR, for integration and browser tests. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    HAIHE_DEMO: options.demo ? '1' : '0',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HAIHE_JOBS: '0',
    ...options.env,
  });
  const test = await freshDatabase(options.database ?? 'pglite');
  const clock = new SettableClock(options.now);
  if (!options.now) clock.run();
  const platform = await buildPlatform({
    config,
    clock,
    database: test.database,
    logger: createLogger('silent'),
    serveWeb: options.serveWeb,
    startJobs: false,
  });
  let url = '';
  if (options.listen) {
    url = await platform.app.listen({ port: 0, host: '127.0.0.1' });
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
