// Browser test of subsidy redemption (systems.md S2.4–S2.9) for its three users: the resident exchanges a
// coupon for a refrigerator qualification and shows the QR code (mobile); the cashier types the code shown
// under it, checks the amounts and confirms the sale at the till; after the sale the merchant records
// delivery and a quality return, which gives the resident the qualification back. A digital sale takes the
// activation photo through upload and review, and administrators see the report. Every page is checked
// with axe (WCAG 2.1 A/AA), the resident's also in large-text mode. Runs when HAIHE_E2E=1.
//
// HAIHE_SCREENSHOTS=1 also writes docs/images/qualification-qr.png (mobile) and docs/images/till.png.

import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { startTestServer, type TestServer } from '../test/support/server.ts';
import {
  ensureWebBuild,
  expectNoSeriousAxeViolations as axeCheck,
  expectTargets,
  gotoAndWait,
  js,
  largeTextOn,
  launchBrowser,
  en,
  msg,
  openPage,
  printAxeSummary,
  screenshot,
  zh,
  type AxeLogEntry,
  type OpenedPage,
  signInWithToken,
  fetchDemoTokens,
  type DemoToken,
} from './support.ts';

const CSRF = 'x'.repeat(32);
const TIANJIN = { latitude: 39.1237, longitude: 117.202 };
const FRIDGE_RELEASE = 'appliances-2026-offline-2026-03';
const DIGITAL_RELEASE = 'digital-2026-offline-2026-03';
// A 1×1 PNG: the server checks the type's magic numbers, not the picture.
const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

const axeLog: AxeLogEntry[] = [];
let server: TestServer;
let url: string;
let browser: Browser;
let resident: DemoToken;
let merchant: DemoToken;
let admin: DemoToken;

const axe = (page: Page, label: string) => axeCheck(page, label, axeLog);

const demoTokens = (role: 'citizen' | 'merchant' | 'admin', count = 1) => fetchDemoTokens(url, role, count);

const signIn = (context: BrowserContext, token: string) => signInWithToken(context, url, token, CSRF);

/** Calls the API with a bearer token, as a till or the resident's app would. */
async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function claimByApi(release: string): Promise<string> {
  const claim = await call<{ coupon: { id: string } }>(resident.token, 'POST', `/subsidies/releases/${release}/claims`, { location: { lat: TIANJIN.latitude, lng: TIANJIN.longitude } });
  expect(claim.status, JSON.stringify(claim.body)).toBe(201);
  return claim.body.coupon.id;
}

async function setLargeText(page: Page, on: boolean, testId = 'large-text-toggle'): Promise<void> {
  const toggle = page.getByTestId(testId);
  if ((await largeTextOn(page)) !== on) await toggle.click();
  expect(await largeTextOn(page)).toBe(on);
}

/** Reads the QR image on the page back to its text, as the till's camera would. */
async function decodeQr(page: Page): Promise<string | undefined> {
  const png = PNG.sync.read(await page.getByTestId('qr-image').screenshot());
  const jsQR = jsQRModule as unknown as typeof jsQRModule.default;
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data;
}

/** Waits until the open antd dialog and its mask have finished fading in (axe would judge a half-transparent frame). */
async function dialogSettled(page: Page): Promise<void> {
  const probe = `(() => {
    const visible = (e) => e.getClientRects().length > 0;
    const modal = [...document.querySelectorAll('.ant-modal')].find(visible);
    const mask = [...document.querySelectorAll('.ant-modal-mask')].find(visible);
    if (!modal) return 'none';
    const m = getComputedStyle(modal);
    return [m.opacity, m.transform, mask ? getComputedStyle(mask).opacity : '1', modal.className.includes('-appear') || modal.className.includes('-enter')].join('|');
  })()`;
  await expect.poll(() => js<string>(page, probe), { timeout: 10_000 }).toMatch(/^1\|(none|matrix\(1, 0, 0, 1, 0, 0\))\|1\|false$/);
}

const text = (page: Page, testId: string) => page.getByTestId(testId).first().innerText();

