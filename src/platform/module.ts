import type { Logger } from 'pino';
import type { Authenticator } from './access.ts';
import type { WorkingCalendar } from './calendar.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import type { App } from './http/server.ts';
import type { JobRunner } from './jobs.ts';
import type { Keyring } from './keys.ts';
import type { Metrics } from './metrics.ts';

/** What the platform hands every module: configuration, database, clock, calendar, jobs, keys. */
export interface PlatformContext {
  config: Config;
  logger: Logger;
  database: Database;
  clock: Clock;
  calendar: WorkingCalendar;
  jobs: JobRunner;
  metrics: Metrics;
  keys: Keyring;
  /** Reloads the working calendar from the database (after an administrator changes a year). */
  reloadCalendar(): Promise<void>;
}

/**
 * A public service module: its own tables (plain SQL migrations), routes under /api/v1, jobs and
 * demo data. Other code reaches a module only through its index.ts.
 */
export interface Module<Services = unknown> {
  name: string;
  /** Folder of this module's NNNN_name.sql migrations. */
  migrations?: string;
  /** Builds the module's services (called once, before routes). */
  init?(context: PlatformContext, dependencies: ModuleRegistry): Promise<Services> | Services;
  /** Registers routes; the app is already prefixed with /api/v1. */
  routes?(app: App, context: PlatformContext, services: Services): Promise<void> | void;
  /** Registers scheduled jobs. */
  jobs?(runner: JobRunner, context: PlatformContext, services: Services): void;
  /** Loads demo data into an empty database (demo mode). */
  demo?(context: PlatformContext, services: Services): Promise<void>;
  /** Provides the request authenticator (only the identity module does). */
  authenticator?(services: Services): Authenticator;
}

/** Services of the modules initialised so far, by module name. */
export interface ModuleRegistry {
  get<T>(name: string): T;
}
