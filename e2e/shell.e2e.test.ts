// Browser test of the web shell: every area's home page in Chinese and English, normal and large text,
// checked with axe (WCAG 2.1 A/AA), for touch-target sizes, persistence of the display settings, and
// for loading only its own UI kit. Runs when HAIHE_E2E=1.
//
// Server: test/support/server.ts's startTestServer (API + web/dist) when that file exists, otherwise
// `vite preview` of web/dist. HAIHE_E2E_SERVER=preview forces the preview server.
// web/dist is rebuilt first when it is older than the web sources (see e2e/support.ts).
// HAIHE_SCREENSHOTS=1 also writes docs/images/*.png.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  en,
  expectNoSeriousAxeViolations as axeCheck,
  expectTargets,
  gotoAndWait,
  js,
  largeTextOn,
  launchBrowser,
  msg,
  openPage as openBrowserPage,
  printAxeSummary,
  ROOT,
  screenshot,
  VITE_CONFIG,
  zh,
  type AxeLogEntry,
} from './support.ts';

const SERVER_SUPPORT = path.join(ROOT, 'test/support/server.ts');

interface Server {
  url: string;
  kind: 'platform' | 'preview';
  close(): Promise<void>;
}

interface AreaSpec {
  name: string;
  path: string;
  mobile: boolean;
  h1: string;
  /** The UI kit chunk this area must never download. */
  forbiddenChunk: 'antd-desktop' | 'antd-mobile';
  ownChunk: 'antd-desktop' | 'antd-mobile';
  /** Things tapped or clicked that must meet the target size (44px, or 60px in large-text mode). */
  targets: string;
}

const AREAS: AreaSpec[] = [
  {
    name: 'citizen',
    path: '/citizen',
    mobile: true,
    h1: 'citizen.home.title',
    forbiddenChunk: 'antd-desktop',
    ownChunk: 'antd-mobile',
    targets: '.prefs-btn, .citizen-brand, .citizen-tab-link, .citizen-service',
  },
  {
    name: 'counter',
    path: '/counter',
    mobile: false,
    h1: 'counter.home.title',
    forbiddenChunk: 'antd-mobile',
    ownChunk: 'antd-desktop',
    targets: '.prefs-btn, .desktop-brand, .desktop-sign-in, .link-card',
  },
  {
    name: 'console',
    path: '/console',
    mobile: false,
    h1: 'console.overview.title',
    forbiddenChunk: 'antd-mobile',
    ownChunk: 'antd-desktop',
    targets: '.prefs-btn, .desktop-brand, .desktop-sign-in, .ant-menu-item',
  },
  {
    name: 'public',
    path: '/public',
    mobile: false,
    h1: 'public.home.title',
    forbiddenChunk: 'antd-mobile',
    ownChunk: 'antd-desktop',
    targets: '.prefs-btn, .desktop-brand, .link-card',
  },
];

const axeLog: AxeLogEntry[] = [];
let server: Server;
let browser: Browser;

async function startServer(): Promise<Server> {
  if (fs.existsSync(SERVER_SUPPORT) && process.env.HAIHE_E2E_SERVER !== 'preview') {
    const support = (await import(pathToFileURL(SERVER_SUPPORT).href)) as {
      startTestServer(opts?: { listen?: boolean; serveWeb?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
    };
    const s = await support.startTestServer({ listen: true, serveWeb: true });
    return { url: s.url.replace(/\/$/, ''), kind: 'platform', close: () => s.close() };
  }
  const { preview } = await import('vite');
  const p = await preview({
    configFile: VITE_CONFIG,
    logLevel: 'warn',
    // No API behind the preview: drop the dev proxy so /healthz falls back to index.html (status "unknown").
    preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy: {} },
  });
  const url = p.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4173/';
  return {
    url: url.replace(/\/$/, ''),
    kind: 'preview',
    close: () => new Promise<void>((resolve) => p.httpServer.close(() => resolve())),
  };
}

function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  return axeCheck(page, label, axeLog);
}

/** A page that records errors; the preview server has no API, so /healthz is expected to 404 there. */
function openPage(spec: { mobile: boolean }) {
  return openBrowserPage(browser, spec, (_status, pathname) => server.kind === 'preview' && pathname === '/healthz');
}

async function htmlLang(page: Page): Promise<string> {
  return js<string>(page, 'document.documentElement.lang');
}

async function storage(page: Page, key: string): Promise<string | null> {
  return js<string | null>(page, `localStorage.getItem(${JSON.stringify(key)})`);
}

async function fontSizePx(page: Page, selector: string): Promise<number> {
  return js<number>(page, `parseFloat(getComputedStyle(document.querySelector(${JSON.stringify(selector)})).fontSize)`);
}

async function lineHeightRatio(page: Page, selector: string): Promise<number> {
  return js<number>(
    page,
    `(() => { const s = getComputedStyle(document.querySelector(${JSON.stringify(selector)})); return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()`,
  );
}

