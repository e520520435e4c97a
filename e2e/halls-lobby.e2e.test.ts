// Browser test of the lobby officer's triage (systems.md S1: POL-15, POL-16): the officer picks the
// business, ticks the documents the resident brought against the catalogue, issues a ticket by
// identity number (the number is not kept by the hall pages), or records a redirect when documents
// are missing. Checked with axe (WCAG 2.1 A/AA) in normal and large-text mode. Runs when HAIHE_E2E=1.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import { systemActor } from '../src/platform/audit.ts';
import { startTestServer, type TestServer } from '../test/support/server.ts';
import {
  ensureWebBuild,
  expectNoSeriousAxeViolations as axeCheck,
  expectTargets,
  gotoAndWait,
  largeTextOn,
  launchBrowser,
  msg,
  openPage,
  printAxeSummary,
  zh,
  type AxeLogEntry,
} from './support.ts';

const HALL = 'hall-hexi-xiawafang';
const axeLog: AxeLogEntry[] = [];
let server: TestServer;
let url: string;
let browser: Browser;

function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  return axeCheck(page, label, axeLog);
}

/** Picks the business in the lobby page's list by its visible name. */
async function choose(page: Page, name: string): Promise<void> {
  await page.getByLabel(msg(zh, 'halls.lobby.item')).selectOption({ label: name });
}

describe('service halls: the lobby officer’s triage', () => {
  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer({ demo: true, listen: true, serveWeb: true, now: '2026-03-02T10:00:00+08:00' });
    url = server.url.replace(/\/$/, '');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    printAxeSummary(axeLog);
  });

  it('POL-15, POL-16: documents checked against the catalogue, a ticket issued by identity number; missing documents end in a recorded redirect', async () => {
    const identity = server.platform.services.get<IdentityService>('identity');
    const officer = await server.platform.context.database.transaction((tx) =>
      identity.createStaff(tx, { login: 'e2e-lobby', name: '大堂测试', roles: ['lobby_officer'], hallId: HALL }, systemActor),
    );
    const [resident] = await demoTokens(server.platform.context, identity, 'citizen', 1, 3600);
    const { context, page, errors } = await openPage(browser, { mobile: false });
    await context.addCookies([
      { name: 'haihe_session', value: identity.issuePersonToken(officer).token, url },
      { name: 'haihe_csrf', value: 'l'.repeat(32), url },
    ]);
    try {
      await gotoAndWait(page, `${url}/counter/lobby`, msg(zh, 'halls.lobby.title'));
      await choose(page, '户口迁入（投靠、婚迁、购房、人才引进）');
      // Every document of the item is listed; the ticket form appears once all are ticked.
      for (const document of ['id_card', 'hukou_booklet', 'family_hukou_booklet', 'move_in_basis']) await page.getByTestId(`doc-${document}`).check();
      await expectNoSeriousAxeViolations(page, '/counter/lobby documents checked (zh-CN)');
      await page.getByTestId('lobby-id-number').fill(resident!.idNumber!);
      await page.getByTestId('lobby-issue').click();
      await expect.poll(() => page.getByTestId('issued').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.locator('[data-testid="issued"] .halls-serving-number').innerText()).toMatch(/^A\d{3}$/);
      // The identity number is gone from the page once the ticket is issued.
      expect(await page.getByTestId('issued').innerText()).not.toContain(resident!.idNumber!);
      await expectNoSeriousAxeViolations(page, '/counter/lobby ticket issued (zh-CN)');

      // The resident sees the ticket as theirs.
      const mine = (await (await fetch(`${url}/api/v1/me/tickets`, { headers: { authorization: `Bearer ${resident!.token}` } })).json()) as { via: string; hallId: string }[];
      expect(mine[0]).toMatchObject({ via: 'lobby', hallId: HALL });

      // A second resident without the move-in basis is redirected, and told what to bring.
      await choose(page, '户口迁入（投靠、婚迁、购房、人才引进）');
      for (const document of ['id_card', 'hukou_booklet', 'family_hukou_booklet']) await page.getByTestId(`doc-${document}`).check();
      expect(await page.getByTestId('lobby-issue').count()).toBe(0);
      await page.getByTestId('lobby-redirect').click();
      await expect.poll(() => page.getByTestId('redirected').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByTestId('redirected').innerText()).toContain('迁入依据材料');

      if (!(await largeTextOn(page))) await page.getByTestId('large-text-toggle').click();
      await choose(page, '居民身份证到期换领');
      await expectTargets(page, '.ant-btn', 60);
      await expectNoSeriousAxeViolations(page, '/counter/lobby (zh-CN, large text)');

      const report = (await (await fetch(`${url}/api/v1/staff/quality-report`, { headers: { authorization: `Bearer ${identity.issuePersonToken(officer).token}` } })).json()) as { redirects: { reason: string; count: number }[] };
      expect(report.redirects).toContainEqual({ reason: 'missing_documents', count: 1 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the console (halls, catalogue, review items, quality report with charts, tags, policy) and the public map pass axe', async () => {
    const identity = server.platform.services.get<IdentityService>('identity');
    const admin = await server.platform.context.database.transaction((tx) =>
      identity.createStaff(tx, { login: 'e2e-halls-admin', name: '网点管理测试', roles: ['admin_halls'] }, systemActor),
    );
    const { context, page, errors } = await openPage(browser, { mobile: false });
    await context.addCookies([
      { name: 'haihe_session', value: identity.issuePersonToken(admin).token, url },
      { name: 'haihe_csrf', value: 'a'.repeat(32), url },
    ]);
    try {
      const pages: [string, string][] = [
        ['/console/halls', msg(zh, 'halls.console.hallsTitle')],
        ['/console/halls/catalogue', msg(zh, 'halls.console.catalogueTitle')],
        ['/console/halls/reviews', msg(zh, 'halls.reviews.title')],
        ['/console/halls/quality', msg(zh, 'halls.quality.title')],
        ['/console/halls/policy', msg(zh, 'halls.policy.title')],
        [`/console/halls/${HALL}/tags`, msg(zh, 'halls.tags.title', { hall: '下瓦房派出所' })],
        ['/public/map', msg(zh, 'public.map.title')],
      ];
      for (const [path, title] of pages) {
        await page.goto(`${url}${path}`, { waitUntil: 'load' });
        await expect.poll(() => page.locator('h1').last().innerText(), { timeout: 15_000 }).toBe(title);
        if (path.endsWith('/tags')) await expect.poll(() => page.locator('.halls-tag-card img').count()).toBe(2);
        if (path.endsWith('/quality') || path === '/public/map') await expect.poll(() => page.locator('[data-ready="true"]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
        await expectNoSeriousAxeViolations(page, `${path} (zh-CN)`);
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
