import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityService } from '../src/modules/identity/index.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(databaseKinds())('identity and access on %s', (database) => {
  let server: TestServer;
  let citizen: { subject: string; token: string; idNumber: string; name: string };
  let admin: { token: string };

  beforeAll(async () => {
    server = await startTestServer({ database, demo: true });
    const tokens = await server.platform.app.inject({ method: 'POST', url: '/api/v1/demo/tokens', payload: { role: 'citizen', count: 2 } });
    expect(tokens.statusCode).toBe(200);
    citizen = JSON.parse(tokens.body.split('\n')[0]!);
    const admins = await server.platform.app.inject({ method: 'POST', url: '/api/v1/demo/tokens', payload: { role: 'admin', count: 1 } });
    admin = JSON.parse(admins.body.split('\n')[0]!);
  });
  afterAll(async () => server?.close());

  const inject = (options: InjectOptions) => server.platform.app.inject(options);

  it('GET /me answers with masked identity data', async () => {
    const response = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(citizen.token) });
    expect(response.statusCode).toBe(200);
    const me = response.json();
    expect(me).toMatchObject({ subject: citizen.subject, kind: 'person', roles: ['citizen'], name: citizen.name });
    expect(me.idNumberMasked).toBe(`${citizen.idNumber.slice(0, 6)}********${citizen.idNumber.slice(-4)}`);
    expect(me.phoneMasked).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(response.body).not.toContain(citizen.idNumber);
  });

  it('401 UNAUTHENTICATED without a token, with a forged one, and with an expired one', async () => {
    const none = await inject({ method: 'GET', url: '/api/v1/me' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.json().code).toBe('UNAUTHENTICATED');
    const forged = citizen.token.slice(0, -3) + (citizen.token.endsWith('abc') ? 'abd' : 'abc');
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(forged) })).statusCode).toBe(401);
    server.clock.set(new Date(Date.now() + 2 * 24 * 3600 * 1000));
    try {
      expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(citizen.token) })).statusCode).toBe(401);
    } finally {
      server.clock.set(new Date());
      server.clock.run();
    }
  });

  it('403 FORBIDDEN for a resident on an administrator route', async () => {
    const response = await inject({ method: 'GET', url: '/api/v1/admin/clients', headers: bearer(citizen.token) });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
  });

  it('INVALID_ID_NUMBER says which check failed, and stores nothing', async () => {
    const before = await server.platform.context.database.query<{ count: number }>('SELECT count(*)::int AS count FROM people');
    const response = await inject({
      method: 'POST', url: '/api/v1/admin/residents', headers: bearer(admin.token),
      payload: { name: '测试', idNumber: '120101199001011235' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_ID_NUMBER', check: 'check_character' });
    const after = await server.platform.context.database.query<{ count: number }>('SELECT count(*)::int AS count FROM people');
    expect(after[0]!.count).toBe(before[0]!.count);
    const check = await inject({ method: 'POST', url: '/api/v1/id-numbers/check', payload: { idNumber: '120107197003010451' } });
    expect(check.statusCode).toBe(400);
    expect(check.json().check).toBe('check_character');
  });

  it('an administrator registers a resident; the answer is masked and the row is sealed', async () => {
    const response = await inject({
      method: 'POST', url: '/api/v1/admin/residents', headers: bearer(admin.token),
      payload: { name: '李建国', idNumber: '11010519491231002x', phone: '13912345678', districtCode: '120103' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ idNumberMasked: '110105********002X', phoneMasked: '139****5678', districtCode: '120103' });
    const [row] = await server.platform.context.database.query<Record<string, string>>(
      `SELECT id_number_sealed, id_number_hash, phone_sealed FROM people WHERE name = '李建国'`,
    );
    expect(row!.id_number_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain('11010519491231002X');
    expect(JSON.stringify(row)).not.toContain('13912345678');
    const identity = server.platform.services.get<IdentityService>('identity');
    expect((await identity.findByIdNumber('11010519491231002X'))?.name).toBe('李建国');
  });

  it('a merchant till gets a token by client credentials (form or Basic) and a wrong secret is refused', async () => {
    const form = await inject({
      method: 'POST', url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials&client_id=till-heping-01&client_secret=demo-secret-till-heping-01',
    });
    expect(form.statusCode).toBe(200);
    expect(form.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(form.json().access_token) });
    expect(me.json()).toMatchObject({ kind: 'client', roles: ['merchant'], organisationId: 'merchant-heping-appliances' });
    const basic = await inject({
      method: 'POST', url: '/api/v1/oauth/token',
      headers: { authorization: `Basic ${Buffer.from('platform-haihe-mall:demo-secret-platform-haihe-mall').toString('base64')}` },
      payload: { grant_type: 'client_credentials' },
    });
    expect(basic.statusCode).toBe(200);
    const wrong = await inject({
      method: 'POST', url: '/api/v1/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: 'till-heping-01', client_secret: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_CLIENT', error: 'invalid_client' });
  });

  it('administrators register, rotate and revoke clients; old secrets and tokens stop working', async () => {
    const registered = await inject({
      method: 'POST', url: '/api/v1/admin/clients', headers: bearer(admin.token),
      payload: { id: `till-test-${database}`, name: '测试收银台', kind: 'merchant', organisationId: 'merchant-test' },
    });
    expect(registered.statusCode).toBe(201);
    const { secret } = registered.json();
    const tokenFor = async (clientSecret: string) => inject({
      method: 'POST', url: '/api/v1/oauth/token', payload: { grant_type: 'client_credentials', client_id: `till-test-${database}`, client_secret: clientSecret },
    });
    const first = (await tokenFor(secret)).json().access_token;
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(first) })).statusCode).toBe(200);
    const rotated = await inject({ method: 'POST', url: `/api/v1/admin/clients/till-test-${database}/rotate`, headers: bearer(admin.token) });
    expect(rotated.statusCode).toBe(200);
    expect((await tokenFor(secret)).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(first) })).statusCode).toBe(401);
    const second = (await tokenFor(rotated.json().secret)).json().access_token;
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(second) })).statusCode).toBe(200);
    const revoked = await inject({ method: 'POST', url: `/api/v1/admin/clients/till-test-${database}/revoke`, headers: bearer(admin.token) });
    expect(revoked.json().client.status).toBe('revoked');
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(second) })).statusCode).toBe(401);
    expect((await tokenFor(rotated.json().secret)).statusCode).toBe(401);
    const audit = await server.platform.context.database.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE entity_type = 'client' AND entity_id = $1 ORDER BY position`, [`till-test-${database}`],
    );
    expect(audit.map((row) => row.action)).toEqual(['identity.client.register', 'identity.client.rotate', 'identity.client.revoke']);
  });

  it('sign-out revokes the token', async () => {
    const tokens = await inject({ method: 'POST', url: '/api/v1/demo/tokens', payload: { role: 'citizen', count: 2 } });
    const other = JSON.parse(tokens.body.split('\n')[1]!);
    expect((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(other.token) })).statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(other.token) })).statusCode).toBe(401);
  });

  it('demo tokens are for distinct residents with valid identity numbers, hall staff carry hallId', async () => {
    const response = await inject({ method: 'POST', url: '/api/v1/demo/tokens', payload: { role: 'citizen', count: 300 } });
    const lines = response.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(300);
    expect(new Set(lines.map((line) => line.subject)).size).toBe(300);
    expect(new Set(lines.map((line) => line.idNumber)).size).toBe(300);
    const { validateIdNumber } = await import('../src/modules/identity/index.ts');
    for (const line of lines) expect(validateIdNumber(line.idNumber).valid).toBe(true);
    const staff = await inject({ method: 'POST', url: '/api/v1/demo/tokens', payload: { role: 'hall-staff', count: 1 } });
    const officer = JSON.parse(staff.body.split('\n')[0]!);
    const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(officer.token) });
    expect(me.json().hallId).toBe('hall-hexi-xiawafang');
  });

  it('demo tokens are refused to other machines', async () => {
    const response = await inject({ method: 'POST', url: '/api/v1/demo/tokens', payload: { role: 'citizen', count: 1 }, remoteAddress: '10.1.2.3' });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('DEMO_ONLY');
  });
});
