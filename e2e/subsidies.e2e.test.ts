// Browser test of the subsidy coupon pages (systems.md S2): a resident waits for the 11:00 release
// on the server's clock, claims a coupon and finds it under 我的兑换券; an administrator creates a
// release through the console form (server field errors shown on the field), watches it live while
// 40 residents claim 30 coupons, and sees the quota statistics. Checked with axe (WCAG 2.1 A/AA),
// the citizen pages also in large-text mode. Runs when HAIHE_E2E=1.
//
// The platform runs in demo mode on a settable clock that starts at 2026-03-01 10:59:50 (Tianjin)
// and runs from the resident's test on. The March releases are the demo's; the administrator's test
// moves the clock to 2026-04-01, a month without releases, so the release it creates can open "now".
// HAIHE_SCREENSHOTS=1 also writes docs/images/subsidies-claim.png and docs/images/subsidies-live.png.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
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
/** 和平区, central Tianjin. */
const TIANJIN = { latitude: 39.1237, longitude: 117.202 };
const MARCH_RELEASE = 'digital-2026-offline-2026-03';
const APRIL_RELEASE = 'digital-2026-offline-2026-04';

const axeLog: AxeLogEntry[] = [];
let server: TestServer;
let url: string;
let browser: Browser;

/** Axe once the page is still: a dialog or message fading in has colours that are not yet its own. */
async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  await expect
    .poll(() => js<boolean>(page, "document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)"), {
      timeout: 5_000,
    })
    .toBe(true);
  return axeCheck(page, label, axeLog);
}

const demoTokens = (role: 'citizen' | 'admin', count = 1) => fetchDemoTokens(url, role, count);

const signIn = (context: BrowserContext, token: string) => signInWithToken(context, url, token, CSRF);

async function setLargeText(page: Page, on: boolean): Promise<void> {
  if ((await largeTextOn(page)) !== on) await page.getByTestId('large-text-toggle').click();
  expect(await largeTextOn(page)).toBe(on);
}

/** A claim through the API as a till-less resident would send it; a place in line is followed to its answer. */
async function claimByApi(token: string, releaseId: string, key: string): Promise<{ status: number; code?: string }> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key };
  const res = await fetch(`${url}/api/v1/subsidies/releases/${releaseId}/claims`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ location: { lat: TIANJIN.latitude, lng: TIANJIN.longitude } }),
  });
  let body = (await res.json()) as { code?: string; status?: string; ticketId?: string };
  let status = res.status;
  while (status === 202 && body.ticketId) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const polled = await fetch(`${url}/api/v1/subsidies/claims/${body.ticketId}`, { headers: { authorization: `Bearer ${token}` } });
    status = polled.status;
    body = (await polled.json()) as typeof body;
  }
  return { status, ...(body.code ? { code: body.code } : {}) };
}

/** The visible text of an element, with runs of white space made single. */
async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).replace(/\s+/g, ' ').trim();
}

