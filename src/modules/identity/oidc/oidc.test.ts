import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlatform, type Platform } from '../../../app.ts';
import { createLogger } from '../../../platform/logger.ts';
import { databaseKinds } from '../../../../test/support/databases.ts';
import { startTestServer, type TestServer } from '../../../../test/support/server.ts';
import { DEMO_HALL_ID, demoResident } from '../demo.ts';
import { makeIdNumber } from '../rules/id-number.ts';
import { claimsFor, mapClaims } from './claims.ts';
import { jwksFilePath, loadSigningKeys, WEB_CLIENT_ID, webClientSecret } from './keys.ts';
import { homeFor, safeReturnTo } from './relying-party.ts';

const MASKED_ID = /^\d{6}\*{8}\d{3}[\dX]$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// ---- a small browser: cookies by name and path, redirects followed by hand ----------------------

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  attributes: string;
}

class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      const path = attributes.find((attribute) => /^path=/i.test(attribute))?.slice(5) ?? '/';
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute))
        || attributes.some((attribute) => /^expires=/i.test(attribute) && new Date(attribute.slice(8)).getTime() < Date.now());
      const key = `${name}|${path}`;
      if (expired || value === '') this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path, attributes: attributes.join('; ') });
    }
  }

  header(url: string): string | undefined {
    const { pathname } = new URL(url);
    const matching = [...this.#cookies.values()]
      .filter((cookie) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }

  get(name: string): StoredCookie | undefined {
    return [...this.#cookies.values()].find((cookie) => cookie.name === name);
  }
}

interface Step {
  response: Response;
  /** The URL of the response. */
  url: string;
  /** Where a redirect that was not followed points to. */
  next?: string;
}

async function send(jar: CookieJar, url: string, init: { form?: Record<string, string>; headers?: Record<string, string>; method?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  const cookie = jar.header(url);
  if (cookie) headers.cookie = cookie;
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
  jar.store(response.headers.getSetCookie());
  return response;
}

/** Requests a URL and follows redirects, stopping before a URL `stopBefore` accepts (not requested). */
async function follow(jar: CookieJar, url: string, options: { form?: Record<string, string>; stopBefore?: (next: URL) => boolean } = {}): Promise<Step> {
  let current = url;
  let response = await send(jar, current, { form: options.form });
  for (let hops = 0; hops < 12 && REDIRECTS.has(response.status); hops += 1) {
    const next = new URL(response.headers.get('location')!, current);
    if (options.stopBefore?.(next)) return { response, url: current, next: next.href };
    current = next.href;
    response = await send(jar, current);
  }
  return { response, url: current };
}

/** Stops once the flow leaves the sign-in routes (the landing page itself is the web app's). */
const leavesSignIn = (next: URL) => !/^\/(auth|oidc)(\/|$)/.test(next.pathname);

function formAction(html: string, ending: string): string {
  const match = new RegExp(`action="([^"]*/${ending})"`).exec(html);
  if (!match) throw new Error(`no form posting to …/${ending} in the page`);
  return match[1]!.replaceAll('&#38;', '&');
}

describe.each(databaseKinds())('sign-in with OpenID Connect on %s', (kind) => {
  let server: TestServer;
  let base: string;

  /** Opens the sign-in page through /auth/login; returns the page. */
  async function openSignIn(jar: CookieJar, query = ''): Promise<{ html: string; url: string; response: Response }> {
    const step = await follow(jar, `${base}/auth/login${query}`);
    expect(step.response.status).toBe(200);
    expect(new URL(step.url).pathname).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
    return { html: await step.response.text(), url: step.url, response: step.response };
  }

  async function signInWithPassword(jar: CookieJar, login: string, password: string, query = ''): Promise<Step> {
    const page = await openSignIn(jar, query);
    return follow(jar, new URL(formAction(page.html, 'login'), base).href, { form: { login, password, lang: 'zh-CN' }, stopBefore: leavesSignIn });
  }

  async function signInAsDemo(jar: CookieJar, subject: string, query = ''): Promise<Step> {
    const page = await openSignIn(jar, query);
    expect(page.html).toContain(`value="${subject}"`);
    return follow(jar, new URL(formAction(page.html, 'demo'), base).href, { form: { subject, lang: 'zh-CN' }, stopBefore: leavesSignIn });
  }

  async function me(jar: CookieJar) {
    return send(jar, `${base}/api/v1/me`);
  }

  beforeAll(async () => {
    server = await startTestServer({ database: kind, demo: true, listen: true });
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens where its public URL says, and publishes the provider at /oidc', async () => {
    expect(server.config.publicUrl).toBe(base);
    const response = await fetch(`${base}/oidc/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = await response.json() as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: `${base}/oidc`,
      authorization_endpoint: `${base}/oidc/auth`,
      token_endpoint: `${base}/oidc/token`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'name', 'id_number', 'phone_number', 'district_code']));
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'realname']));
    const jwks = await (await fetch(`${base}/oidc/jwks`)).json() as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((key) => key.alg)).toEqual(['ES256']);
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
    // Generated once into DATA_DIR, readable by the platform's user only.
    const file = jwksFilePath(server.config);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await loadSigningKeys(server.config)).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
  });

  it('keeps /oidc/* and /auth/* away from the web app fallback and out of the API document', async () => {
    const unknownAuth = await fetch(`${base}/auth/nothing-here`);
    expect(unknownAuth.status).toBe(404);
    expect(unknownAuth.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const unknownOidc = await fetch(`${base}/oidc/nothing-here`);
    expect(unknownOidc.status).toBe(404);
    expect(await unknownOidc.text()).not.toContain('<div id="root"');
    const openapi = await (await fetch(`${base}/api/v1/openapi.json`)).json() as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths).filter((path) => /^\/(auth|oidc)\//.test(path))).toEqual([]);
  });

  it('shows a Chinese sign-in page with an English switch, demo accounts and no scripts', async () => {
    const jar = new CookieJar();
    const page = await openSignIn(jar);
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toMatch(/<label for="login">登录名<\/label>/);
    expect(page.html).toMatch(/<label for="password">密码<\/label>/);
    expect(page.html).toContain('毛警官');
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).not.toMatch(/\s(src|href)="https?:/);
    expect(page.response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(page.response.headers.get('cache-control')).toBe('no-store');
    // Ten demo staff and the first five demo residents, each with a one-click button; numbers masked.
    expect(page.html.match(/以此身份登录/g)).toHaveLength(15);
    for (let index = 0; index < 5; index += 1) {
      const resident = demoResident(index);
      expect(page.html).toContain(resident.name);
      expect(page.html).not.toContain(resident.idNumber);
      expect(page.html).toContain(`${resident.idNumber.slice(0, 6)}********${resident.idNumber.slice(-4)}`);
    }
    const english = /<a class="lang" href="([^"]+)"/.exec(page.html)![1]!;
    expect(english).toMatch(/\?lang=en$/);
    const englishPage = await send(jar, new URL(english, base).href);
    const englishHtml = await englishPage.text();
    expect(englishHtml).toContain('<html lang="en">');
    expect(englishHtml).toContain('<label for="login">Login name</label>');
  });

  it('signs in staff with login name and password: the session cookie works for /api/v1/me', async () => {
    const jar = new CookieJar();
    const done = await signInWithPassword(jar, 'officer-xiawafang', 'demo1234', '?returnTo=%2Fcounter%2Fqueue%3Fday%3Dtoday');
    expect(done.response.status).toBe(303);
    expect(done.next).toBe(`${base}/counter/queue?day=today`);
    const session = jar.get('haihe_session')!;
    expect(session.path).toBe('/');
    expect(session.attributes).toMatch(/HttpOnly/);
    expect(session.attributes).toMatch(/SameSite=Lax/);
    expect(session.attributes).not.toMatch(/Secure/);
    const csrf = jar.get('haihe_csrf')!;
    expect(csrf.attributes).not.toMatch(/HttpOnly/);
    expect(jar.get('haihe_auth')).toBeUndefined();

    const response = await me(jar);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: 'person', name: '毛警官', roles: ['window_officer'], hallId: DEMO_HALL_ID });

    const state = await (await send(jar, `${base}/auth/session`)).json() as Record<string, any>;
    expect(state).toMatchObject({ signedIn: true, csrfToken: csrf.value, me: { hallId: DEMO_HALL_ID } });

    // The cookie session needs the CSRF header for changes; sign-out then ends it.
    expect((await send(jar, `${base}/api/v1/auth/logout`, { method: 'POST' })).status).toBe(403);
    expect((await send(jar, `${base}/api/v1/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': csrf.value } })).status).toBe(204);
    expect((await me(jar)).status).toBe(401);
    expect(await (await send(jar, `${base}/auth/session`)).json()).toEqual({ signedIn: false });
  });

  it('keeps a wrong password on the sign-in page with a plain Chinese error', async () => {
    const jar = new CookieJar();
    const page = await openSignIn(jar);
    const action = new URL(formAction(page.html, 'login'), base).href;
    const wrong = await send(jar, action, { form: { login: 'officer-xiawafang', password: 'not-the-password', lang: 'zh-CN' } });
    expect(wrong.status).toBe(200);
    const html = await wrong.text();
    expect(html).toContain('登录名或密码不正确');
    expect(html).toContain('role="alert"');
    expect(html).toContain('value="officer-xiawafang"');
    expect(formAction(html, 'login')).toBe(new URL(action).pathname);
    expect(jar.get('haihe_session')).toBeUndefined();

    const empty = await send(jar, action, { form: { login: '', password: '', lang: 'zh-CN' } });
    expect(await empty.text()).toContain('请填写登录名和密码');

    // The same page still signs in with the right password.
    const done = await follow(jar, action, { form: { login: 'officer-xiawafang', password: 'demo1234', lang: 'zh-CN' }, stopBefore: leavesSignIn });
    expect(done.next).toBe(`${base}/counter`);
    expect((await me(jar)).status).toBe(200);
  });

  it('slows down password guessing for one login name', async () => {
    const jar = new CookieJar();
    const page = await openSignIn(jar);
    const action = new URL(formAction(page.html, 'login'), base).href;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await send(jar, action, { form: { login: 'lobby-xiawafang', password: `guess-${attempt}` } });
    }
    const blocked = await send(jar, action, { form: { login: 'lobby-xiawafang', password: 'demo1234' } });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('15 分钟后再试');
  });

  it('refuses a callback whose state does not match, and one without the state cookie', async () => {
    const jar = new CookieJar();
    const page = await openSignIn(jar);
    const toCallback = await follow(jar, new URL(formAction(page.html, 'login'), base).href, {
      form: { login: 'officer-xiawafang', password: 'demo1234' },
      stopBefore: (next) => next.pathname === '/auth/callback',
    });
    const callback = new URL(toCallback.next!);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');

    const refused = await send(jar, forged.href);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('登录请求已失效');
    expect(refused.headers.getSetCookie().some((line) => line.startsWith('haihe_session='))).toBe(false);
    expect(jar.get('haihe_session')).toBeUndefined();

    // The real callback no longer works either: the state cookie is spent.
    const replay = await send(jar, callback.href);
    expect(replay.status).toBe(400);
    expect(jar.get('haihe_session')).toBeUndefined();
    expect((await me(jar)).status).toBe(401);
  });

  it('ignores a returnTo that leaves the platform and sends people to their role’s home', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/', '/\\evil.example', '/auth/logout']) {
      const jar = new CookieJar();
      const done = await signInWithPassword(jar, 'officer-xiawafang', 'demo1234', `?returnTo=${encodeURIComponent(returnTo)}`);
      expect(done.next).toBe(`${base}/counter`);
    }
    const admin = await signInWithPassword(new CookieJar(), 'admin', 'demo1234');
    expect(admin.next).toBe(`${base}/console`);
  });

  it('signs in a demo resident with one click; /me shows the identity number masked', async () => {
    const jar = new CookieJar();
    const done = await signInAsDemo(jar, 'p_demo_0000002');
    expect(done.next).toBe(`${base}/citizen`);
    const body = await (await me(jar)).json() as Record<string, string>;
    expect(body).toMatchObject({ subject: 'p_demo_0000002', roles: ['citizen'], name: demoResident(2).name });
    expect(body.idNumberMasked).toMatch(MASKED_ID);
  });

  it('refuses a one-click sign-in as someone who is not a demo account', async () => {
    await server.platform.context.database.execute(`UPDATE people SET demo = false WHERE login = 'cases-city'`);
    try {
      const jar = new CookieJar();
      const page = await openSignIn(jar);
      const [person] = await server.platform.context.database.query<{ id: string }>(`SELECT id FROM people WHERE login = 'cases-city'`);
      const response = await send(jar, new URL(formAction(page.html, 'demo'), base).href, { form: { subject: person!.id } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('找不到这个演示账号');
      expect(jar.get('haihe_session')).toBeUndefined();
    } finally {
      await server.platform.context.database.execute(`UPDATE people SET demo = true WHERE login = 'cases-city'`);
    }
  });

  it('goes back to the home page when the person cancels', async () => {
    const jar = new CookieJar();
    const page = await openSignIn(jar);
    const done = await follow(jar, new URL(formAction(page.html, 'abort'), base).href, { form: { lang: 'zh-CN' }, stopBefore: leavesSignIn });
    expect(done.next).toBe(`${base}/`);
    expect(jar.get('haihe_session')).toBeUndefined();
  });

  it('explains an expired or unknown sign-in page instead of failing', async () => {
    const response = await fetch(`${base}/oidc/interaction/does-not-exist`);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('登录页面已过期');
    expect(html).toContain('href="/auth/login"');
  });

  it('releases the identity number only under the realname scope', async () => {
    const rp = await client.discovery(new URL(`${base}/oidc`), WEB_CLIENT_ID, { id_token_signed_response_alg: 'ES256' },
      client.ClientSecretBasic(webClientSecret(server.platform.context.keys)), { execute: [client.allowInsecureRequests] });
    const resident = demoResident(1);

    async function userinfo(scope: string): Promise<Record<string, unknown>> {
      const jar = new CookieJar();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: `${base}/auth/callback`,
        scope,
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const page = await follow(jar, url.href);
      const html = await page.response.text();
      const step = await follow(jar, new URL(formAction(html, 'demo'), base).href, {
        form: { subject: 'p_demo_0000001' },
        stopBefore: (next) => next.pathname === '/auth/callback',
      });
      const tokens = await client.authorizationCodeGrant(rp, new URL(step.next!), { pkceCodeVerifier: verifier, expectedState: state });
      return client.fetchUserInfo(rp, tokens.access_token, 'p_demo_0000001') as Promise<Record<string, unknown>>;
    }

    const profile = await userinfo('openid profile phone district');
    expect(profile).toEqual({ sub: 'p_demo_0000001', name: resident.name, phone_number: `+86${resident.phone}`, district_code: resident.districtCode });
    const realname = await userinfo('openid realname');
    expect(realname).toEqual({ sub: 'p_demo_0000001', id_number: resident.idNumber });

    // The provider's stored state never holds the number in clear.
    const rows = await server.platform.context.database.query<{ text: string }>('SELECT payload::text AS text FROM oidc_payloads');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.text.includes(resident.idNumber))).toBe(false);
  });

  it('GET /auth/logout ends the platform session and the provider session, then returns home', async () => {
    const jar = new CookieJar();
    await signInWithPassword(jar, 'manager-xiawafang', 'demo1234');
    const providerSession = jar.get('haihe_op_session')!;
    expect(providerSession.path).toBe('/oidc');
    const database = server.platform.context.database;
    const sessionRows = () => database.query(`SELECT 1 FROM oidc_payloads WHERE model = 'Session' AND id = $1`, [providerSession.value]);
    expect(await sessionRows()).toHaveLength(1);
    const oldSession = jar.get('haihe_session')!.value;

    const done = await follow(jar, `${base}/auth/logout`, { stopBefore: leavesSignIn });
    expect(done.next).toBe(`${base}/`);
    expect(jar.get('haihe_session')).toBeUndefined();
    expect(jar.get('haihe_op_session')).toBeUndefined();
    expect(await sessionRows()).toHaveLength(0);
    // The old session token stops working even if someone kept it.
    expect((await fetch(`${base}/api/v1/me`, { headers: { cookie: `haihe_session=${oldSession}` } })).status).toBe(401);
  });

  it('lets a sign-in started on one process finish on another (state in PostgreSQL, shared keys)', async () => {
    const second: Platform = await buildPlatform({
      config: server.config,
      clock: server.clock,
      database: server.platform.context.database,
      logger: createLogger('silent'),
      serveWeb: false,
      startJobs: false,
    });
    try {
      const jar = new CookieJar();
      const viaSecond = async (url: string, form?: Record<string, string>) => {
        const target = new URL(url, base);
        const cookie = jar.header(target.href);
        const response = await second.app.inject({
          method: form ? 'POST' : 'GET',
          url: `${target.pathname}${target.search}`,
          headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
        });
        const setCookie = response.headers['set-cookie'];
        jar.store(setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]);
        return response;
      };
      const login = await send(jar, `${base}/auth/login?returnTo=%2Fcounter`);
      const authorize = await viaSecond(login.headers.get('location')!);
      expect(authorize.statusCode).toBe(303);
      const page = await send(jar, new URL(authorize.headers.location as string, base).href);
      const posted = await viaSecond(formAction(await page.text(), 'login'), { login: 'officer-xiawafang', password: 'demo1234' });
      expect(posted.statusCode).toBe(303);
      const resumed = await send(jar, new URL(posted.headers.location as string, base).href);
      expect(resumed.status).toBe(303);
      const callback = await viaSecond(resumed.headers.get('location')!);
      expect(callback.statusCode).toBe(303);
      expect(callback.headers.location).toBe('/counter');
      expect((await me(jar)).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('sign-in behind a TLS proxy (public URL https, the process on plain HTTP)', () => {
  let server: TestServer;
  const origin = 'https://haihe.example';

  beforeAll(async () => {
    server = await startTestServer({ demo: true, serveWeb: false, env: { PUBLIC_URL: origin } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('issues Secure cookies and public https URLs all the way through', async () => {
    const jar = new CookieJar();
    const inject = async (url: string, form?: Record<string, string>) => {
      const target = new URL(url, origin);
      const cookie = jar.header(target.href);
      const response = await server.platform.app.inject({
        method: form ? 'POST' : 'GET',
        url: `${target.pathname}${target.search}`,
        // What the proxy forwards: its own upstream host; the platform must not trust it for URLs.
        headers: { host: '127.0.0.1:3000', ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      });
      const setCookie = response.headers['set-cookie'];
      const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
      for (const line of lines) expect(line).toMatch(/;\s*secure/i);
      jar.store(lines);
      return response;
    };
    const login = await inject('/auth/login');
    expect(login.headers.location).toMatch(new RegExp(`^${origin}/oidc/auth\\?`));
    const authorize = await inject(login.headers.location as string);
    expect(authorize.statusCode).toBe(303);
    const page = await inject(authorize.headers.location as string);
    expect(page.statusCode).toBe(200);
    const posted = await inject(formAction(page.body, 'login'), { login: 'admin', password: 'demo1234' });
    const resumed = await inject(posted.headers.location as string);
    expect(resumed.headers.location).toMatch(new RegExp(`^${origin}/auth/callback\\?`));
    const callback = await inject(resumed.headers.location as string);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/console');
    expect(jar.get('haihe_session')?.attributes).toMatch(/Secure/);
  });
});

describe('the claim mapping', () => {
  const resident = demoResident(7);
  const facts = { name: resident.name, idNumber: () => resident.idNumber, phone: () => resident.phone, districtCode: resident.districtCode };

  it('releases claims by scope, and opens sealed values only when their scope is granted', () => {
    let opened = 0;
    const counting = { ...facts, idNumber: () => { opened += 1; return resident.idNumber; } };
    expect(claimsFor('p1', counting, new Set(['openid', 'profile']))).toEqual({ sub: 'p1', name: resident.name });
    expect(opened).toBe(0);
    expect(claimsFor('p1', counting, new Set(['openid', 'realname', 'phone', 'district']))).toEqual({
      sub: 'p1', id_number: resident.idNumber, phone_number: `+86${resident.phone}`, district_code: resident.districtCode,
    });
    expect(opened).toBe(1);
  });

  it('reads a city provider’s claims through the same names, dropping malformed values', () => {
    expect(mapClaims({ sub: 'x', name: ' 王小明 ', id_number: '12010419850615123x', phone_number: '+86 139-1234-5678', district_code: '120104' }))
      .toEqual({ name: '王小明', idNumber: '12010419850615123X', phone: '13912345678', districtCode: '120104' });
    expect(mapClaims({ name: '', phone_number: '12345', district_code: 'Nankai', id_number: 42 })).toEqual({});
  });

  it('accepts only same-origin paths as returnTo, and picks a home by role', () => {
    const url = 'https://haihe.example';
    expect(safeReturnTo('/citizen/services?x=1#top', url)).toBe('/citizen/services?x=1#top');
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'citizen', '/auth/login', '/oidc/auth', '/a\nb', undefined, '']) {
      expect(safeReturnTo(bad, url)).toBeUndefined();
    }
    expect(homeFor(['citizen'])).toBe('/citizen');
    expect(homeFor(['window_officer'])).toBe('/counter');
    expect(homeFor(['merchant'])).toBe('/counter');
    expect(homeFor(['verifier'])).toBe('/counter');
    expect(homeFor(['admin_halls'])).toBe('/console');
    expect(homeFor(['case_handler_district'])).toBe('/console');
  });
});

describe('sign-in through a city’s own provider', () => {
  const CLIENT_SECRET = 'city-provider-test-secret-0123456789';
  const newcomerId = makeIdNumber('120104', '1985-06-15', 123);
  const accounts: Record<string, Record<string, unknown>> = {
    'city-newcomer': { name: '测试居民', id_number: newcomerId, phone_number: '+86 139 1234 5678', district_code: '120104' },
    'city-demo-3': { name: demoResident(3).name, id_number: demoResident(3).idNumber },
    'city-no-number': { name: '无号码' },
    'city-bad-number': { name: '错号码', id_number: `${newcomerId.slice(0, 17)}${newcomerId.endsWith('0') ? '1' : '0'}` },
  };
  let signingInAs = 'city-newcomer';
  let cityProvider: Provider | undefined;
  let cityServer: http.Server;
  let cityUrl: string;
  let server: TestServer;

  beforeAll(async () => {
    cityServer = http.createServer((request, response) => {
      void (async () => {
        if (!cityProvider) throw new Error('not ready');
        if (request.url?.startsWith('/interaction/')) {
          // The city's own sign-in page is out of scope: it signs in whoever the test says.
          const returnTo = await cityProvider.interactionResult(request, response, { login: { accountId: signingInAs } }, { mergeWithLastSubmission: false });
          response.writeHead(303, { location: returnTo }).end();
          return;
        }
        await cityProvider.callback()(request, response);
      })().catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => cityServer.listen(0, '127.0.0.1', resolve));
    cityUrl = `http://127.0.0.1:${(cityServer.address() as { port: number }).port}`;
    server = await startTestServer({
      demo: true,
      listen: true,
      serveWeb: false,
      env: { OIDC_ISSUER: cityUrl, OIDC_CLIENT_ID: 'haihe', OIDC_CLIENT_SECRET: CLIENT_SECRET },
    });
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    cityProvider = new Provider(cityUrl, {
      clients: [{
        client_id: 'haihe',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${server.url}/auth/callback`],
        post_logout_redirect_uris: [`${server.url}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }],
      claims: { openid: ['sub'], profile: ['name'], phone: ['phone_number'], realname: ['id_number'], district: ['district_code'] },
      jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'city-1', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['city-provider-cookie-key'] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      async findAccount(_ctx, sub) {
        const claims = accounts[sub];
        return claims ? { accountId: sub, claims: () => ({ sub, ...claims }) } : undefined;
      },
      async loadExistingGrant(ctx) {
        const grant = new ctx.oidc.provider.Grant({ accountId: ctx.oidc.session.accountId!, clientId: ctx.oidc.client!.clientId });
        grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
        await grant.save();
        return grant;
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => cityServer?.close(resolve));
  });

  async function signIn(account: string): Promise<{ jar: CookieJar; step: Step }> {
    signingInAs = account;
    const jar = new CookieJar();
    const step = await follow(jar, `${server.url}/auth/login`, { stopBefore: (next) => next.origin === server.url && leavesSignIn(next) });
    return { jar, step };
  }

  async function meOf(jar: CookieJar) {
    return (await send(jar, `${server.url}/api/v1/me`)).json() as Promise<Record<string, unknown>>;
  }

  it('sends people to the city’s provider and registers a new resident from its claims', async () => {
    const { jar, step } = await signIn('city-newcomer');
    expect(step.next).toBe(`${server.url}/citizen`);
    const body = await meOf(jar);
    expect(body).toMatchObject({
      kind: 'person', roles: ['citizen'], name: '测试居民',
      idNumberMasked: `120104********${newcomerId.slice(-4)}`, phoneMasked: '139****5678', districtCode: '120104',
    });
    const [person] = await server.platform.context.database.query<{ id: string; oidc_issuer: string; oidc_subject: string }>(
      'SELECT id, oidc_issuer, oidc_subject FROM people WHERE id = $1', [body.subject],
    );
    expect(person).toMatchObject({ oidc_issuer: cityUrl, oidc_subject: 'city-newcomer' });

    // The next sign-in finds the same person by (issuer, subject).
    const again = await signIn('city-newcomer');
    expect((await meOf(again.jar)).subject).toBe(body.subject);
  });

  it('finds a known resident by identity number and links them', async () => {
    const { jar } = await signIn('city-demo-3');
    expect((await meOf(jar)).subject).toBe('p_demo_0000003');
    const [person] = await server.platform.context.database.query<{ oidc_subject: string }>(`SELECT oidc_subject FROM people WHERE id = 'p_demo_0000003'`);
    expect(person!.oidc_subject).toBe('city-demo-3');
  });

  it('refuses real-name sign-in without a valid identity number, in plain words', async () => {
    const missing = await signIn('city-no-number');
    expect(missing.step.response.status).toBe(403);
    expect(await missing.step.response.text()).toContain('没有提供身份证号码');
    const invalid = await signIn('city-bad-number');
    expect(invalid.step.response.status).toBe(403);
    expect(await invalid.step.response.text()).toContain('身份证号码不正确');
    expect(invalid.jar.get('haihe_session')).toBeUndefined();
  });

  it('signs out at the city’s provider too', async () => {
    const { jar } = await signIn('city-newcomer');
    const response = await send(jar, `${server.url}/auth/logout`);
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${cityUrl}/session/end`);
    expect(location.searchParams.get('client_id')).toBe('haihe');
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${server.url}/`);
    expect(jar.get('haihe_session')).toBeUndefined();
  });
});
