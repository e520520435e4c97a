// Browser test of the identity pages: the citizen "我的" page (masked personal data, sign-out), the
// staff account pages and role checks, and the console's machine clients (register, one-time secret,
// rotate, revoke), checked with axe (WCAG 2.1 A/AA) in normal and large-text mode. Runs when HAIHE_E2E=1.
//
// The platform runs in demo mode (test/support/server.ts). Tests sign in by putting a demo token
// (POST /api/v1/demo/tokens) into the session cookie, next to a CSRF cookie, as sign-in would.
// HAIHE_SCREENSHOTS=1 also writes docs/images/citizen-me.png and docs/images/console-clients.png.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/support/server.ts';
import {
  en,
  ensureWebBuild,
  expectNoSeriousAxeViolations as axeCheck,
  expectTargets,
  gotoAndWait,
  js,
  largeTextOn,
  launchBrowser,
  msg,
  openPage,
  printAxeSummary,
  screenshot,
  zh,
  type AxeLogEntry,
  signInWithToken,
  fetchDemoTokens,
  type DemoToken,
} from './support.ts';

const CSRF = 'x'.repeat(32);
const DISTRICT_NAMES = ['和平区', '河东区', '河西区', '南开区', '河北区', '红桥区', '东丽区', '西青区', '津南区', '北辰区', '武清区', '宝坻区', '滨海新区', '宁河区', '静海区', '蓟州区'];

const axeLog: AxeLogEntry[] = [];
let server: TestServer;
let url: string;
let browser: Browser;

function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  return axeCheck(page, label, axeLog);
}

const demoTokens = (role: 'citizen' | 'admin', count = 1) => fetchDemoTokens(url, role, count);

const signIn = (context: BrowserContext, token: string) => signInWithToken(context, url, token, CSRF);