describe('subsidy coupons', () => {
  beforeAll(async () => {
    ensureWebBuild();
    browser = await launchBrowser();
    server = await startTestServer({ demo: true, listen: true, serveWeb: true, now: '2026-03-01T10:59:50+08:00' });
    url = server.url.replace(/\/$/, '');
    // The demo creates the current month's releases already; planning again changes nothing.
    await server.platform.services.get<SubsidyService>('subsidies').planReleases('2026-03');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    printAxeSummary(axeLog);
  });

  it('a resident sees the countdown, claims at 11:00 and finds the coupon with its expiry', async () => {
    const [resident] = await demoTokens('citizen');
    const { context, page, errors } = await openPage(browser, { mobile: true });
    try {
      await context.grantPermissions(['geolocation'], { origin: url });
      await context.setGeolocation(TIANJIN);
      await signIn(context, resident!.token);
      // Time flows from 10:59:50 from here on.
      server.clock.set('2026-03-01T10:59:50+08:00');
      server.clock.run();

      await gotoAndWait(page, `${url}/citizen/subsidies`, msg(zh, 'modules.subsidies.title'));
      const card = page.getByTestId(`release-${MARCH_RELEASE}`);
      const button = card.getByTestId('claim-button');

      // Before 11:00 on the server's clock (the device's clock says something else entirely).
      const countdownPrefix = msg(zh, 'citizen.subsidies.release.countdown', { time: '' });
      await expect.poll(() => card.getByTestId('countdown').innerText(), { timeout: 10_000 }).toMatch(/\d+ 秒$/);
      const countdown = await card.getByTestId('countdown').innerText();
      expect(countdown.startsWith(countdownPrefix)).toBe(true);
      const seconds = Number(/(\d+) 秒$/.exec(countdown)![1]);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(10);
      expect(await button.getAttribute('data-state')).toBe('upcoming');
      expect(await button.innerText()).toBe(msg(zh, 'citizen.subsidies.button.upcoming'));
      expect(await button.isDisabled()).toBe(true);
      expect(await card.getByTestId('release-phase').innerText()).toBe(msg(zh, 'subsidies.phase.upcoming'));
      expect(await text(page, `release-${MARCH_RELEASE}`)).toContain(
        msg(zh, 'citizen.subsidies.release.stock', { remaining: '150,000', stock: '150,000' }),
      );
      // The rules in plain words: the 6,000-yuan limit, rate and cap, quotas.
      const digitalRules = await text(page, 'programme-digital-2026');
      expect(digitalRules).toContain(msg(zh, 'citizen.subsidies.programme.priceLimitText', { limit: '6,000' }));
      expect(digitalRules).toContain('15%');
      expect(digitalRules).toContain(msg(zh, 'citizen.subsidies.programme.quotaText', { month: '2', year: '8' }));
      expect(await text(page, 'quota-digital-2026')).toContain(msg(zh, 'citizen.subsidies.quota.month', { used: '0', quota: '2' }));
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies before the opening (zh-CN)');

      // 11:00: the button opens by itself.
      await expect.poll(() => button.getAttribute('data-state'), { timeout: 20_000 }).toBe('open');
      expect(await button.innerText()).toBe(msg(zh, 'citizen.subsidies.button.open'));
      expect(await card.getByTestId('release-phase').innerText()).toBe(msg(zh, 'subsidies.phase.open'));
      await button.click();
      await expect.poll(() => button.getAttribute('data-state'), { timeout: 15_000 }).toBe('success');
      expect(await button.innerText()).toBe(msg(zh, 'citizen.subsidies.button.success'));
      expect(await text(page, 'claim-success')).toContain(msg(zh, 'citizen.subsidies.message.success'));
      expect(await card.getByTestId('coupon-expiry').innerText()).toBe(
        msg(zh, 'citizen.subsidies.message.successExpiry', { expiresAt: '2026-04-01 00:00', days: '31' }),
      );
      await expect.poll(() => text(page, 'quota-digital-2026')).toContain(msg(zh, 'citizen.subsidies.quota.month', { used: '1', quota: '2' }));
      await expect.poll(() => card.getByTestId('release-remaining').innerText()).toBe(
        msg(zh, 'citizen.subsidies.release.stock', { remaining: '149,999', stock: '150,000' }),
      );
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies after claiming (zh-CN)');
      await js(page, `(() => { const el = document.querySelector('[data-testid="release-${MARCH_RELEASE}"]'); const header = document.querySelector('.citizen-header').offsetHeight; window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - header - 8); })()`);
      await screenshot(page, 'subsidies-claim.png');

      await setLargeText(page, true);
      await expectTargets(page, '.subsidy-claim-button, .citizen-button, .citizen-big-button, .prefs-btn, .citizen-tab-link', 60);
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies after claiming (zh-CN, large text)');
      await setLargeText(page, false);

      // A second coupon (the digital quota is 2 a month): with the location permission withdrawn it is
      // explained plainly and nothing is sent; allowed again, the retry gets the coupon. (Cleared,
      // then nothing granted for the origin: Chromium then denies the rest. The page is seen to know
      // before the claim; the browser itself would still hand out the position it remembers.)
      await context.clearPermissions();
      await context.grantPermissions([], { origin: url });
      await expect.poll(() => js<string>(page, `navigator.permissions.query({ name: 'geolocation' }).then((status) => status.state)`)).toBe('denied');
      await card.getByRole('button', { name: msg(zh, 'citizen.subsidies.action.claimAnother') }).click();
      await expect.poll(() => button.getAttribute('data-state')).toBe('open');
      await button.click();
      await expect.poll(() => button.getAttribute('data-state'), { timeout: 20_000 }).toBe('location');
      expect(await button.innerText()).toBe(msg(zh, 'citizen.subsidies.button.location'));
      expect(await card.getByTestId('claim-message').innerText()).toBe(msg(zh, 'citizen.subsidies.message.location.denied'));
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies location denied (zh-CN)');
      await context.grantPermissions(['geolocation'], { origin: url });
      await card.getByTestId('claim-retry').click();
      await expect.poll(() => button.getAttribute('data-state'), { timeout: 15_000 }).toBe('success');
      await expect.poll(() => text(page, 'quota-digital-2026')).toContain(msg(zh, 'citizen.subsidies.quota.month', { used: '2', quota: '2' }));
      expect(await card.getByRole('button', { name: msg(zh, 'citizen.subsidies.action.claimAnother') }).count()).toBe(0);
      // Back on the page later, the button says why there is nothing more to claim.
      await page.reload({ waitUntil: 'load' });
      await expect.poll(() => button.getAttribute('data-state'), { timeout: 15_000 }).toBe('quotaMonth');
      expect(await button.innerText()).toBe(msg(zh, 'citizen.subsidies.button.quotaMonth'));
      expect(await card.getByTestId('claim-message').innerText()).toBe(msg(zh, 'citizen.subsidies.message.quotaMonth', { used: '2', quota: '2' }));
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies monthly quota used (zh-CN)');

      // 我的兑换券: programme, channel, month, expiry with days left, status in words.
      await page.getByTestId('my-coupons-link').click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'citizen.subsidies.coupons.title'));
      await expect.poll(() => page.getByTestId('coupon-list').locator('article').count(), { timeout: 10_000 }).toBe(2);
      const coupon = page.getByTestId('coupon-list').locator('article').first();
      await expect.poll(() => coupon.innerText()).toContain('2026年数码和智能产品购新补贴');
      expect(await coupon.getByTestId('coupon-expiry').innerText()).toBe(
        `2026-04-01 00:00 ${msg(zh, 'citizen.subsidies.coupons.daysLeft', { days: '31' })}`,
      );
      expect(await coupon.getByTestId('coupon-status').innerText()).toContain(msg(zh, 'subsidies.couponStatus.claimed'));
      const couponText = await coupon.innerText();
      expect(couponText).toContain(msg(zh, 'subsidies.channel.offline'));
      expect(couponText).toContain('2026年3月');
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies/coupons (zh-CN)');
      await setLargeText(page, true);
      await expectTargets(page, '.citizen-back a, .prefs-btn, .citizen-tab-link', 60);
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies/coupons (zh-CN, large text)');
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => coupon.getByTestId('coupon-status').innerText()).toContain(msg(en, 'subsidies.couponStatus.claimed'));
      await expectNoSeriousAxeViolations(page, '/citizen/subsidies/coupons (en, large text)');
      await page.getByTestId('lang-switch').click();
      await setLargeText(page, false);

      // The home tile leads here now.
      await page.goto(`${url}/citizen`, { waitUntil: 'load' });
      await expect.poll(() => page.getByTestId('service-subsidies').count()).toBe(1);
      expect(await page.getByTestId('service-subsidies').innerText()).not.toContain(msg(zh, 'common.comingSoon'));
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('an administrator creates a release, watches 40 residents claim its 30 coupons, and sees the quota statistics', async () => {
    // A month without releases, so the new one can open now.
    server.clock.set('2026-04-01T10:00:00+08:00');
    server.clock.run();
    const [admin] = await demoTokens('admin');
    const residents = await demoTokens('citizen', 40);
    const { context, page, errors } = await openPage(browser, { mobile: false }, (status, pathname) =>
      (status === 400 && pathname === '/api/v1/admin/subsidies/releases') || (status === 409 && pathname.startsWith('/api/v1/admin/subsidies/releases/')),
    );
    try {
      await signIn(context, admin!.token);
      await gotoAndWait(page, `${url}/console/subsidies`, msg(zh, 'console.subsidies.title'));
      await expect.poll(() => page.locator('.console-sider .ant-menu-item-selected').innerText()).toBe(msg(zh, 'console.menu.subsidies'));
      await expect.poll(() => page.getByText(msg(zh, 'console.subsidies.empty')).count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByRole('heading', { name: msg(zh, 'console.subsidies.listTitle', { month: '2026年4月' }) }).count()).toBe(1);
      await expectNoSeriousAxeViolations(page, '/console/subsidies (zh-CN)');

      // The form: an opening outside the month is refused by the server, shown on that field.
      await page.getByTestId('create-release').click();
      const dialog = page.getByRole('dialog', { name: msg(zh, 'console.subsidies.form.title') });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await dialog.getByText('2026年数码和智能产品购新补贴').click();
      await dialog.getByText(msg(zh, 'subsidies.channel.offline'), { exact: true }).click();
      const opensAt = dialog.getByLabel(msg(zh, 'console.subsidies.form.opensAt'));
      expect(await opensAt.inputValue()).toBe('2026-04-01T11:00');
      await opensAt.fill('2026-05-02T10:00');
      await dialog.getByLabel(msg(zh, 'console.subsidies.form.stock')).fill('30');
      await page.getByTestId('create-submit').click();
      await expect
        .poll(() => dialog.locator('.ant-form-item-explain-error').allInnerTexts(), { timeout: 10_000 })
        .toEqual([msg(zh, 'console.subsidies.form.serverErrors.opensOutsideMonth')]);
      await expectNoSeriousAxeViolations(page, '/console/subsidies create form with a server error (zh-CN)');
      // Now: opens at once.
      await page.getByTestId('form-opens-now').click();
      expect(await opensAt.inputValue()).toMatch(/^2026-04-01T10:0\d$/);
      await page.getByTestId('create-submit').click();
      await expect.poll(() => dialog.isVisible(), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => page.getByTestId(`remaining-${APRIL_RELEASE}`).innerText(), { timeout: 10_000 }).toBe('30');
      expect(await page.getByTestId(`phase-${APRIL_RELEASE}`).innerText()).toBe(msg(zh, 'subsidies.phase.open'));

      // The live page.
      await page.getByTestId(`live-${APRIL_RELEASE}`).click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'console.subsidies.live.title'));
      await expect.poll(() => page.getByTestId('live-remaining').innerText(), { timeout: 10_000 }).toBe('30');
      expect(await page.getByTestId('live-status').getAttribute('data-phase')).toBe('open');
      expect(await page.locator('.console-sider .ant-menu-item-selected').innerText()).toBe(msg(zh, 'console.menu.subsidies'));

      // 40 residents claim in four waves of 10, about a second apart; 30 get a coupon, 10 are told it is sold out.
      const results: { status: number; code?: string }[] = [];
      for (let wave = 0; wave < 4; wave += 1) {
        const batch = residents.slice(wave * 10, wave * 10 + 10);
        results.push(...(await Promise.all(batch.map((r, i) => claimByApi(r.token, APRIL_RELEASE, `e2e-live-${wave}-${i}`)))));
        await new Promise((resolve) => setTimeout(resolve, 1100));
      }
      expect(results.filter((r) => r.status === 201 || r.status === 200)).toHaveLength(30);
      expect(results.filter((r) => r.code === 'SOLD_OUT')).toHaveLength(10);

      await expect.poll(() => page.getByTestId('live-remaining').innerText(), { timeout: 10_000 }).toBe('0');
      await expect.poll(() => page.getByTestId('live-status').getAttribute('data-phase')).toBe('soldOut');
      const soldOut = await page.getByTestId('sold-out').innerText();
      const soldOutPrefix = msg(zh, 'console.subsidies.live.status.soldOut', { time: '' }).replace(/。$/, '');
      expect(soldOut.startsWith(soldOutPrefix)).toBe(true);
      expect(soldOut).toMatch(/10:0\d:\d\d/);
      // The chart has the claims: its summary, its data table, and bars drawn.
      await expect.poll(() => page.getByTestId('live-chart-summary').getAttribute('data-claims')).toBe('30');
      expect(await page.getByTestId('live-data').locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
      await expect.poll(() => page.getByTestId('live-chart').locator('svg path').count(), { timeout: 10_000 }).toBeGreaterThan(10);
      expect(await page.getByTestId('live-waiting').innerText()).toMatch(/^\d+$/);
      expect(await page.getByTestId('live-throughput').innerText()).toMatch(/^[\d,]+$/);
      await expectNoSeriousAxeViolations(page, '/console/subsidies/releases/:id sold out (zh-CN)');
      await screenshot(page, 'subsidies-live.png', { fullPage: true });
      await setLargeText(page, true);
      await expectNoSeriousAxeViolations(page, '/console/subsidies/releases/:id sold out (zh-CN, large text)');
      await setLargeText(page, false);

      // Stock below what was issued: the server says no, on the field.
      await page.getByText(msg(zh, 'console.subsidies.live.back')).click();
      await expect.poll(() => page.getByTestId(`remaining-${APRIL_RELEASE}`).innerText(), { timeout: 10_000 }).toBe('0');
      await page.getByTestId(`edit-stock-${APRIL_RELEASE}`).click();
      const stockDialog = page.getByRole('dialog', { name: msg(zh, 'console.subsidies.stockForm.title') });
      await expect.poll(() => stockDialog.isVisible()).toBe(true);
      await expect.poll(() => stockDialog.getByLabel(msg(zh, 'console.subsidies.stockForm.stock')).inputValue()).toBe('30');
      await stockDialog.getByLabel(msg(zh, 'console.subsidies.stockForm.stock')).fill('20');
      await page.getByTestId('stock-submit').click();
      await expect
        .poll(() => stockDialog.locator('.ant-form-item-explain-error').allInnerTexts(), { timeout: 10_000 })
        .toEqual([msg(zh, 'errors.STOCK_BELOW_ISSUED')]);
      await expectNoSeriousAxeViolations(page, '/console/subsidies stock form with a server error (zh-CN)');
      await stockDialog.getByLabel(msg(zh, 'console.subsidies.stockForm.stock')).fill('40');
      await page.getByTestId('stock-submit').click();
      await expect.poll(() => page.getByTestId(`remaining-${APRIL_RELEASE}`).innerText(), { timeout: 10_000 }).toBe('10');

      // Quota statistics: 30 people hold 1 coupon of the digital programme this month.
      await page.locator('.console-sider').getByText(msg(zh, 'console.menu.subsidyQuota')).click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'console.subsidies.quota.title'));
      expect(await page.locator('.console-sider .ant-menu-item-selected').innerText()).toBe(msg(zh, 'console.menu.subsidyQuota'));
      await expect
        .poll(() => text(page, 'quota-summary-digital-2026-month'), { timeout: 10_000 })
        .toBe(msg(zh, 'console.subsidies.quota.summaryMonth', { people: '30', coupons: '30', quota: '2' }));
      const totals = await page.getByTestId('district-table').locator('tbody tr').allInnerTexts();
      expect(totals).toHaveLength(16);
      expect(totals.some((row) => /\t30$/.test(row.trim()))).toBe(true);
      await expect.poll(() => page.getByTestId('district-map').locator('svg path').count(), { timeout: 10_000 }).toBeGreaterThan(16);
      await expectNoSeriousAxeViolations(page, '/console/subsidies/quota (zh-CN)');
      await setLargeText(page, true);
      await expectNoSeriousAxeViolations(page, '/console/subsidies/quota (zh-CN, large text)');
      await setLargeText(page, false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
