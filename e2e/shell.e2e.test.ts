// Browser test of the web shell: every area's home page in Chinese and English, normal and large text,
// checked with axe (WCAG 2.1 A/AA), for touch-target sizes, persistence of the display settings, and
// for loading only its own UI kit. Runs when HAIHE_E2E=1.
//
// Server: test/support/server.ts's startTestServer (API + web/dist) when that file exists, otherwise
// `vite preview` of web/dist. HAIHE_E2E_SERVER=preview forces the preview server.
// web/dist is rebuilt first unless HAIHE_E2E_SKIP_BUILD=1. HAIHE_SCREENSHOTS=1 also writes docs/images/*.png.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const VITE_CONFIG = path.join(ROOT, 'web/vite.config.ts');
const SERVER_SUPPORT = path.join(ROOT, 'test/support/server.ts');
const SCREENSHOT_DIR = path.join(ROOT, 'docs/images');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Messages = Record<string, unknown>;
const zh = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/src/i18n/zh-CN.json'), 'utf8')) as Messages;
const en = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/src/i18n/en.json'), 'utf8')) as Messages;

/** Looks up a dotted i18n key, so the expectations follow the resource files. */
function msg(messages: Messages, key: string): string {
  let node: unknown = messages;
  for (const part of key.split('.')) node = (node as Messages)[part];
  if (typeof node !== 'string') throw new Error(`no message ${key}`);
  return node;
}

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

const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

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
    targets: '.prefs-btn, .desktop-brand, .link-card',
  },
  {
    name: 'console',
    path: '/console',
    mobile: false,
    h1: 'console.overview.title',
    forbiddenChunk: 'antd-mobile',
    ownChunk: 'antd-desktop',
    targets: '.prefs-btn, .desktop-brand, .ant-menu-item',
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

const axeLog: { page: string; violations: number; seriousOrCritical: number; passes: number }[] = [];
let server: Server;
let browser: Browser;

function buildWeb(): void {
  // A child process, so the build sees NODE_ENV=production rather than vitest's "test".
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', VITE_CONFIG, '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}

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

/** Evaluates a JavaScript expression in the page (a string: this project's Node typings have no DOM). */
function js<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeLog.push({ page: label, violations: results.violations.length, seriousOrCritical: serious.length, passes: results.passes.length });
  if (results.violations.length > 0) {
    const report = results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
    console.log(`axe violations on ${label}:\n${JSON.stringify(report, null, 2)}`);
  }
  expect(serious.map((v) => `${v.id} (${v.impact}): ${v.help}`), `serious/critical axe violations on ${label}`).toEqual([]);
}

/** Visible elements matching `selector` that are smaller than `min` in either dimension. */
async function undersizedTargets(page: Page, selector: string, min: number): Promise<string[]> {
  const small: string[] = [];
  for (const target of await page.locator(selector).all()) {
    if (!(await target.isVisible())) continue;
    const box = await target.boundingBox();
    if (!box) continue;
    if (box.width + 0.5 < min || box.height + 0.5 < min) {
      const text = (await target.innerText()).replace(/\s+/g, ' ').slice(0, 40);
      small.push(`"${text}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}

async function expectTargets(page: Page, selector: string, min: number): Promise<void> {
  expect(await page.locator(selector).count(), `targets ${selector}`).toBeGreaterThan(0);
  expect(await undersizedTargets(page, selector, min), `targets smaller than ${min}px`).toEqual([]);
}

async function openPage(spec: { mobile: boolean }): Promise<{ context: BrowserContext; page: Page; scripts: string[]; errors: string[] }> {
  const context = await browser.newContext({
    viewport: spec.mobile ? MOBILE : DESKTOP,
    deviceScaleFactor: 1,
    isMobile: spec.mobile,
    hasTouch: spec.mobile,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  const scripts: string[] = [];
  const errors: string[] = [];
  page.on('request', (req) => {
    if (req.resourceType() === 'script') scripts.push(new URL(req.url()).pathname);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    // Failed requests are judged from their responses below, where the URL is known.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (res) => {
    const { pathname } = new URL(res.url());
    // The preview server has no API, so /healthz is expected to 404 there.
    if (res.status() >= 400 && !(server.kind === 'preview' && pathname === '/healthz')) {
      errors.push(`HTTP ${res.status()} ${pathname}`);
    }
  });
  return { context, page, scripts, errors };
}

async function gotoAndWait(page: Page, url: string, h1: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await expect.poll(() => page.locator('h1').first().innerText(), { timeout: 15_000 }).toBe(h1);
  await js(page, 'document.fonts.ready.then(() => true)');
}

async function htmlLang(page: Page): Promise<string> {
  return js<string>(page, 'document.documentElement.lang');
}

async function storage(page: Page, key: string): Promise<string | null> {
  return js<string | null>(page, `localStorage.getItem(${JSON.stringify(key)})`);
}

async function largeTextOn(page: Page): Promise<boolean> {
  return js<boolean>(page, "document.documentElement.classList.contains('large-text')");
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

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.HAIHE_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: false });
}

describe('web shell', () => {
  beforeAll(async () => {
    if (process.env.HAIHE_E2E_SKIP_BUILD !== '1') buildWeb();
    server = await startServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
    await browser?.close();
    await server?.close();
    if (axeLog.length > 0) console.log(`axe summary (${AXE_TAGS.join(', ')}):\n${axeLog.map((a) => `  ${a.page}: ${a.violations} violations (${a.seriousOrCritical} serious/critical), ${a.passes} rules passed`).join('\n')}`);
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
      await expect.poll(() => js<string>(page, 'document.activeElement?.textContent ?? ""')).toBe(msg(zh, 'console.menu.campaigns'));
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'console.menu.campaigns'));
      expect(new URL(page.url()).pathname).toBe('/console/campaigns');
      await expectNoSeriousAxeViolations(page, '/console/campaigns (zh-CN)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('citizen tiles lead to honest "coming soon" pages', async () => {
    const { context, page, errors } = await openPage({ mobile: true });
    try {
      await gotoAndWait(page, `${server.url}/citizen`, msg(zh, 'citizen.home.title'));
      await page.getByTestId('service-subsidies').click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'modules.subsidies.title'));
      expect(new URL(page.url()).pathname).toBe('/citizen/subsidies');
      expect(await page.getByText(msg(zh, 'common.comingSoon')).count()).toBeGreaterThan(0);
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies (zh-CN)');
      await page.getByRole('link', { name: msg(zh, 'citizen.tabs.me') }).click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'citizen.me.title'));
      expect(await page.locator('[aria-current="page"]').innerText()).toContain(msg(zh, 'citizen.tabs.me'));
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
