// Browser test of sign-in through the built-in OpenID Connect provider: a resident with the demo
// one-click button, a member of staff with login name and password, the page's accessibility.
// Runs when HAIHE_E2E=1. Writes docs/images/signin.png (the Chinese sign-in page).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoResident, DEMO_HALL_ID } from '../src/modules/identity/index.ts';
import { startTestServer, type TestServer } from '../test/support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCREENSHOT = path.join(ROOT, 'docs/images/signin.png');
const MASKED_ID = /^\d{6}\*{8}\d{3}[\dX]$/;
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(viewport = MOBILE): Promise<{ page: Page; context: BrowserContext; cspViolations: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { page, context, cspViolations };
}

/** GET /api/v1/me from inside the page, with the browser's own cookies. */
async function meFromPage(page: Page): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async () => {
    const response = await fetch('/api/v1/me', { credentials: 'include' });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  });
}

describe('sign-in in a real browser', () => {
  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'web/dist/index.html'))) {
      execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: 'inherit' });
    }
    server = await startTestServer({ demo: true, listen: true, serveWeb: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('shows the Chinese sign-in page (screenshot in docs/images/signin.png)', async () => {
    const { page, cspViolations } = await newPage();
    await page.goto(`${server.url}/auth/login`);
    await page.waitForURL(/\/oidc\/interaction\/[\w-]+$/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect.poll(() => page.title()).toContain('登录');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录');
    expect(await page.getByRole('link', { name: 'English' }).getAttribute('href')).toMatch(/\?lang=en$/);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(cspViolations).toEqual([]);
  });

  it('a resident signs in with one click and lands on /citizen; /api/v1/me shows the number masked', async () => {
    const { page, context, cspViolations } = await newPage();
    await page.goto(`${server.url}/auth/login`);
    await page.waitForURL(/\/oidc\/interaction\//);
    const resident = demoResident(0);
    const row = page.locator('li', { hasText: resident.name });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: '以此身份登录' }).click();
    await page.waitForURL(`${server.url}/citizen`);

    const cookies = await context.cookies(server.url);
    const session = cookies.find((cookie) => cookie.name === 'haihe_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookies.find((cookie) => cookie.name === 'haihe_csrf')).toMatchObject({ httpOnly: false });

    const me = await meFromPage(page);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ subject: 'p_demo_0000000', name: resident.name, roles: ['citizen'] });
    expect(me.body.idNumberMasked).toMatch(MASKED_ID);
    expect(me.body.idNumberMasked).not.toBe(resident.idNumber);
    expect(cspViolations).toEqual([]);
  });

  it('a member of staff signs in with login name and password and lands on /counter', async () => {
    const { page, cspViolations } = await newPage(DESKTOP);
    await page.goto(`${server.url}/auth/login`);
    await page.waitForURL(/\/oidc\/interaction\//);
    await page.getByLabel('登录名', { exact: true }).fill('officer-xiawafang');
    await page.getByLabel('密码', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('登录名或密码不正确');
    expect(await page.getByLabel('登录名', { exact: true }).inputValue()).toBe('officer-xiawafang');

    await page.getByLabel('密码', { exact: true }).fill('demo1234');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${server.url}/counter`);
    const me = await meFromPage(page);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: '毛警官', roles: ['window_officer'], hallId: DEMO_HALL_ID });
    expect(cspViolations).toEqual([]);
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`the sign-in page (${lang}) meets WCAG 2.1 AA, has 44px targets and a visible focus`, async () => {
      const { page } = await newPage();
      await page.goto(`${server.url}/auth/login?lang=${lang}`);
      await page.waitForURL(/\/oidc\/interaction\//);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(results.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

      const small = await page.locator('main button, main input:not([type=hidden]), main a, header a').evaluateAll((elements) =>
        elements
          .map((element) => ({ element, box: element.getBoundingClientRect() }))
          .filter(({ box }) => box.width < 44 || box.height < 44)
          .map(({ element }) => element.outerHTML.slice(0, 80)));
      expect(small).toEqual([]);

      const bodyFont = await page.evaluate<{ size: number; lineHeight: number }>(
        '(() => { const s = getComputedStyle(document.body); return { size: parseFloat(s.fontSize), lineHeight: parseFloat(s.lineHeight) / parseFloat(s.fontSize) }; })()',
      );
      expect(bodyFont.size).toBeGreaterThanOrEqual(18);
      expect(bodyFont.lineHeight).toBeGreaterThanOrEqual(1.5);

      // Keyboard: Tab reaches the login field, and it shows a focus ring.
      for (let presses = 0; presses < 6; presses += 1) {
        await page.keyboard.press('Tab');
        if (await page.evaluate<boolean>("document.activeElement?.id === 'login'")) break;
      }
      const outline = await page.evaluate<{ style: string; width: number }>(
        "(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; })()",
      );
      expect(await page.evaluate<boolean>("document.activeElement?.id === 'login'")).toBe(true);
      expect(outline.style).toBe('solid');
      expect(outline.width).toBeGreaterThanOrEqual(2);
    });
  }
});
