// Browser test of a resident's visit to a police station (systems.md S1: POL-19–POL-23, 好差评): the
// nearby-halls map and list, the hall page, a ticket taken by opening the hall's QR tag URL on the
// signed-in phone, the window officer calling and finishing it, the hall's calling screen showing
// (and speaking) the number, and the resident's rating. Every page is checked with axe (WCAG 2.1
// A/AA), the resident's pages also in large-text mode. Runs when HAIHE_E2E=1.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/support/server.ts';
import {
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
} from './support.ts';

const HALL = 'hall-hexi-xiawafang';
const CSRF = 'h'.repeat(32);
const axeLog: AxeLogEntry[] = [];
let server: TestServer;
let url: string;
let browser: Browser;

async function demoToken(role: 'citizen' | 'hall-staff'): Promise<string> {
  const res = await fetch(`${url}/api/v1/demo/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role, count: role === 'citizen' ? 30 : 1 }) });
  const lines = (await res.text()).trim().split('\n');
  return (JSON.parse(lines[lines.length - 1]!) as { token: string }).token;
}

const signIn = (context: BrowserContext, token: string) => signInWithToken(context, url, token, CSRF);

async function setLargeText(page: Page, on: boolean): Promise<void> {
  if ((await largeTextOn(page)) !== on) await page.getByTestId('large-text-toggle').click();
  expect(await largeTextOn(page)).toBe(on);
}

describe('service halls: a resident from the map to a rated ticket', () => {
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

  it('POL-19–POL-23: map and list → hall → QR tag ticket → window calls and finishes it → the screen shows and speaks it → the resident rates it', async () => {
    const residentToken = await demoToken('citizen');
    const officerToken = await demoToken('hall-staff');
    const tags = (await (await fetch(`${url}/api/v1/staff/halls/${HALL}/tags`, { headers: { authorization: `Bearer ${officerToken}` } })).json()) as { kind: string; url: string }[];
    const qrUrl = tags.find((tag) => tag.kind === 'qr')!.url;
    expect(qrUrl.startsWith(`${url}/citizen/halls/${HALL}/take?via=qr&tag=`)).toBe(true);

    // The resident's phone, near 下瓦房, signed in.
    const resident = await openPage(browser, { mobile: true });
    resident.page.on('pageerror', (error) => console.log(`resident page error: ${error.stack ?? error.message}`));
    await resident.context.grantPermissions(['geolocation'], { origin: url });
    await resident.context.setGeolocation({ latitude: 39.1036, longitude: 117.2197 });
    await signIn(resident.context, residentToken);
    // The calling screen on the hall's wall; speech is recorded instead of played.
    const display = await openPage(browser, { mobile: false });
    await display.page.addInitScript({ content: 'window.spoken = []; window.speechSynthesis.speak = (utterance) => { window.spoken.push(utterance.text); };' });
    // The window officer's counter.
    const officer = await openPage(browser, { mobile: false });
    await signIn(officer.context, officerToken);

    try {
      const page = resident.page;
      await gotoAndWait(page, `${url}/citizen/halls`, msg(zh, 'halls.home.title'));
      await page.getByTestId('use-location').click();
      await expect.poll(() => page.locator('.halls-item').first().getAttribute('data-testid'), { timeout: 10_000 }).toBe(`hall-${HALL}`);
      await expect.poll(() => page.getByTestId('halls-map').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
      const navigation = await page.getByTestId(`navigate-${HALL}`).getAttribute('href');
      expect(navigation).toMatch(/^https:\/\/uri\.amap\.com\/marker\?position=117\.221,39\.1045&name=/);
      await page.getByRole('radio', { name: msg(zh, 'halls.types.traffic_police') }).check();
      await expect.poll(() => page.locator('.halls-item').first().getAttribute('data-testid')).toBe('hall-hall-traffic-hexi');
      await page.getByRole('radio', { name: msg(zh, 'halls.types.all') }).check();
      await expect.poll(() => page.locator('.halls-item').first().getAttribute('data-testid')).toBe(`hall-${HALL}`);
      await expectTargets(page, '.halls-action, .halls-segmented label', 44);
      await expectNoSeriousAxeViolations(page, '/citizen/halls (zh-CN)');
      await screenshot(page, 'citizen-halls.png', { fullPage: false });
      await setLargeText(page, true);
      await expectTargets(page, '.halls-action, .halls-segmented label', 60);
      await expectNoSeriousAxeViolations(page, '/citizen/halls (zh-CN, large text)');
      await setLargeText(page, false);

      await page.getByTestId(`hall-${HALL}`).getByRole('link', { name: msg(zh, 'halls.details') }).click();
      await expect.poll(() => page.locator('h1').first().innerText()).toBe('下瓦房派出所');
      await expect.poll(() => page.getByTestId(`guide-id-card-renewal`).count()).toBe(1);
      await expectNoSeriousAxeViolations(page, `/citizen/halls/${HALL} (zh-CN)`);

      // The calling screen before any call.
      await gotoAndWait(display.page, `${url}/public/halls/${HALL}/display`, '下瓦房派出所');
      await display.page.getByTestId('display-sound').click();
      await expectNoSeriousAxeViolations(display.page, `/public/halls/${HALL}/display (idle)`);

      // Opening the QR poster's URL on the signed-in phone, choosing the business, taking the ticket.
      await page.goto(qrUrl);
      await expect.poll(() => page.getByTestId('take-hall').count(), { timeout: 10_000 }).toBe(1);
      await page.getByTestId('take-item').selectOption('id-card-renewal');
      await expect.poll(() => page.getByText('符合标准的证件照片（可现场或自助终端拍摄）').count()).toBe(1);
      await expectNoSeriousAxeViolations(page, `/citizen/halls/${HALL}/take (zh-CN)`);
      await page.getByTestId('take-ticket').click();
      await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toMatch(/^\/citizen\/halls\/tickets\//);
      await expect.poll(() => page.getByTestId('ticket-number').innerText()).toMatch(/A\d{3}$/);
      const number = (await page.getByTestId('ticket-number').innerText()).match(/A\d{3}/)![0];
      await expect.poll(() => page.getByTestId('ticket-state').getAttribute('data-status')).toBe('waiting');
      await expectNoSeriousAxeViolations(page, '/citizen/halls/tickets/:id waiting (zh-CN)');
      await setLargeText(page, true);
      await expectNoSeriousAxeViolations(page, '/citizen/halls/tickets/:id waiting (zh-CN, large text)');
      await setLargeText(page, false);
      await expect.poll(() => display.page.getByTestId('display-queue').innerText(), { timeout: 5_000 }).toBe(msg(zh, 'halls.status.people', { count: '1' }));

      // The officer calls the next ticket: it is this one.
      await gotoAndWait(officer.page, `${url}/counter/window`, msg(zh, 'halls.window.title'));
      await officer.page.getByTestId('call-next').click();
      await expect.poll(() => officer.page.getByTestId('serving').count(), { timeout: 10_000 }).toBe(1);
      expect(await officer.page.locator('.halls-serving-number').innerText()).toBe(number);
      await expectNoSeriousAxeViolations(officer.page, '/counter/window serving (zh-CN)');

      // Within a second or two the screen shows and speaks it, and the phone says where to go.
      await expect.poll(() => display.page.getByTestId('display-number').innerText(), { timeout: 5_000 }).toBe(number);
      await expect.poll(() => js<string[]>(display.page, 'window.spoken'), { timeout: 5_000 }).toContainEqual(expect.stringContaining(number.split('').join(' ')));
      await expectNoSeriousAxeViolations(display.page, `/public/halls/${HALL}/display (calling)`);
      await screenshot(display.page, 'hall-display.png');
      await expect.poll(() => page.getByTestId('ticket-state').getAttribute('data-status'), { timeout: 5_000 }).toBe('called');

      // Done at the window; the phone offers the rating.
      await officer.page.getByTestId('finish-done').click();
      await expect.poll(() => officer.page.getByTestId('call-next').count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByTestId('rating-5').count(), { timeout: 5_000 }).toBe(1);
      await expectNoSeriousAxeViolations(page, '/citizen/halls/tickets/:id finished (zh-CN)');
      await page.getByTestId('rating-5').check();
      await page.getByTestId('rating-submit').click();
      await expect.poll(() => page.getByTestId('rated').count(), { timeout: 5_000 }).toBe(1);
      expect(await page.getByTestId('rated').innerText()).toContain(msg(zh, 'halls.rating.levels.5'));

      expect({ resident: resident.errors, display: display.errors, officer: officer.errors }).toEqual({ resident: [], display: [], officer: [] });
    } finally {
      await resident.context.close();
      await display.context.close();
      await officer.context.close();
    }
  });
});

function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  return axeCheck(page, label, axeLog);
}