describe('subsidy redemption pages', () => {
  let citizenPage: OpenedPage;
  let tillPage: OpenedPage;
  let token = '';
  let saleId = '';

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer({ demo: true, listen: true, serveWeb: true, now: '2026-03-05T10:00:00+08:00' });
    server.clock.run();
    await server.platform.services.get<SubsidyService>('subsidies').planReleases('2026-03');
    url = server.url.replace(/\/$/, '');
    browser = await launchBrowser();
    [resident] = (await demoTokens('citizen')) as [DemoToken];
    [merchant] = (await demoTokens('merchant')) as [DemoToken];
    [admin] = (await demoTokens('admin')) as [DemoToken];
    // The resident answers the exchange of a second fridge coupon with 409 (one item per category), and the
    // QR page may ask for a code just as the till uses the qualification.
    citizenPage = await openPage(browser, { mobile: true }, (status, path) => status === 409 && (/\/exchange$/.test(path) || /\/qr$/.test(path)));
    await signIn(citizenPage.context, resident.token);
    await citizenPage.context.grantPermissions(['geolocation'], { origin: url });
    await citizenPage.context.setGeolocation(TIANJIN);
    // The cashier's wrong invoice name is refused on purpose (409).
    tillPage = await openPage(browser, { mobile: false }, (status, path) => status === 409 && path === '/api/v1/merchant/redemptions');
    await signIn(tillPage.context, merchant.token);
  }, 120_000);

  afterAll(async () => {
    await citizenPage?.context.close();
    await tillPage?.context.close();
    await browser?.close();
    await server?.close();
    printAxeSummary(axeLog);
  });

  it('the resident claims a coupon and exchanges it for a refrigerator qualification', async () => {
    // The claim page belongs to the coupon pages; when its button is not there, the claim goes through the API.
    const claimPage = await citizenPage.context.newPage();
    let claimedInUi = false;
    try {
      await claimPage.goto(`${url}/citizen/subsidies`, { waitUntil: 'load' });
      const button = claimPage.getByTestId(`release-${FRIDGE_RELEASE}`).getByTestId('claim-button');
      await button.waitFor({ state: 'visible', timeout: 15_000 });
      await expect.poll(() => button.getAttribute('data-state'), { timeout: 15_000 }).not.toBe('upcoming');
      await button.click();
      await claimPage.getByTestId(`release-${FRIDGE_RELEASE}`).getByTestId('claim-success').waitFor({ timeout: 20_000 });
      claimedInUi = true;
    } catch (error) {
      console.log(`claim page not usable (${(error as Error).message.split('\n')[0]}); claiming through the API`);
    } finally {
      await claimPage.close();
    }
    if (!claimedInUi) await claimByApi(FRIDGE_RELEASE);
    console.log(`coupon claimed ${claimedInUi ? 'on /citizen/subsidies' : 'through the API'}`);

    const { page } = citizenPage;
    await gotoAndWait(page, `${url}/citizen/qualifications`, msg(zh, 'redemption.citizen.title'));
    const coupons = page.getByTestId('exchangeable-coupons').locator('li');
    await expect.poll(() => coupons.count(), { timeout: 15_000 }).toBe(1);
    await expectTargets(page, '.qual-action, .qual-link', 44);
    await axe(page, '/citizen/qualifications (zh-CN)');
    await setLargeText(page, true);
    await expectTargets(page, '.qual-action, .qual-link, .citizen-tab-link', 60);
    await axe(page, '/citizen/qualifications (zh-CN, large text)');
    await setLargeText(page, false);

    await coupons.first().getByTestId('exchange-action').click();
    await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(zh, 'redemption.citizen.exchange.title'));
    // Submitting without a choice says what is missing.
    await page.getByTestId('choose-submit').click();
    await expect.poll(() => page.getByText(msg(zh, 'redemption.citizen.exchange.chooseCategory')).count()).toBe(1);
    await page.getByTestId('category-refrigerator').click();
    await axe(page, '/citizen/qualifications/exchange (zh-CN)');
    await setLargeText(page, true);
    await axe(page, '/citizen/qualifications/exchange (zh-CN, large text)');
    await setLargeText(page, false);
    await page.getByTestId('choose-submit').click();
    await page.getByTestId('choose-success').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('choose-success').innerText()).toContain('冰箱');
  }, 120_000);

  it('TI-07: a second refrigerator coupon is refused in plain words, and the coupon stays usable', async () => {
    const { page } = citizenPage;
    const couponId = await claimByApi(FRIDGE_RELEASE);
    await gotoAndWait(page, `${url}/citizen/qualifications/exchange/${couponId}`, msg(zh, 'redemption.citizen.exchange.title'));
    await page.getByTestId('category-refrigerator').click();
    await page.getByTestId('choose-submit').click();
    const problem = page.getByTestId('qual-problem');
    await problem.waitFor({ timeout: 15_000 });
    expect(await problem.getAttribute('data-code')).toBe('CATEGORY_ALREADY_SUBSIDISED');
    expect(await problem.innerText()).toContain(msg(zh, 'redemption.citizen.errors.CATEGORY_ALREADY_SUBSIDISED'));
    expect(await problem.innerText()).toContain(msg(zh, 'redemption.citizen.errorMore.CATEGORY_ALREADY_SUBSIDISED'));
    await axe(page, '/citizen/qualifications/exchange with a problem (zh-CN)');
  });

  it('the QR page: large code, countdown, manual refresh, the text under it decodes from the picture', async () => {
    const { page } = citizenPage;
    await gotoAndWait(page, `${url}/citizen/qualifications`, msg(zh, 'redemption.citizen.title'));
    const card = page.locator('[data-testid^="qualification-q_"][data-status="active"]');
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    await card.getByTestId('show-qr').click();
    await page.getByTestId('qr-image').waitFor({ timeout: 15_000 });
    expect(await page.locator('h1').first().innerText()).toBe(msg(zh, 'redemption.citizen.qr.title'));
    const first = await text(page, 'qr-token');
    expect(first).toMatch(/^hq1\.[\w-]+\.[\w-]+$/);
    await expect.poll(() => text(page, 'qr-countdown')).toMatch(/\d+ 秒后自动更新/);
    // The code refreshes itself 20 s before it expires (it lives 120 s), so the countdown starts near 100.
    const seconds = Number(/(\d+) 秒后/.exec(await text(page, 'qr-countdown'))?.[1]);
    expect(seconds).toBeGreaterThan(60);
    expect(seconds).toBeLessThanOrEqual(100);
    expect(await decodeQr(page)).toBe(first);
    // The picture is large on a phone: most of the width.
    const box = await page.getByTestId('qr-image').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    await page.getByTestId('qr-refresh').click();
    await expect.poll(() => text(page, 'qr-token'), { timeout: 15_000 }).not.toBe(first);
    token = await text(page, 'qr-token');
    expect(await decodeQr(page)).toBe(token);
    await expectTargets(page, '.qr-refresh, .qr-close-link, .qr-large-text', 44);
    await axe(page, '/citizen/qualifications/:id/qr (zh-CN)');
    await screenshot(page, 'qualification-qr.png');
    // The header is behind the full-screen code, so the code screen has its own large-text switch.
    await setLargeText(page, true, 'qr-large-text');
    await expectTargets(page, '.qr-refresh, .qr-close-link, .qr-large-text', 60);
    await axe(page, '/citizen/qualifications/:id/qr (zh-CN, large text)');
    await setLargeText(page, false, 'qr-large-text');
  });

  it('the cashier types the code, checks 8000.00 → subsidy 1200.00, pays 6800.00, and confirms once (key reused on retry)', async () => {
    const { page } = tillPage;
    await gotoAndWait(page, `${url}/counter/till`, msg(zh, 'redemption.till.title'));
    // Headless Chromium has no camera: the page says so and points to typing the code.
    await page.getByTestId('scan-button').click();
    await page.getByTestId('camera-problem').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('camera-problem').innerText()).toContain(msg(zh, 'redemption.till.camera.typeInstead'));
    await page.getByTestId('camera-close').click();

    // The freshest code from the resident's screen (it lives two minutes).
    token = await text(citizenPage.page, 'qr-token');
    await page.getByTestId('till-code').fill(token);
    await page.locator('#till-verify_category').click();
    await page.locator('#till-verify_category').fill('冰箱');
    await page.keyboard.press('Enter');
    await page.getByTestId('till-price').fill('8000');
    await page.getByTestId('verify-button').click();
    await page.getByTestId('verify-result').waitFor({ timeout: 15_000 });
    expect(await text(page, 'verify-price')).toContain('8,000.00');
    expect(await text(page, 'verify-subsidy')).toContain('1,200.00');
    expect(await text(page, 'verify-payable')).toContain('6,800.00');
    const holder = await text(page, 'verify-holder');
    expect(holder).toContain('*');
    expect(holder).not.toBe(resident.name);
    // TI-31: the invoice amount starts as the full price.
    expect(await page.getByTestId('till-invoice-amount').inputValue()).toBe('8000.00');
    await axe(page, '/counter/till verified (zh-CN)');

    await page.getByTestId('till-order').fill('ORD-E2E-0001');
    await page.getByTestId('till-invoice-number').fill('26120000000000000001');
    await page.getByTestId('till-invoice-title').fill('某某公司');
    await page.getByTestId('confirm-button').click();
    const problem = page.getByTestId('confirm-problem');
    await problem.waitFor({ timeout: 15_000 });
    expect(await problem.getAttribute('data-code')).toBe('INVOICE_TITLE_MISMATCH');
    expect(await problem.innerText()).toContain(msg(zh, 'redemption.till.errors.INVOICE_TITLE_MISMATCH'));
    await axe(page, '/counter/till with a problem (zh-CN)');

    // The answer to the real confirmation is lost on the way back: the retry carries the same key and gets the same sale.
    const keys: string[] = [];
    let dropped = false;
    await page.route('**/api/v1/merchant/redemptions', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (!dropped) {
        dropped = true;
        await route.fetch();
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    await page.getByTestId('till-invoice-title').fill(resident.name);
    await screenshot(page, 'till.png', { fullPage: true });
    await page.getByTestId('confirm-button').click();
    await expect.poll(() => page.getByTestId('confirm-problem').getAttribute('data-code'), { timeout: 15_000 }).toBe('NETWORK');
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('receipt').waitFor({ timeout: 15_000 });
    await page.unroute('**/api/v1/merchant/redemptions');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await text(page, 'receipt-subsidy')).toContain('1,200.00');
    expect(await text(page, 'receipt-payable')).toContain('6,800.00');
    expect(await text(page, 'receipt-deadline')).toContain('2026年4月10日');
    const sales = await call<{ id: string; orderId: string }[]>(merchant.token, 'GET', '/merchant/redemptions');
    expect(sales.body.filter((s) => s.orderId === 'ORD-E2E-0001')).toHaveLength(1);
    saleId = sales.body[0]!.id;
    await axe(page, '/counter/till receipt (zh-CN)');

    // The resident's screen learns that the code was used.
    await citizenPage.page.getByTestId('qr-not-active').waitFor({ timeout: 20_000 });
    expect(await citizenPage.page.getByTestId('qr-not-active').getAttribute('data-status')).toBe('used');
  }, 120_000);

  it('after the sale: delivery, then a quality return gives the resident the qualification back', async () => {
    const { page } = tillPage;
    await gotoAndWait(page, `${url}/counter/sales`, msg(zh, 'redemption.sales.title'));
    const row = page.getByTestId(`sale-${saleId}`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('sale-status').getAttribute('data-status')).toBe('paid');
    expect(await row.innerText()).toContain('2026年4月10日');
    expect(await row.getByTestId('sale-photo').getAttribute('data-state')).toBe('not_required');
    await axe(page, '/counter/sales (zh-CN)');

    await page.getByTestId(`deliver-${saleId}`).click();
    await expect.poll(() => page.getByTestId('delivered-at').inputValue()).toMatch(/^2026-03-05T\d{2}:\d{2}$/);
    await dialogSettled(page);
    await axe(page, '/counter/sales delivery dialog (zh-CN)');
    await page.getByTestId('delivery-save').click();
    await expect.poll(() => text(page, 'sales-notice'), { timeout: 15_000 }).toContain(msg(zh, 'redemption.sales.deliveredNotice', { order: 'ORD-E2E-0001' }));
    await expect.poll(() => row.getByTestId('sale-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('delivered');

    await page.getByTestId(`return-${saleId}`).click();
    await page.getByTestId('return-save').click();
    await expect.poll(() => page.getByText(msg(zh, 'redemption.sales.reasonMissing')).count()).toBe(1);
    await page.getByTestId('reason-quality').click();
    await dialogSettled(page);
    await axe(page, '/counter/sales return dialog (zh-CN)');
    await page.getByTestId('return-save').click();
    await expect.poll(() => text(page, 'sales-notice'), { timeout: 15_000 }).toContain(msg(zh, 'redemption.sales.restored'));
    await expect.poll(() => row.getByTestId('sale-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('returned');

    const citizen = citizenPage.page;
    await gotoAndWait(citizen, `${url}/citizen/qualifications`, msg(zh, 'redemption.citizen.title'));
    const card = citizen.locator('[data-testid^="qualification-q_"]');
    await expect.poll(() => card.first().getAttribute('data-status'), { timeout: 15_000 }).toBe('active');
    expect(await card.first().getByTestId('qualification-status').innerText()).toContain(msg(zh, 'redemption.qualificationStatus.active'));
    expect(await card.first().getByTestId('show-qr').count()).toBe(1);
    expect(citizenPage.errors).toEqual([]);
  }, 120_000);

  it('a digital sale: the photo comes before delivery; administrators review it and see the report', async () => {
    // A phone bought at the same till, through the API.
    const couponId = await claimByApi(DIGITAL_RELEASE);
    const exchanged = await call<{ qualification: { id: string } }>(resident.token, 'POST', `/me/coupons/${couponId}/exchange`, { category: 'mobile_phone' });
    expect(exchanged.status).toBe(201);
    const qr = await call<{ token: string }>(resident.token, 'POST', `/me/qualifications/${exchanged.body.qualification.id}/qr`);
    const sold = await call<{ id: string }>(merchant.token, 'POST', '/merchant/redemptions', {
      qrToken: qr.body.token,
      category: 'mobile_phone',
      price: '3000.00',
      orderId: 'ORD-E2E-0002',
      invoice: { number: '26120000000000000002', title: resident.name, amount: '3000.00' },
      serial: '861234567890123',
    });
    expect(sold.status, JSON.stringify(sold.body)).toBe(201);

    const { page } = tillPage;
    await gotoAndWait(page, `${url}/counter/sales`, msg(zh, 'redemption.sales.title'));
    const row = page.getByTestId(`sale-${sold.body.id}`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('sale-photo').getAttribute('data-state')).toBe('missing');
    await page.getByTestId(`photo-${sold.body.id}`).click();
    expect(await page.getByText(msg(zh, 'redemption.sales.photoPhone')).count()).toBe(1);
    await page.getByTestId('photo-input').setInputFiles({ name: 'photo.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
    await expect.poll(() => page.getByText(msg(zh, 'redemption.sales.photoProblem.type')).count()).toBe(1);
    await page.getByTestId('photo-input').setInputFiles({ name: 'imei.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await page.getByTestId('photo-preview').waitFor();
    await dialogSettled(page);
    await axe(page, '/counter/sales photo dialog (zh-CN)');
    await page.getByTestId('photo-save').click();
    await expect.poll(() => text(page, 'sales-notice'), { timeout: 15_000 }).toContain(msg(zh, 'redemption.sales.photoNotice', { order: 'ORD-E2E-0002' }));
    await expect.poll(() => row.getByTestId('sale-photo').getAttribute('data-state'), { timeout: 15_000 }).toBe('pending');
    expect(tillPage.errors).toEqual([]);

    const adminOpened = await openPage(browser, { mobile: false });
    try {
      await signIn(adminOpened.context, admin.token);
      const { page: adminPage } = adminOpened;
      await gotoAndWait(adminPage, `${url}/console/redemption`, msg(zh, 'redemption.console.title'));
      const card = adminPage.getByTestId('photo-queue').locator('li');
      await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
      const image = card.first().getByTestId('review-image');
      await image.waitFor({ timeout: 15_000 });
      expect(await image.getAttribute('src')).toMatch(/^blob:/);
      await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
      expect(await card.first().innerText()).toContain('861234567890123');
      await axe(adminPage, '/console/redemption photos (zh-CN)');
      // A rejection needs a reason.
      await card.first().getByTestId('reject-photo').click();
      await adminPage.getByTestId('reject-confirm').click();
      await expect.poll(() => adminPage.getByText(msg(zh, 'redemption.console.photos.reasonRequired')).count()).toBe(1);
      await dialogSettled(adminPage);
      await axe(adminPage, '/console/redemption reject dialog (zh-CN)');
      await adminPage.keyboard.press('Escape');
      await card.first().getByTestId('approve-photo').click();
      await expect.poll(() => text(adminPage, 'photos-notice'), { timeout: 15_000 }).toContain('861234567890123');
      await expect.poll(() => adminPage.getByText(msg(zh, 'redemption.console.photos.empty')).count(), { timeout: 15_000 }).toBeGreaterThan(0);

      await adminPage.goto(`${url}/console/redemption?tab=report&month=2026-03`);
      await adminPage.getByTestId('report-total').waitFor({ timeout: 15_000 });
      // The returned fridge is not counted; the phone at 3000.00 is subsidised 450.00.
      await expect.poll(() => text(adminPage, 'report-total')).toContain('450.00');
      await adminPage.getByTestId('chart-by-day-canvas').locator('svg').waitFor({ timeout: 15_000 });
      await adminPage.getByTestId('chart-by-category-canvas').locator('svg').waitFor();
      await adminPage.getByTestId('chart-by-district-canvas').locator('svg').waitFor();
      const csvHref = await adminPage.getByTestId('report-csv').getAttribute('href');
      expect(csvHref).toBe('/api/v1/admin/subsidies/report?month=2026-03&format=csv');
      const csv = await adminPage.request.get(`${url}${csvHref}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect(await csv.text()).toContain('mobile_phone,offline');
      await axe(adminPage, '/console/redemption report (zh-CN)');

      await adminPage.getByRole('tab', { name: msg(zh, 'redemption.console.tabs.flags') }).click();
      await adminPage.getByTestId('flags-table').waitFor();
      await axe(adminPage, '/console/redemption flags (zh-CN)');
      await adminPage.getByRole('tab', { name: msg(zh, 'redemption.console.tabs.overdue') }).click();
      await adminPage.getByTestId('overdue-table').waitFor();
      await expect.poll(() => adminPage.getByText(msg(zh, 'redemption.console.overdue.empty')).count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await axe(adminPage, '/console/redemption overdue (zh-CN)');
      expect(adminOpened.errors).toEqual([]);
    } finally {
      await adminOpened.context.close();
    }
  }, 120_000);

  it('pages say plainly who may use them', async () => {
    const { page } = citizenPage;
    // A resident on the till: not allowed, with the role in words.
    const other = await openPage(browser, { mobile: false });
    try {
      await signIn(other.context, resident.token);
      await gotoAndWait(other.page, `${url}/counter/till`, msg(zh, 'redemption.till.title'));
      await expect.poll(() => other.page.getByTestId('access-state').getAttribute('data-state')).toBe('forbidden');
      await gotoAndWait(other.page, `${url}/console/redemption`, msg(zh, 'redemption.console.title'));
      await expect.poll(() => other.page.getByTestId('access-state').getAttribute('data-state')).toBe('forbidden');
    } finally {
      await other.context.close();
    }
    // Signed out, the resident's page offers sign-in and still explains the rules and the calculator.
    await citizenPage.context.clearCookies();
    await gotoAndWait(page, `${url}/citizen/qualifications`, msg(zh, 'redemption.citizen.title'));
    await expect.poll(() => page.getByTestId('sign-in').count()).toBe(1);
    await page.getByTestId('calc-price').fill('5999');
    await page.locator('[data-testid="calc-category"]').selectOption('mobile_phone');
    await page.getByTestId('calc-submit').click();
    await expect.poll(() => text(page, 'calc-result'), { timeout: 15_000 }).toContain('500.00');
    await axe(page, '/citizen/qualifications signed out (zh-CN)');
    // In English, with large text.
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.locator('h1').first().innerText()).toBe(msg(en, 'redemption.citizen.title'));
    expect(await page.getByRole('heading', { name: msg(en, 'redemption.citizen.rules.title') }).count()).toBe(1);
    await setLargeText(page, true);
    await axe(page, '/citizen/qualifications signed out (en, large text)');
    await setLargeText(page, false);
    await page.getByTestId('lang-switch').click();
  });
});
