import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      databasePoolSize: 8,
      demo: true,
      publicUrl: 'http://127.0.0.1:3000',
      logLevel: 'info',
      keys: { dataKeys: undefined, hmacKey: undefined, sessionSecret: undefined },
      bodyLimitBytes: 65536,
      jobPollIntervalMs: 1000,
      jobsEnabled: true,
      oidc: { issuer: undefined, clientId: undefined, clientSecret: undefined },
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '', DATA_DIR: '', DATABASE_URL: '', HAIHE_DEMO: '' })).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      demo: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: 'var/haihe',
      DATABASE_URL: 'postgres://haihe:secret@db.internal:5432/haihe',
      DATABASE_POOL_SIZE: '16',
      HAIHE_DEMO: 'off',
      PUBLIC_URL: 'https://services.example.cn/',
      LOG_LEVEL: 'warn',
      HAIHE_DATA_KEYS: 'k2:abc,k1:def',
      HAIHE_HMAC_KEY: Buffer.alloc(32, 1).toString('base64'),
      HAIHE_SESSION_SECRET: 'session-secret',
      BODY_LIMIT_BYTES: '2048',
      JOB_POLL_INTERVAL_MS: '250',
      HAIHE_JOBS: '0',
      OIDC_ISSUER: 'https://id.example.cn',
      OIDC_CLIENT_ID: 'haihe',
      OIDC_CLIENT_SECRET: 'oidc-secret',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: path.resolve('var/haihe'),
      databaseUrl: 'postgres://haihe:secret@db.internal:5432/haihe',
      databasePoolSize: 16,
      demo: false,
      publicUrl: 'https://services.example.cn',
      logLevel: 'warn',
      keys: { dataKeys: 'k2:abc,k1:def', sessionSecret: 'session-secret' },
      bodyLimitBytes: 2048,
      jobPollIntervalMs: 250,
      jobsEnabled: false,
      oidc: { issuer: 'https://id.example.cn', clientId: 'haihe', clientSecret: 'oidc-secret' },
    });
  });

  it('derives the public URL of a server listening on every interface from 127.0.0.1', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('accepts every spelling of yes and no', () => {
    for (const yes of ['1', 'true', 'YES', 'on']) expect(loadConfig({ HAIHE_DEMO: yes }).demo).toBe(true);
    for (const no of ['0', 'false', 'No', 'OFF']) expect(loadConfig({ HAIHE_DEMO: no }).demo).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['HAIHE_DEMO', 'maybe'],
    ['HAIHE_JOBS', '2'],
    ['DATABASE_URL', 'mysql://localhost/haihe'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', '65'],
    ['LOG_LEVEL', 'verbose'],
    ['PUBLIC_URL', 'ftp://example.cn'],
    ['BODY_LIMIT_BYTES', '10'],
    ['HAIHE_HMAC_KEY', 'c2hvcnQ='],
  ])('refuses %s=%j with a ConfigError naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/^Invalid configuration:/);
    expect(error.message).toContain(name);
  });

  it('lists every bad variable at once', () => {
    const error = configError({ PORT: 'abc', HAIHE_DEMO: 'maybe', DATABASE_URL: 'mysql://x/y' });
    expect(error.message.split('\n  - ')).toHaveLength(4);
    for (const name of ['PORT', 'HAIHE_DEMO', 'DATABASE_URL']) expect(error.message).toContain(name);
  });

  it('does not print a database password it refuses', () => {
    const error = configError({ DATABASE_URL: 'mysql://haihe:hunter2@db/haihe' });
    expect(error.message).not.toContain('hunter2');
  });

  it('needs a client id and secret with an external OpenID Connect issuer', () => {
    expect(configError({ OIDC_ISSUER: 'https://id.example.cn' }).message).toContain('OIDC_ISSUER');
  });

  it('returns a frozen configuration, nested parts included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.keys)).toBe(true);
    expect(Object.isFrozen(config.oidc)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });

  it('applies overrides after validation', () => {
    const config = loadConfig({ PORT: '1234' }, { port: 0, demo: false });
    expect(config.port).toBe(0);
    expect(config.demo).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });
});
