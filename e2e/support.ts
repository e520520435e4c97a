// Shared helpers of the browser tests: the web build, Chromium, i18n lookups, axe and target-size checks.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const VITE_CONFIG = path.join(ROOT, 'web/vite.config.ts');
export const SCREENSHOT_DIR = path.join(ROOT, 'docs/images');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const MOBILE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export type Messages = Record<string, unknown>;
export const zh = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/src/i18n/zh-CN.json'), 'utf8')) as Messages;
export const en = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/src/i18n/en.json'), 'utf8')) as Messages;

/** Looks up a dotted i18n key (with {{name}} values filled in), so the expectations follow the resource files. */
export function msg(messages: Messages, key: string, values: Record<string, string> = {}): string {
  let node: unknown = messages;
  for (const part of key.split('.')) node = (node as Messages)[part];
  if (typeof node !== 'string') throw new Error(`no message ${key}`);
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? `{{${name}}}`);
}

const WEB_SOURCES = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'];

function newestMtime(target: string): number {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Whether web/dist was built after the last change to the web sources. */
export function webBuildIsFresh(): boolean {
  const built = fs.statSync(path.join(ROOT, 'web/dist/index.html'), { throwIfNoEntry: false });
  if (!built) return false;
  return WEB_SOURCES.every((source) => newestMtime(path.join(ROOT, source)) <= built.mtimeMs);
}

/**
 * Builds web/dist unless HAIHE_E2E_SKIP_BUILD=1, or unless it is newer than every web source
 * (so several browser test files in one run build once); HAIHE_E2E_BUILD=1 always builds.
 */
export function ensureWebBuild(): void {
  if (process.env.HAIHE_E2E_SKIP_BUILD === '1') return;
  if (process.env.HAIHE_E2E_BUILD !== '1' && webBuildIsFresh()) return;
  // A child process, so the build sees NODE_ENV=production rather than vitest's "test".
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', VITE_CONFIG, '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
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
}

/** Evaluates a JavaScript expression in the page (a string: this project's Node typings have no DOM). */
export function js<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

export interface AxeLogEntry {
  page: string;
  violations: number;
  seriousOrCritical: number;
  passes: number;
}

/** Runs axe with the WCAG 2.0/2.1 A and AA rules; fails on serious or critical violations and logs the rest. */
export async function expectNoSeriousAxeViolations(page: Page, label: string, log: AxeLogEntry[]): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  log.push({ page: label, violations: results.violations.length, seriousOrCritical: serious.length, passes: results.passes.length });
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

export function printAxeSummary(log: AxeLogEntry[]): void {
  if (log.length === 0) return;
  console.log(
    `axe summary (${AXE_TAGS.join(', ')}):\n${log
      .map((a) => `  ${a.page}: ${a.violations} violations (${a.seriousOrCritical} serious/critical), ${a.passes} rules passed`)
      .join('\n')}`,
  );
}

/** Visible elements matching `selector` that are smaller than `min` in either dimension. */
export async function undersizedTargets(page: Page, selector: string, min: number): Promise<string[]> {
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

/** Every visible target is at least `min` px both ways (polled: a theme change may still be rendering). */
export async function expectTargets(page: Page, selector: string, min: number): Promise<void> {
  expect(await page.locator(selector).count(), `targets ${selector}`).toBeGreaterThan(0);
  await expect.poll(() => undersizedTargets(page, selector, min), { message: `targets smaller than ${min}px`, timeout: 5_000 }).toEqual([]);
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Paths of every script the page loaded. */
  scripts: string[];
  /** Page errors, console errors and HTTP error responses (each test expects none). */
  errors: string[];
}

/**
 * A fresh browser context and page (mobile or desktop viewport, Chinese locale) that records
 * scripts and errors. `expectedHttpError` excuses HTTP errors a test causes on purpose.
 */
export async function openPage(
  browser: Browser,
  spec: { mobile: boolean },
  expectedHttpError: (status: number, pathname: string) => boolean = () => false,
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: spec.mobile ? MOBILE : DESKTOP,
    deviceScaleFactor: 1,
    isMobile: spec.mobile,
    hasTouch: spec.mobile,
    locale: 'zh-CN',
    // Like many elderly users, the browser asks for reduced motion: pages are checked without animations
    // half-way (a fading text would be measured at half its contrast).
    reducedMotion: 'reduce',
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
    if (res.status() >= 400 && !expectedHttpError(res.status(), pathname)) errors.push(`HTTP ${res.status()} ${pathname}`);
  });
  return { context, page, scripts, errors };
}

/** Opens `url` and waits for its first h1 to read `h1` and for the fonts. */
export async function gotoAndWait(page: Page, url: string, h1: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await expect.poll(() => page.locator('h1').first().innerText(), { timeout: 15_000 }).toBe(h1);
  await js(page, 'document.fonts.ready.then(() => true)');
}

export async function largeTextOn(page: Page): Promise<boolean> {
  return js<boolean>(page, "document.documentElement.classList.contains('large-text')");
}

/** Writes docs/images/<name> when HAIHE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (process.env.HAIHE_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: options.fullPage ?? false });
}

/** What `POST /api/v1/demo/tokens` answers per subject (api-contract.md, Demo mode). */
export interface DemoToken {
  subject: string;
  token: string;
  name: string;
  idNumber?: string;
  role: string;
  hallId?: string;
  organisationId?: string;
}

/** Tokens for demo subjects of a role, as `npm run cli -- demo-tokens` gets them. */
export async function fetchDemoTokens(baseUrl: string, role: string, count = 1): Promise<DemoToken[]> {
  const res = await fetch(`${baseUrl}/api/v1/demo/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, count }),
  });
  if (res.status !== 200) throw new Error(`demo tokens for ${role}: ${res.status} ${await res.text()}`);
  return (await res.text())
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DemoToken);
}

/** Signs a browser context in: the session cookie holds the token, the CSRF cookie a known value. */
export async function signInWithToken(context: BrowserContext, baseUrl: string, token: string, csrf: string): Promise<void> {
  await context.addCookies([
    { name: 'haihe_session', value: token, url: baseUrl },
    { name: 'haihe_csrf', value: csrf, url: baseUrl },
  ]);
}