/** POST /api/v1/oauth/token with client credentials, as a till or platform would. */
async function clientToken(clientId: string, clientSecret: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

async function meStatus(headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${url}/api/v1/me`, { headers });
  await res.arrayBuffer();
  return res.status;
}

/** Turns large text on or off; `underDialog` clicks the toggle behind an open modal dialog by script. */
async function setLargeText(page: Page, on: boolean, underDialog = false): Promise<void> {
  const toggle = page.getByTestId('large-text-toggle');
  if ((await largeTextOn(page)) !== on) await (underDialog ? toggle.dispatchEvent('click') : toggle.click());
  expect(await largeTextOn(page)).toBe(on);
}

function maskOf(idNumber: string): string {
  return `${idNumber.slice(0, 6)}${'*'.repeat(8)}${idNumber.slice(14)}`;
}

describe('identity pages', () => {
  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer({ demo: true, listen: true, serveWeb: true });
    url = server.url.replace(/\/$/, '');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    printAxeSummary(axeLog);
  });

  it('citizen 我的, signed out: a real-name sign-in link and the privacy note, without asking the server', async () => {
    const { context, page, errors } = await openPage(browser, { mobile: true });
    try {
      const apiCalls: string[] = [];
      page.on('request', (req) => {
        if (new URL(req.url()).pathname.startsWith('/api/')) apiCalls.push(new URL(req.url()).pathname);
      });
      await gotoAndWait(page, `${url}/citizen/me`, msg(zh, 'citizen.me.title'));
      const signInLink = page.getByTestId('sign-in');
      await expect.poll(() => signInLink.innerText()).toBe(msg(zh, 'citizen.me.signIn'));
      expect(await signInLink.getAttribute('href')).toBe('/auth/login?returnTo=%2Fcitizen%2Fme');
      expect(await page.getByRole('heading', { name: msg(zh, 'citizen.me.privacy.title') }).count()).toBe(1);
      expect(await page.getByText(msg(zh, 'citizen.me.privacy.logs')).count()).toBe(1);
      expect(apiCalls).toEqual([]);
      await expectTargets(page, '.citizen-big-button', 44);
      await expectNoSeriousAxeViolations(page, '/citizen/me signed out (zh-CN)');

      await setLargeText(page, true);
      await expectTargets(page, '.citizen-big-button, .citizen-tab-link', 60);
      await expectNoSeriousAxeViolations(page, '/citizen/me signed out (zh-CN, large text)');

      await page.getByTestId('lang-switch').click();
      await expect.poll(() => signInLink.innerText()).toBe(msg(en, 'citizen.me.signIn'));
      expect(await page.getByRole('heading', { name: msg(en, 'citizen.me.privacy.title') }).count()).toBe(1);
      await expectNoSeriousAxeViolations(page, '/citizen/me signed out (en, large text)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('citizen 我的, signed in: masked identity number only; sign-out ends the session', async () => {
    const [citizen] = await demoTokens('citizen');
    expect(citizen?.idNumber).toMatch(/^\d{17}[\dX]$/);
    const { token, idNumber, name } = citizen as Required<DemoToken>;
    const { context, page, errors } = await openPage(browser, { mobile: true });
    try {
      await signIn(context, token);
      await gotoAndWait(page, `${url}/citizen/me`, msg(zh, 'citizen.me.title'));
      const idCell = page.getByTestId('me-id-number');
      await expect.poll(() => idCell.innerText(), { timeout: 15_000 }).toBe(maskOf(idNumber));
      expect(await page.getByTestId('me-name').innerText()).toBe(name);
      expect(await page.getByTestId('me-phone').innerText()).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(DISTRICT_NAMES).toContain(await page.getByTestId('me-district').innerText());
      expect(await page.getByText(msg(zh, 'citizen.me.maskedHint')).count()).toBe(1);
      // The clear number is nowhere in the document, not even in attributes.
      expect(await page.content()).not.toContain(idNumber);
      expect(await page.content()).not.toContain(idNumber.slice(6, 14));
      await expectNoSeriousAxeViolations(page, '/citizen/me signed in (zh-CN)');
      await screenshot(page, 'citizen-me.png');

      await setLargeText(page, true);
      await expectTargets(page, '.citizen-sign-out, .prefs-btn, .citizen-tab-link', 60);
      await expectNoSeriousAxeViolations(page, '/citizen/me signed in (zh-CN, large text)');
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => page.getByText(msg(en, 'citizen.me.idNumber'), { exact: true }).count()).toBe(1);
      await expectNoSeriousAxeViolations(page, '/citizen/me signed in (en, large text)');
      await page.getByTestId('lang-switch').click();
      await setLargeText(page, false);

      // Sign out: back to the area home, then 我的 offers sign-in again and the token no longer works.
      await page.getByTestId('sign-out').click();
      await page.waitForURL(`${url}/citizen`);
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'citizen.home.title'));
      expect((await context.cookies(url)).map((c) => c.name)).not.toContain('haihe_session');
      await page.locator('.citizen-tabbar').getByRole('link', { name: msg(zh, 'citizen.tabs.me') }).click();
      await expect.poll(() => page.getByTestId('sign-in').count()).toBe(1);
      expect(await page.getByTestId('me-id-number').count()).toBe(0);
      const afterSignOut = await page.request.get(`${url}/api/v1/me`);
      expect(afterSignOut.status()).toBe(401);
      expect(await meStatus({ authorization: `Bearer ${token}` })).toBe(401);
      expect(await meStatus({ cookie: `haihe_session=${token}` })).toBe(401);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('staff areas: a sign-in button when signed out, and clear states for a missing sign-in or role', async () => {
    const [citizen] = await demoTokens('citizen');
    const anonymous = await openPage(browser, { mobile: false });
    try {
      const { page } = anonymous;
      await gotoAndWait(page, `${url}/counter`, msg(zh, 'counter.home.title'));
      const headerSignIn = page.locator('.desktop-header').getByTestId('sign-in');
      await expect.poll(() => headerSignIn.count()).toBe(1);
      expect(await headerSignIn.getAttribute('href')).toBe('/auth/login?returnTo=%2Fcounter');

      await gotoAndWait(page, `${url}/console/clients`, msg(zh, 'console.clients.title'));
      await expect.poll(() => page.getByTestId('access-state').getAttribute('data-state')).toBe('signedOut');
      expect(await page.getByText(msg(zh, 'session.signInRequired')).count()).toBe(1);
      expect(await page.getByTestId('sign-in-required').getAttribute('href')).toBe('/auth/login?returnTo=%2Fconsole%2Fclients');
      await expectNoSeriousAxeViolations(page, '/console/clients signed out (zh-CN)');
      await gotoAndWait(page, `${url}/counter/me`, msg(zh, 'account.title'));
      await expect.poll(() => page.getByTestId('access-state').getAttribute('data-state')).toBe('signedOut');
      expect(anonymous.errors).toEqual([]);
    } finally {
      await anonymous.context.close();
    }

    const resident = await openPage(browser, { mobile: false });
    try {
      const { context, page } = resident;
      await signIn(context, citizen!.token);
      await gotoAndWait(page, `${url}/console/clients`, msg(zh, 'console.clients.title'));
      await expect.poll(() => page.getByTestId('access-state').getAttribute('data-state')).toBe('forbidden');
      expect(await page.getByText(msg(zh, 'session.forbidden')).count()).toBe(1);
      expect(await page.getByText(msg(zh, 'session.forbiddenDetail', { roles: msg(zh, 'roles.citizen') })).count()).toBe(1);
      await expectNoSeriousAxeViolations(page, '/console/clients forbidden (zh-CN)');
      await setLargeText(page, true);
      await expectNoSeriousAxeViolations(page, '/console/clients forbidden (zh-CN, large text)');
      await setLargeText(page, false);

      await gotoAndWait(page, `${url}/counter/me`, msg(zh, 'account.title'));
      expect(await page.getByTestId('account-roles').innerText()).toBe(msg(zh, 'roles.citizen'));
      expect(await page.getByTestId('account-name').innerText()).toBe(msg(zh, 'session.signedInAs', { name: citizen!.name }));
      // The account page of a staff area shows no personal numbers either.
      expect(await page.content()).not.toContain(citizen!.idNumber);
      expect(resident.errors).toEqual([]);
    } finally {
      await resident.context.close();
    }
  });

  it('admin registers a machine client, sees its secret once, rotates it and revokes it', async () => {
    const [admin] = await demoTokens('admin');
    const { context, page, errors } = await openPage(browser, { mobile: false });
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
      await signIn(context, admin!.token);
      await gotoAndWait(page, `${url}/console/clients`, msg(zh, 'console.clients.title'));
      await expect.poll(() => page.getByTestId('account-name').innerText()).toBe(msg(zh, 'session.signedInAs', { name: admin!.name }));
      // The demo clients are listed, with their status as text.
      await expect.poll(() => page.getByTestId('client-status-till-heping-01').innerText(), { timeout: 15_000 }).toBe(
        msg(zh, 'console.clients.status.active'),
      );
      expect(await page.getByTestId('token-command').innerText()).toContain('grant_type=client_credentials');
      expect(await page.locator('.console-sider .ant-menu-item-selected').innerText()).toBe(msg(zh, 'console.menu.clients'));
      await expectNoSeriousAxeViolations(page, '/console/clients (zh-CN)');

      // Register: the form checks the id before sending anything.
      await page.getByTestId('register-client').click();
      const dialog = page.getByRole('dialog', { name: msg(zh, 'console.clients.form.title') });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await page.getByTestId('client-id-input').fill('Bad Id');
      await page.getByTestId('client-name-input').fill('E2E 测试收银台');
      await page.getByTestId('client-organisation-input').fill('merchant-e2e');
      await page.getByTestId('register-submit').click();
      await expect.poll(() => dialog.getByText(msg(zh, 'console.clients.form.idInvalid')).count()).toBe(1);
      await expectNoSeriousAxeViolations(page, '/console/clients register form (zh-CN)');
      await page.getByTestId('client-id-input').fill('till-e2e-01');
      await page.getByTestId('register-submit').click();

      // The one-time secret.
      const secretDialog = page.getByTestId('secret-dialog');
      await expect.poll(() => secretDialog.isVisible()).toBe(true);
      // The form dialog has closed (its fade-out is over) and the secret dialog has finished opening.
      await expect.poll(() => dialog.isVisible()).toBe(false);
      await expect.poll(() => js<string>(page, "getComputedStyle(document.querySelector('[data-testid=secret-dialog]').closest('.ant-modal')).opacity")).toBe('1');
      expect(await secretDialog.innerText()).toContain(msg(zh, 'console.clients.secret.warning'));
      const secret = await page.getByTestId('client-secret').innerText();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await page.getByTestId('copy-secret').click();
      await expect.poll(() => secretDialog.getByText(msg(zh, 'console.clients.secret.copied')).count()).toBe(1);
      expect(await js<string>(page, 'navigator.clipboard.readText()')).toBe(secret);
      await expectNoSeriousAxeViolations(page, '/console/clients secret dialog (zh-CN)');
      await setLargeText(page, true, true);
      await expectTargets(page, '[data-testid="secret-done"], [data-testid="copy-secret"]', 60);
      await expectNoSeriousAxeViolations(page, '/console/clients secret dialog (zh-CN, large text)');
      await setLargeText(page, false, true);
      expect(await clientToken('till-e2e-01', secret)).toBe(200);
      await page.getByTestId('secret-done').click();
      await expect.poll(() => page.getByTestId('secret-dialog').count()).toBe(0);
      expect(await page.content()).not.toContain(secret);
      const row = page.locator('tr[data-row-key="till-e2e-01"]');
      expect(await row.getByTestId('client-status-till-e2e-01').innerText()).toBe(msg(zh, 'console.clients.status.active'));
      expect(await row.innerText()).toContain(`…${secret.slice(-4)}`);

      // Rotate, after confirming: a new secret; the old one stops working.
      await page.getByTestId('rotate-till-e2e-01').click();
      const rotateConfirm = page.locator('.ant-popconfirm').filter({ hasText: msg(zh, 'console.clients.rotateConfirm', { name: 'E2E 测试收银台' }) });
      await expect.poll(() => rotateConfirm.isVisible()).toBe(true);
      await rotateConfirm.getByRole('button', { name: msg(zh, 'console.clients.confirm') }).click();
      await expect.poll(() => page.getByTestId('secret-dialog').isVisible()).toBe(true);
      expect(await page.getByTestId('secret-dialog').innerText()).toContain(msg(zh, 'console.clients.secret.rotated', { name: 'E2E 测试收银台' }));
      const rotated = await page.getByTestId('client-secret').innerText();
      expect(rotated).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(rotated).not.toBe(secret);
      expect(await clientToken('till-e2e-01', secret)).toBe(401);
      expect(await clientToken('till-e2e-01', rotated)).toBe(200);
      await page.getByTestId('secret-done').click();
      await expect.poll(() => row.innerText()).toContain(`…${rotated.slice(-4)}`);

      // Revoke, after confirming: the status text changes and the actions go.
      await page.getByTestId('revoke-till-e2e-01').click();
      const revokeConfirm = page.locator('.ant-popconfirm').filter({ hasText: msg(zh, 'console.clients.revokeConfirm', { name: 'E2E 测试收银台' }) });
      await expect.poll(() => revokeConfirm.isVisible()).toBe(true);
      await expectNoSeriousAxeViolations(page, '/console/clients revoke confirmation (zh-CN)');
      await revokeConfirm.getByRole('button', { name: msg(zh, 'console.clients.confirm') }).click();
      await expect.poll(() => row.getByTestId('client-status-till-e2e-01').innerText()).toBe(msg(zh, 'console.clients.status.revoked'));
      expect(await row.getByTestId('rotate-till-e2e-01').count()).toBe(0);
      expect(await page.getByText(msg(zh, 'console.clients.revokedMessage', { name: 'E2E 测试收银台' })).count()).toBe(1);
      expect(await clientToken('till-e2e-01', rotated)).toBe(401);
      await expectNoSeriousAxeViolations(page, '/console/clients after revoke (zh-CN)');
      // The whole table fits a 1280px screen without scrolling sideways.
      expect(await js<boolean>(page, "(() => { const t = document.querySelector('.clients-card .ant-table-content'); return t.scrollWidth <= t.clientWidth; })()")).toBe(true);
      await js(page, 'window.scrollTo(0, 0)');
      await screenshot(page, 'console-clients.png', { fullPage: true });

      await setLargeText(page, true);
      await expectTargets(page, '.desktop-content .ant-btn, .desktop-account, .ant-menu-item', 60);
      await expectNoSeriousAxeViolations(page, '/console/clients (zh-CN, large text)');
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(en, 'console.clients.title'));
      expect(await row.getByTestId('client-status-till-e2e-01').innerText()).toBe(msg(en, 'console.clients.status.revoked'));
      await expectNoSeriousAxeViolations(page, '/console/clients (en, large text)');
      await page.getByTestId('lang-switch').click();
      await setLargeText(page, false);

      // The account page: roles in plain words; signing out there signs the console out.
      await page.getByTestId('account-name').click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'account.title'));
      expect(await page.getByTestId('account-roles').innerText()).toBe(msg(zh, 'roles.admin_platform'));
      await expectNoSeriousAxeViolations(page, '/console/me (zh-CN)');
      await setLargeText(page, true);
      await expectNoSeriousAxeViolations(page, '/console/me (zh-CN, large text)');
      await page.getByTestId('sign-out').click();
      await page.waitForURL(`${url}/console`);
      await expect.poll(() => page.locator('.desktop-header').getByTestId('sign-in').count()).toBe(1);
      expect(await meStatus({ authorization: `Bearer ${admin!.token}` })).toBe(401);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
