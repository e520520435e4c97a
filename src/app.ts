import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import { noAuthenticator, type Authenticator } from './platform/access.ts';
import { readCalendar, loadCalendar, type WorkingCalendar } from './platform/calendar.ts';
import { SettableClock, systemClock, type Clock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { openDatabase, type Database } from './platform/db/index.ts';
import { migrate, type MigrationSource } from './platform/db/migrate.ts';
import { apiNotFound, createHttpServer, type App, type RouteAccess } from './platform/http/server.ts';
import { JobRunner } from './platform/jobs.ts';
import { loadKeyring } from './platform/keys.ts';
import { createLogger } from './platform/logger.ts';
import { Metrics } from './platform/metrics.ts';
import type { Module, ModuleRegistry, PlatformContext } from './platform/module.ts';
import { modules as allModules } from './modules/index.ts';
import { registerOidc, type IdentityService } from './modules/identity/index.ts';

export const WEB_DIST = path.resolve(import.meta.dirname, '../web/dist');
const PLATFORM_MIGRATIONS = path.resolve(import.meta.dirname, 'platform/migrations');
/** Areas of the web front end; their paths fall back to the single-page app. */
export const WEB_AREAS = ['citizen', 'counter', 'console', 'public'] as const;

export interface AppOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** An already open database (tests share one); otherwise opened from the config. */
  database?: Database;
  /** Tests use an in-memory PGlite. */
  inMemoryDatabase?: boolean;
  modules?: readonly Module<any>[];
  /** Serve web/dist (default true when it exists). */
  serveWeb?: boolean;
  /** Run the job runner's timer (default config.jobsEnabled). */
  startJobs?: boolean;
}

export interface Platform {
  app: App;
  context: PlatformContext;
  routeAccess: RouteAccess[];
  services: ModuleRegistry;
  close(): Promise<void>;
}

/** The migration sources of the platform and its modules, in order. */
export function migrationSources(modules: readonly Module<any>[] = allModules): MigrationSource[] {
  return [
    { module: 'platform', directory: PLATFORM_MIGRATIONS },
    ...modules.filter((module) => module.migrations).map((module) => ({ module: module.name, directory: module.migrations! })),
  ];
}

/** Opens the database and applies every pending migration (used by start and `cli migrate`). */
export async function openAndMigrate(config: Config, options: { inMemory?: boolean; modules?: readonly Module<any>[] } = {}) {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    inMemory: options.inMemory,
  });
  const applied = await migrate(database, migrationSources(options.modules));
  return { database, applied };
}

/**
 * The composition root: configuration → database → modules → HTTP. Nothing else wires modules
 * together.
 */
export async function buildPlatform(options: AppOptions): Promise<Platform> {
  const { config } = options;
  const modules = options.modules ?? allModules;
  const logger = options.logger ?? createLogger(config.logLevel);
  let clock = options.clock ?? systemClock;
  if (!options.clock && config.demoClockStart) {
    // Demo mode: the platform's time starts at the given instant (e.g. a release's opening) and runs on.
    const demoClock = new SettableClock(config.demoClockStart);
    demoClock.run();
    clock = demoClock;
  }
  let database = options.database;
  const ownsDatabase = !database;
  if (!database) {
    database = (await openAndMigrate(config, { inMemory: options.inMemoryDatabase, modules })).database;
  } else {
    await migrate(database, migrationSources(modules));
  }
  const db = database;
  const metrics = new Metrics(db);
  const keys = loadKeyring(config);
  const jobs = new JobRunner(db, clock, logger.child({ component: 'jobs' }), config.jobPollIntervalMs);
  let calendar: WorkingCalendar = await loadCalendar(db);
  const context: PlatformContext = {
    config,
    logger,
    database: db,
    clock,
    get calendar() {
      return calendar;
    },
    jobs,
    metrics,
    keys,
    async reloadCalendar() {
      calendar = await readCalendar(db);
    },
  };

  const services = new Map<string, unknown>();
  const registry: ModuleRegistry = {
    get<T>(name: string): T {
      if (!services.has(name)) throw new Error(`module ${name} is not initialised yet`);
      return services.get(name) as T;
    },
  };
  let authenticator: Authenticator = noAuthenticator;
  for (const module of modules) {
    services.set(module.name, module.init ? await module.init(context, registry) : undefined);
    if (module.authenticator) authenticator = module.authenticator(services.get(module.name));
  }

  const { app, routeAccess } = await createHttpServer({ config, logger, database: db, clock, metrics, authenticator });

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness and readiness: the platform can reach its database',
        tags: ['platform'],
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]) }) },
      },
    },
    async () => {
      await db.query('SELECT 1');
      return { status: 'ok' as const, database: db.kind };
    },
  );
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await app.register(
    async (api) => {
      for (const module of modules) {
        if (module.routes) await module.routes(api as App, context, services.get(module.name));
      }
    },
    { prefix: '/api/v1' },
  );

  // Sign-in (OpenID Connect provider under /oidc, relying party under /auth) lives outside /api/v1.
  if (services.has('identity')) await registerOidc(app, context, services.get('identity') as IdentityService);

  const serveWeb = options.serveWeb ?? fs.existsSync(path.join(WEB_DIST, 'index.html'));
  if (serveWeb) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'], maxAge: '1h' });
  }
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    const area = pathname.split('/')[1] ?? '';
    if (serveWeb && request.method === 'GET' && (pathname === '/' || (WEB_AREAS as readonly string[]).includes(area))) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return apiNotFound(request, reply);
  });

  for (const module of modules) module.jobs?.(jobs, context, services.get(module.name));

  if (config.demo) {
    // The first process to claim the marker loads the demo data; others starting with it skip.
    const claimed = await db.execute(
      `INSERT INTO platform_settings (key, value) VALUES ('demo_loaded_at', to_jsonb($1::text)) ON CONFLICT (key) DO NOTHING`,
      [clock.now().toISOString()],
    );
    if (claimed === 1) {
      for (const module of modules) await module.demo?.(context, services.get(module.name));
    }
  }

  await app.ready();
  if (options.startJobs ?? config.jobsEnabled) jobs.start();

  return {
    app,
    context,
    routeAccess,
    services: registry,
    async close() {
      await jobs.stop();
      await app.close();
      if (ownsDatabase) await db.close();
    },
  };
}
