import path from 'node:path';

/** The platform's configuration: read once from the environment, validated, frozen, passed down. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** postgres://… when running on a PostgreSQL server; undefined for the embedded PGlite store. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** Demo mode loads demo data into an empty database and enables the demo-tokens command. */
  readonly demo: boolean;
  /** Demo mode only: the platform clock starts at this instant and runs on (e.g. a release's opening). */
  readonly demoClockStart: Date | undefined;
  /** The public base URL people reach the platform at (used in links, tags and OIDC redirects). */
  readonly publicUrl: string;
  readonly logLevel: string;
  /** Key material; when unset the platform generates keys into DATA_DIR/keys on first start. */
  readonly keys: {
    readonly dataKeys: string | undefined;
    readonly hmacKey: string | undefined;
    readonly sessionSecret: string | undefined;
  };
  readonly bodyLimitBytes: number;
  readonly jobPollIntervalMs: number;
  /** Run scheduled jobs in this process (turn off for processes that should only serve HTTP). */
  readonly jobsEnabled: boolean;
  /** Trust X-Forwarded-For from a proxy in front (set TRUST_PROXY=1 behind a load balancer). */
  readonly trustProxy: boolean;
  /** Where command-line tools reach a running platform (HAIHE_URL). */
  readonly platformUrl: string;
  /** Protections of the coupon claim path (docs/modules/subsidies.md). */
  readonly claims: {
    readonly perPersonPerMinute: number;
    readonly perAddressPerSecond: number;
    readonly holdMs: number;
    /** Claim batches one process keeps in flight on PostgreSQL (PGlite: always one). */
    readonly batchesInFlight: number;
  };
  /** Live hall status (server-sent events): how changes are gathered and how other processes' changes are noticed. */
  readonly hallStatus: {
    readonly coalesceMs: number;
    readonly pollMs: number;
  };
  /** The national one-per-category check (TI-06); without a URL only this platform's records count. */
  readonly nationalRegistry: {
    readonly url: string | undefined;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    /** Shared by the participating platforms (base64, ≥ 16 bytes). */
    readonly pepper: string | undefined;
    readonly timeoutMs: number;
    /** The province code this platform answers as (GB/T 2260). */
    readonly provinceCode: string;
  };
  /** External OpenID Connect provider; when unset, the built-in provider is used. */
  readonly oidc: {
    readonly issuer: string | undefined;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(messages: string[]) {
    super(`Invalid configuration:\n  - ${messages.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws ConfigError listing every bad value. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw.trim())) {
      problems.push(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    const value = Number(raw);
    if (value < min || value > max) problems.push(`${name} must be between ${min} and ${max}, got ${value}`);
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const normalised = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
    if (['0', 'false', 'no', 'off'].includes(normalised)) return false;
    problems.push(`${name} must be 1/0, true/false, yes/no or on/off, got "${raw}"`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const dataDir = path.resolve(env.DATA_DIR?.trim() || './data');
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:']) ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const oidcIssuer = url('OIDC_ISSUER', ['http:', 'https:']);
  const oidcClientId = env.OIDC_CLIENT_ID?.trim() || undefined;
  const oidcClientSecret = env.OIDC_CLIENT_SECRET?.trim() || undefined;
  if (oidcIssuer && (!oidcClientId || !oidcClientSecret)) {
    problems.push('OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  }
  let demoClockStart: Date | undefined;
  if (env.HAIHE_DEMO_CLOCK?.trim()) {
    demoClockStart = new Date(env.HAIHE_DEMO_CLOCK.trim());
    if (Number.isNaN(demoClockStart.getTime())) problems.push(`HAIHE_DEMO_CLOCK must be an RFC 3339 time, got "${env.HAIHE_DEMO_CLOCK}"`);
  }
  const hmacKey = env.HAIHE_HMAC_KEY?.trim() || undefined;
  if (hmacKey !== undefined && Buffer.from(hmacKey, 'base64').length < 32) {
    problems.push('HAIHE_HMAC_KEY must be at least 32 bytes, base64-encoded');
  }

  const registryUrl = url('NATIONAL_REGISTRY_URL', ['http:', 'https:']);
  const registryClientId = env.NATIONAL_REGISTRY_CLIENT_ID?.trim() || undefined;
  const registryClientSecret = env.NATIONAL_REGISTRY_CLIENT_SECRET?.trim() || undefined;
  if (registryUrl && (!registryClientId || !registryClientSecret)) {
    problems.push('NATIONAL_REGISTRY_URL needs NATIONAL_REGISTRY_CLIENT_ID and NATIONAL_REGISTRY_CLIENT_SECRET');
  }
  const pepper = env.NATIONAL_REGISTRY_PEPPER?.trim() || undefined;
  if (pepper !== undefined && Buffer.from(pepper, 'base64').length < 16) problems.push('NATIONAL_REGISTRY_PEPPER must be at least 16 bytes, base64-encoded');
  const provinceCode = env.HAIHE_PROVINCE_CODE?.trim() || '120000';
  if (!/^\d{6}$/.test(provinceCode)) problems.push(`HAIHE_PROVINCE_CODE must be a 6-digit GB/T 2260 code, got "${provinceCode}"`);

  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 8, 1, 64),
    demo: boolean('HAIHE_DEMO', true),
    demoClockStart,
    publicUrl: publicUrl.replace(/\/$/, ''),
    logLevel,
    keys: {
      dataKeys: env.HAIHE_DATA_KEYS?.trim() || undefined,
      hmacKey,
      sessionSecret: env.HAIHE_SESSION_SECRET?.trim() || undefined,
    },
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    jobPollIntervalMs: integer('JOB_POLL_INTERVAL_MS', 1000, 10, 60_000),
    jobsEnabled: boolean('HAIHE_JOBS', true),
    oidc: { issuer: oidcIssuer, clientId: oidcClientId, clientSecret: oidcClientSecret },
    trustProxy: boolean('TRUST_PROXY', false),
    platformUrl: (url('HAIHE_URL', ['http:', 'https:']) ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''),
    claims: {
      perPersonPerMinute: integer('HAIHE_CLAIMS_PER_PERSON_PER_MINUTE', 20, 0, 100_000),
      perAddressPerSecond: integer('HAIHE_CLAIMS_PER_ADDRESS_PER_SECOND', 200, 0, 1_000_000),
      holdMs: integer('HAIHE_CLAIM_HOLD_MS', 5000, 0, 600_000),
      batchesInFlight: integer('HAIHE_CLAIM_BATCHES_IN_FLIGHT', 2, 1, 16),
    },
    hallStatus: {
      coalesceMs: integer('HAIHE_HALL_STATUS_COALESCE_MS', 50, 0, 5000),
      pollMs: integer('HAIHE_HALL_STATUS_POLL_MS', 250, 20, 60_000),
    },
    nationalRegistry: {
      url: registryUrl?.replace(/\/$/, ''),
      clientId: registryClientId,
      clientSecret: registryClientSecret,
      pepper,
      timeoutMs: integer('NATIONAL_REGISTRY_TIMEOUT_MS', 2000, 100, 60_000),
      provinceCode,
    },
    ...overrides,
  };
  if (config.demoClockStart && !config.demo) problems.push('HAIHE_DEMO_CLOCK works only in demo mode (HAIHE_DEMO=1)');
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