describe('web shell', () => {
  beforeAll(async () => {
    ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    printAxeSummary(axeLog);
  });

  it('landing page links to the four areas and reports server health', async () => {
    const { context, page, errors } = await openPage({ mobile: false });
    try {
      await gotoAndWait(page, `${server.url}/`, msg(zh, 'landing.title'));
      expect(await htmlLang(page)).toBe('zh-CN');
      for (const area of ['citizen', 'counter', 'console', 'public']) {
        await expect.poll(() => page.getByRole('link', { name: new RegExp(msg(zh, `landing.areas.${area}.title`)) }).count()).toBe(1);
      }
      const health = page.getByTestId('health-status');
      await expect.poll(() => health.innerText()).not.toContain(msg(zh, 'health.checking'));
      if (server.kind === 'platform') {
        await expect.poll(() => page.getByTestId('health-db').innerText()).toMatch(/PGlite|PostgreSQL/);
      } else {
        expect(await health.innerText()).toContain(msg(zh, 'health.unknown'));
      }
      await expectNoSeriousAxeViolations(page, '/ (zh-CN)');
      await page.getByTestId('large-text-toggle').click();
      expect(await largeTextOn(page)).toBe(true);
      expect(await fontSizePx(page, 'body')).toBeGreaterThanOrEqual(18);
      await expectNoSeriousAxeViolations(page, '/ (zh-CN, large text)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const area of AREAS) {
    it(`${area.name}: language switch, large text, accessibility`, async () => {
      const { context, page, scripts, errors } = await openPage(area);
      try {
        await gotoAndWait(page, `${server.url}${area.path}`, msg(zh, area.h1));
        expect(await htmlLang(page)).toBe('zh-CN');
        expect(await page.locator('main#main').count()).toBe(1);

        // Skip link: first Tab stop, and it moves focus to <main id="main">.
        await page.keyboard.press('Tab');
        expect(await js<string>(page, 'document.activeElement?.textContent ?? ""')).toBe(msg(zh, 'common.skipToMain'));
        await page.keyboard.press('Enter');
        expect(await js<string>(page, 'document.activeElement?.id ?? ""')).toBe('main');

        await expectTargets(page, area.targets, 44);
        await expectNoSeriousAxeViolations(page, `${area.path} (zh-CN)`);
        if (area.name === 'citizen') await screenshot(page, 'citizen-home.png');
        if (area.name === 'console') await screenshot(page, 'console-home.png');

        // English and back; the choice is saved and sets <html lang>.
        await page.getByTestId('lang-switch').click();
        await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(en, area.h1));
        expect(await htmlLang(page)).toBe('en');
        expect(await storage(page, 'haihe.lang')).toBe('en');
        expect(await js<string>(page, 'document.title')).toBe(msg(en, 'app.fullName'));
        await expectNoSeriousAxeViolations(page, `${area.path} (en)`);
        await page.getByTestId('lang-switch').click();
        await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, area.h1));
        expect(await htmlLang(page)).toBe('zh-CN');
        expect(await storage(page, 'haihe.lang')).toBe('zh-CN');

        // Large text on: class on <html>, bigger text, line-height 1.5, 60px targets.
        const toggle = page.getByTestId('large-text-toggle');
        expect(await toggle.getAttribute('aria-pressed')).toBe('false');
        await toggle.click();
        expect(await toggle.getAttribute('aria-pressed')).toBe('true');
        expect(await largeTextOn(page)).toBe(true);
        expect(await storage(page, 'haihe.largeText')).toBe('true');
        const textSelector = area.mobile ? 'body' : '.area-desktop';
        expect(await fontSizePx(page, textSelector)).toBeGreaterThanOrEqual(18);
        expect(await lineHeightRatio(page, textSelector)).toBeGreaterThanOrEqual(1.49);
        expect(await lineHeightRatio(page, 'main h1')).toBeGreaterThanOrEqual(1.49);
        await expectTargets(page, area.targets, 60);
        await expectNoSeriousAxeViolations(page, `${area.path} (zh-CN, large text)`);
        if (area.name === 'citizen') await screenshot(page, 'citizen-home-large.png');

        // Both settings survive a reload (they are per device).
        await page.reload({ waitUntil: 'load' });
        await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, area.h1));
        expect(await largeTextOn(page)).toBe(true);
        if (area.mobile) expect(await fontSizePx(page, 'body')).toBeGreaterThanOrEqual(18);
        expect(await page.getByTestId('large-text-toggle').getAttribute('aria-pressed')).toBe('true');

        // Code splitting: this area loaded its own UI kit and never the other one.
        expect(scripts.some((s) => s.includes(`.${area.ownChunk}`)), `scripts: ${scripts.join(', ')}`).toBe(true);
        expect(scripts.filter((s) => s.includes(`.${area.forbiddenChunk}`))).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('console side menu works with the keyboard', async () => {
    const { context, page, errors } = await openPage({ mobile: false });
    try {
      await gotoAndWait(page, `${server.url}/console`, msg(zh, 'console.overview.title'));
      await page.locator('.console-sider [role="menu"]').focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => js<string>(page, 'document.activeElement?.textContent ?? ""')).toBe(msg(zh, 'console.menu.subsidies'));
      await page.keyboard.press('Enter');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/console/subsidies');
      await expectNoSeriousAxeViolations(page, '/console/subsidies (zh-CN)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('citizen tiles lead to honest "coming soon" pages', async () => {
    const { context, page, errors } = await openPage({ mobile: true });
    try {
      await gotoAndWait(page, `${server.url}/citizen`, msg(zh, 'citizen.home.title'));
      await page.getByTestId('service-certificates').click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'modules.certificates.title'));
      expect(new URL(page.url()).pathname).toBe('/citizen/certificates');
      expect(await page.getByText(msg(zh, 'common.comingSoon')).count()).toBeGreaterThan(0);
      await expectNoSeriousAxeViolations(page, '/citizen/certificates (zh-CN)');
      await page.getByRole('link', { name: msg(zh, 'citizen.tabs.me') }).click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'citizen.me.title'));
      expect(await page.locator('[aria-current="page"]').innerText()).toContain(msg(zh, 'citizen.tabs.me'));
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
