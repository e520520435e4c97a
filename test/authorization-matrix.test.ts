import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../src/platform/access.ts';
import { systemActor } from '../src/platform/audit.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Walks every operation of the OpenAPI document with no token and with a token of every role,
 * and checks 401 / 403 / allowed against the operation's declared `x-access`. A route without a
 * declaration cannot be registered, and one missing from this walk fails the coverage check.
 */
describe('authorization matrix: every route × every role', () => {
  let server: TestServer;
  let identity: IdentityService;
  const people = new Map<Role, Parameters<IdentityService['issuePersonToken']>[0]>();

  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    identity = server.platform.services.get<IdentityService>('identity');
    await server.platform.context.database.transaction(async (tx) => {
      for (const role of roles) {
        people.set(role, await identity.createStaff(tx, { login: `matrix-${role}`, name: `矩阵${role}`, roles: [role], hallId: 'hall-hexi-xiawafang' }, systemActor));
      }
    });
  });
  afterAll(async () => server?.close());

  it('covers every /api/v1 route, and each answers as declared', async () => {
    const document = (await server.platform.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const operations: { method: string; path: string; access: 'public' | Role[] }[] = [];
    for (const [path, item] of Object.entries<Record<string, { 'x-access'?: 'public' | Role[] }>>(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!path.startsWith('/api/v1/')) continue;
        expect(operation['x-access'], `${method.toUpperCase()} ${path} declares no x-access`).toBeDefined();
        operations.push({ method: method.toUpperCase(), path, access: operation['x-access']! });
      }
    }
    const declared = server.platform.routeAccess.filter((route) => route.url.startsWith('/api/v1/') && !route.url.startsWith('/api/v1/docs') && route.url !== '/api/v1/openapi.json');
    expect(operations.length).toBe(declared.length);

    const failures: string[] = [];
    for (const operation of operations) {
      const url = operation.path.replace(/\{[^}]+\}/g, '1');
      const send = (token?: string) =>
        server.platform.app.inject({
          method: operation.method as 'GET',
          url,
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...(operation.method === 'GET' || operation.method === 'DELETE' ? {} : { payload: {} }),
          remoteAddress: '10.9.9.9',
        });
      const anonymous = await send();
      if (operation.access === 'public') {
        if ([401, 403].includes(anonymous.statusCode) && anonymous.json().code !== 'DEMO_ONLY') failures.push(`${operation.method} ${url} is public but said ${anonymous.statusCode} without a token`);
        continue;
      }
      if (anonymous.statusCode !== 401) failures.push(`${operation.method} ${url} answered ${anonymous.statusCode} without a token (expected 401)`);
      for (const role of roles) {
        // A fresh token per call: some routes (sign-out) end the session they are called with.
        const token = identity.issuePersonToken(people.get(role)!).token;
        const response = await send(token);
        const allowed = operation.access.includes(role) || (role === 'admin_platform' && operation.access.some((r) => r.startsWith('admin_')));
        if (allowed && [401, 403].includes(response.statusCode)) failures.push(`${operation.method} ${url} refused ${role} (${response.statusCode}) although declared`);
        if (!allowed && response.statusCode !== 403) failures.push(`${operation.method} ${url} answered ${response.statusCode} to ${role} (expected 403)`);
      }
    }
    expect(failures).toEqual([]);
    expect(operations.length).toBeGreaterThan(5);
  });
});
