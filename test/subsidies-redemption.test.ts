import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const TIANJIN = { location: { lat: 39.1237, lng: 117.202 } };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

interface Resident { subject: string; token: string; name: string; idNumber: string }

describe.each(databaseKinds())('qualifications and redemption (systems.md S2.4–S2.9) on %s', (database) => {
  let server: TestServer;
  let residents: Resident[];
  let next = 0;
  let till: string;
  let otherTill: string;
  let platform: string;
  let otherPlatform: string;
  let admin: string;
  let invoiceSequence = 0;

  const inject = (options: InjectOptions) => server.platform.app.inject(options);
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const at = (instant: string) => server.clock.set(instant);
  const resident = () => residents[next++]!;
  const invoice = () => `2612000000000${String(++invoiceSequence).padStart(7, '0')}`;

  /** Claims a coupon in a release and exchanges it; returns the qualification. */
  async function qualification(person: Resident, release: string, category: string, platformId?: string) {
    const claim = await inject({ method: 'POST', url: `/api/v1/subsidies/releases/${release}/claims`, headers: as(person.token), payload: TIANJIN });
    expect(claim.statusCode, claim.body).toBe(201);
    const exchange = await inject({
      method: 'POST', url: `/api/v1/me/coupons/${claim.json().coupon.id}/exchange`, headers: as(person.token),
      payload: platformId ? { category, platform: platformId } : { category },
    });
    expect(exchange.statusCode, exchange.body).toBe(201);
    return exchange.json().qualification as { id: string; couponId: string; status: string; category: string; expiresAt: string };
  }
  const qr = async (person: Resident, id: string) =>
    (await inject({ method: 'POST', url: `/api/v1/me/qualifications/${id}/qr`, headers: as(person.token) })).json().token as string;
  const sale = (person: Resident, category: string, price: string, extra: object = {}) => ({
    category, price, orderId: `ORD-${invoiceSequence + 1}-${Math.random().toString(36).slice(2, 8)}`, invoice: { number: invoice(), title: person.name, amount: price }, ...extra,
  });

  beforeAll(async () => {
    server = await startTestServer({ database, demo: true, now: '2026-03-05T10:00:00+08:00' });
    const subsidies = server.platform.services.get<SubsidyService>('subsidies');
    for (const month of ['2026-03', '2026-04']) await subsidies.planReleases(month);
    const identity = server.platform.services.get<IdentityService>('identity');
    const year = 365 * 24 * 3600;
    residents = (await demoTokens(server.platform.context, identity, 'citizen', 40, year)) as Resident[];
    const merchants = await demoTokens(server.platform.context, identity, 'merchant', 2, year);
    [till, otherTill] = merchants.map((m) => m.token) as [string, string];
    const platforms = await demoTokens(server.platform.context, identity, 'platform', 2, year);
    platform = platforms.find((p) => p.subject === 'platform-haihe-mall')!.token;
    otherPlatform = platforms.find((p) => p.subject === 'platform-jinmen-buy')!.token;
    admin = (await demoTokens(server.platform.context, identity, 'admin', 1, year))[0]!.token;
  });
  afterAll(async () => server?.close());

  it('TI-22/TI-16: a coupon is exchanged within its month for a category of its programme, in its own channel', async () => {
    await at('2026-03-05T10:00:00+08:00');
    const person = resident();
    const q = await qualification(person, 'appliances-2026-offline-2026-03', 'refrigerator');
    expect(q).toMatchObject({ category: 'refrigerator', status: 'active', expiresAt: '2026-04-01T00:00:00+08:00' });
    const again = await inject({ method: 'POST', url: `/api/v1/me/coupons/${q.couponId}/exchange`, headers: as(person.token), payload: { category: 'television' } });
    expect(again.json().code).toBe('COUPON_ALREADY_EXCHANGED');
    const claim = await inject({ method: 'POST', url: '/api/v1/subsidies/releases/digital-2026-offline-2026-03/claims', headers: as(person.token), payload: TIANJIN });
    const wrong = await inject({ method: 'POST', url: `/api/v1/me/coupons/${claim.json().coupon.id}/exchange`, headers: as(person.token), payload: { category: 'refrigerator' } });
    expect(wrong.json().code).toBe('CATEGORY_NOT_IN_PROGRAMME');
    const stranger = await inject({ method: 'POST', url: `/api/v1/me/coupons/${claim.json().coupon.id}/exchange`, headers: as(resident().token), payload: { category: 'tablet' } });
    expect(stranger.statusCode).toBe(404);
  });

  it('TI-23: an online qualification names a designated platform; an offline one cannot', async () => {
    const person = resident();
    const claim = await inject({ method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-online-2026-03/claims', headers: as(person.token), payload: TIANJIN });
    const couponId = claim.json().coupon.id;
    expect((await inject({ method: 'POST', url: `/api/v1/me/coupons/${couponId}/exchange`, headers: as(person.token), payload: { category: 'computer' } })).json().code).toBe('PLATFORM_REQUIRED');
    expect((await inject({ method: 'POST', url: `/api/v1/me/coupons/${couponId}/exchange`, headers: as(person.token), payload: { category: 'computer', platform: 'platform-unknown' } })).json().code).toBe('PLATFORM_NOT_DESIGNATED');
    const ok = await inject({ method: 'POST', url: `/api/v1/me/coupons/${couponId}/exchange`, headers: as(person.token), payload: { category: 'computer', platform: 'platform-haihe-mall' } });
    expect(ok.json().qualification).toMatchObject({ channel: 'online', platform: 'platform-haihe-mall' });
    const offline = await inject({ method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-offline-2026-03/claims', headers: as(person.token), payload: TIANJIN });
    expect((await inject({ method: 'POST', url: `/api/v1/me/coupons/${offline.json().coupon.id}/exchange`, headers: as(person.token), payload: { category: 'television', platform: 'platform-haihe-mall' } })).json().code).toBe('PLATFORM_ONLY_ONLINE');
  });

  it('TI-07: one subsidised item per category per person — never two active or used qualifications for it', async () => {
    const person = resident();
    await qualification(person, 'appliances-2026-offline-2026-03', 'washing_machine');
    const claim = await inject({ method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-offline-2026-03/claims', headers: as(person.token), payload: TIANJIN });
    const second = await inject({ method: 'POST', url: `/api/v1/me/coupons/${claim.json().coupon.id}/exchange`, headers: as(person.token), payload: { category: 'washing_machine' } });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('CATEGORY_ALREADY_SUBSIDISED');
  });

  it('TI-25: an unused qualification changes category, an online one its platform; not once used', async () => {
    const person = resident();
    const q = await qualification(person, 'appliances-2026-offline-2026-03', 'water_heater');
    const changed = await inject({ method: 'PATCH', url: `/api/v1/me/qualifications/${q.id}`, headers: as(person.token), payload: { category: 'air_conditioner' } });
    expect(changed.json()).toMatchObject({ category: 'air_conditioner', status: 'active' });
    expect((await inject({ method: 'PATCH', url: `/api/v1/me/qualifications/${q.id}`, headers: as(person.token), payload: { platform: 'platform-haihe-mall' } })).json().code).toBe('PLATFORM_ONLY_ONLINE');
    const online = await qualification(person, 'digital-2026-online-2026-03', 'tablet', 'platform-haihe-mall');
    const moved = await inject({ method: 'PATCH', url: `/api/v1/me/qualifications/${online.id}`, headers: as(person.token), payload: { platform: 'platform-jinmen-buy' } });
    expect(moved.json()).toMatchObject({ platform: 'platform-jinmen-buy' });
    const token = await qr(person, q.id);
    const redeemed = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: token, ...sale(person, 'air_conditioner', '3000.00') } });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    const late = await inject({ method: 'PATCH', url: `/api/v1/me/qualifications/${q.id}`, headers: as(person.token), payload: { category: 'television' } });
    expect(late.json().code).toBe('QUALIFICATION_NOT_ACTIVE');
  });

  it('TI-26/TI-29–TI-31 at the till: verify, then one qualification, one order, one invoice; title and amount checked', async () => {
    const person = resident();
    const q = await qualification(person, 'appliances-2026-offline-2026-03', 'refrigerator');
    const token = await qr(person, q.id);
    const verify = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: token, category: 'refrigerator', price: '8000.00' } });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ qualificationId: q.id, subsidy: '1200.00', payable: '6800.00' });
    expect(verify.json().holder).toMatch(/\*/);
    expect(verify.json().holder).not.toBe(person.name);
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: token, category: 'television', price: '8000.00' } })).json().code).toBe('CATEGORY_MISMATCH');
    const base = sale(person, 'refrigerator', '8000.00');
    const wrongTitle = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: token, ...base, invoice: { ...base.invoice, title: '某公司' } } });
    expect(wrongTitle.json().code).toBe('INVOICE_TITLE_MISMATCH');
    const netAmount = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: token, ...base, invoice: { ...base.invoice, amount: '6800.00' } } });
    expect(netAmount.json().code).toBe('INVOICE_AMOUNT_MISMATCH');
    const done = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: token, ...base } });
    expect(done.statusCode).toBe(201);
    expect(done.json()).toMatchObject({ subsidy: '1200.00', payable: '6800.00', status: 'paid', deliveryDue: '2026-04-10', returnCutoff: '2026-04-18' });
    // The same invoice number or order number cannot be used for another item.
    const other = resident();
    const q2 = await qualification(other, 'appliances-2026-offline-2026-03', 'television');
    const t2 = await qr(other, q2.id);
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: t2, ...sale(other, 'television', '2000.00'), invoice: { number: base.invoice.number, title: other.name, amount: '2000.00' } } })).json().code).toBe('INVOICE_ALREADY_USED');
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: t2, ...sale(other, 'television', '2000.00'), orderId: base.orderId } })).json().code).toBe('ORDER_ALREADY_USED');
    // The failed attempts left the qualification usable.
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: t2, ...sale(other, 'television', '2000.00') } })).statusCode).toBe(201);
  });

  it('QR codes: forged → QR_INVALID, old → QR_EXPIRED, replayed after use → QUALIFICATION_ALREADY_USED; online qualifications have none', async () => {
    const person = resident();
    const q = await qualification(person, 'digital-2026-offline-2026-03', 'mobile_phone');
    const token = await qr(person, q.id);
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: `${token.slice(0, -2)}xx`, category: 'mobile_phone', price: '3000.00' } })).json().code).toBe('QR_INVALID');
    await at('2026-03-05T10:03:00+08:00');
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: token, category: 'mobile_phone', price: '3000.00' } })).json().code).toBe('QR_EXPIRED');
    const fresh = await qr(person, q.id);
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: fresh, category: 'mobile_phone', price: '6000.01' } })).json().code).toBe('PRICE_OVER_LIMIT');
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: fresh, ...sale(person, 'mobile_phone', '3000.00', { serial: '860000000000001' }) } })).statusCode).toBe(201);
    const replay = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(otherTill), payload: { qrToken: fresh, ...sale(person, 'mobile_phone', '3000.00') } });
    expect(replay.json().code).toBe('QUALIFICATION_ALREADY_USED');
    const online = await qualification(person, 'digital-2026-online-2026-03', 'smartwatch', 'platform-haihe-mall');
    expect((await inject({ method: 'POST', url: `/api/v1/me/qualifications/${online.id}/qr`, headers: as(person.token) })).json().code).toBe('CHANNEL_MISMATCH');
  });

  it('TI-27: the designated platform redeems with the holder’s identity; another platform is refused; a till cannot use an online one', async () => {
    const person = resident();
    const q = await qualification(person, 'digital-2026-online-2026-03', 'smart_glasses', 'platform-haihe-mall');
    const body = { qualificationId: q.id, holderIdNumber: person.idNumber, ...sale(person, 'smart_glasses', '2999.00', { serial: 'SN-GLASSES-0001' }) };
    expect((await inject({ method: 'POST', url: '/api/v1/platform/redemptions', headers: as(otherPlatform), payload: body })).json().code).toBe('NOT_DESIGNATED_PLATFORM');
    const someoneElse = residents[residents.length - 1]!;
    expect((await inject({ method: 'POST', url: '/api/v1/platform/redemptions', headers: as(platform), payload: { ...body, holderIdNumber: someoneElse.idNumber } })).json().code).toBe('HOLDER_MISMATCH');
    expect((await inject({ method: 'POST', url: '/api/v1/platform/redemptions', headers: as(platform), payload: { ...body, holderIdNumber: '120101199001011235' } })).json().code).toBe('INVALID_ID_NUMBER');
    const done = await inject({ method: 'POST', url: '/api/v1/platform/redemptions', headers: as(platform), payload: body });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ channel: 'online', subsidy: '449.85', payable: '2549.15', deliveryDue: '2026-04-07', returnCutoff: '2026-04-15', activationPhoto: 'missing' });
    // An offline qualification is not redeemable online.
    const offline = await qualification(person, 'digital-2026-offline-2026-03', 'tablet');
    expect((await inject({ method: 'POST', url: '/api/v1/platform/redemptions', headers: as(platform), payload: { qualificationId: offline.id, holderIdNumber: person.idNumber, ...sale(person, 'tablet', '1000.00') } })).json().code).toBe('CHANNEL_MISMATCH');
  });

  it('TI-32–TI-37: digital delivery needs the activation photo (stored with its checksum, reviewed); deadlines flag overdue items', async () => {
    await at('2026-03-20T10:00:00+08:00');
    const person = resident();
    const q = await qualification(person, 'digital-2026-offline-2026-03', 'mobile_phone');
    const redemption = (await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: await qr(person, q.id), ...sale(person, 'mobile_phone', '4000.00', { serial: '860000000000002' }) } })).json();
    await at('2026-04-06T15:30:00+08:00');
    const deliver = () => inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${redemption.id}/delivery`, headers: as(till), payload: { deliveredAt: '2026-04-06T15:00:00+08:00' } });
    expect((await deliver()).json().code).toBe('ACTIVATION_PHOTO_REQUIRED');
    const boundary = '----haihe';
    const multipart = (bytes: Buffer, type: string) => Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const notImage = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${redemption.id}/activation-photo`, headers: { ...as(till), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart(Buffer.from('hello'), 'image/png') });
    expect(notImage.json().code).toBe('INVALID_REQUEST');
    const upload = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${redemption.id}/activation-photo`, headers: { ...as(till), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart(PNG, 'image/png') });
    expect(upload.statusCode, upload.body).toBe(201);
    expect(upload.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const queue = (await inject({ method: 'GET', url: '/api/v1/admin/subsidies/activation-photos', headers: as(admin) })).json();
    const item = queue.find((entry: { redemptionId: string }) => entry.redemptionId === redemption.id);
    expect(item).toMatchObject({ contentType: 'image/png', sha256: upload.json().sha256 });
    const image = await inject({ method: 'GET', url: `/api/v1/admin/subsidies/activation-photos/${item.id}/image`, headers: as(admin) });
    expect(image.rawPayload.equals(PNG)).toBe(true);
    expect((await inject({ method: 'POST', url: `/api/v1/admin/subsidies/activation-photos/${item.id}/review`, headers: as(admin), payload: { decision: 'reject' } })).json().code).toBe('INVALID_REQUEST');
    expect((await inject({ method: 'POST', url: `/api/v1/admin/subsidies/activation-photos/${item.id}/review`, headers: as(admin), payload: { decision: 'approve' } })).json()).toMatchObject({ status: 'approved' });
    const delivered = await deliver();
    expect(delivered.json()).toMatchObject({ status: 'delivered', deliveryOverdue: false, activationPhoto: 'approved' });
    // An appliance not delivered by the 10th of the next month is overdue.
    const other = resident();
    await at('2026-03-20T10:30:00+08:00');
    const fridge = await qualification(other, 'appliances-2026-offline-2026-03', 'refrigerator');
    const sold = (await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: await qr(other, fridge.id), ...sale(other, 'refrigerator', '5000.00') } })).json();
    await at('2026-04-11T09:00:00+08:00');
    const overdue = (await inject({ method: 'GET', url: '/api/v1/admin/subsidies/overdue-deliveries', headers: as(admin) })).json();
    expect(overdue.map((entry: { id: string }) => entry.id)).toContain(sold.id);
  });

  it('TI-38–TI-41: returns — window, refund of the paid amount, qualification restored while valid, coupon still counted', async () => {
    await at('2026-03-25T10:00:00+08:00');
    const person = resident();
    const q = await qualification(person, 'appliances-2026-offline-2026-03', 'television');
    const sold = (await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: await qr(person, q.id), ...sale(person, 'television', '6000.00') } })).json();
    await at('2026-03-26T11:00:00+08:00');
    const returned = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${sold.id}/return`, headers: as(till), payload: { reason: 'quality', refundedAt: '2026-03-26T10:00:00+08:00' } });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({ qualificationRestored: true, redemption: { status: 'returned', refundAmount: '5100.00' } });
    const mine = (await inject({ method: 'GET', url: '/api/v1/me/qualifications', headers: as(person.token) })).json();
    expect(mine.find((entry: { id: string }) => entry.id === q.id).status).toBe('active');
    const quota = (await inject({ method: 'GET', url: '/api/v1/me/subsidy-quota?month=2026-03', headers: as(person.token) })).json();
    expect(quota.find((entry: { programme: string }) => entry.programme === 'appliances-2026').monthUsed).toBe(1);
    // Bought again with the restored qualification, then returned after it expired: it lapses.
    const again = (await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: await qr(person, q.id), ...sale(person, 'television', '3000.00') } })).json();
    await at('2026-04-18T11:00:00+08:00');
    const closed = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${again.id}/return`, headers: as(till), payload: { reason: 'other', refundedAt: '2026-04-18T10:00:00+08:00' } });
    expect(closed.json().code).toBe('RETURN_WINDOW_CLOSED');
    const lateQuality = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${again.id}/return`, headers: as(till), payload: { reason: 'quality', refundedAt: '2026-04-18T10:00:00+08:00' } });
    expect(lateQuality.json()).toMatchObject({ qualificationRestored: false, redemption: { status: 'returned' } });
    const after = (await inject({ method: 'GET', url: '/api/v1/me/qualifications', headers: as(person.token) })).json();
    expect(after.find((entry: { id: string }) => entry.id === q.id).status).toBe('lapsed');
    expect((await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${again.id}/return`, headers: as(till), payload: { reason: 'quality', refundedAt: '2026-04-18T10:00:00+08:00' } })).json().code).toBe('ALREADY_RETURNED');
  });

  it('a cashier may type the ten-digit code instead of scanning; digital sales need the serial; recorded times are checked', async () => {
    await at('2026-03-26T10:00:00+08:00');
    const person = resident();
    const q = await qualification(person, 'digital-2026-offline-2026-03', 'tablet');
    const issued = (await inject({ method: 'POST', url: `/api/v1/me/qualifications/${q.id}/qr`, headers: as(person.token) })).json();
    expect(issued.typedCode).toMatch(/^\d{10}$/);
    const verify = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: issued.typedCode, category: 'tablet', price: '2000.00' } });
    expect(verify.json()).toMatchObject({ qualificationId: q.id, subsidy: '300.00' });
    expect((await inject({ method: 'POST', url: '/api/v1/merchant/redemptions/verify', headers: as(till), payload: { qrToken: '0000000000', category: 'tablet', price: '2000.00' } })).json().code).toBe('QR_INVALID');
    const noSerial = await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: issued.typedCode, ...sale(person, 'tablet', '2000.00') } });
    expect(noSerial.json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'serial' }] });
    const sold = (await inject({ method: 'POST', url: '/api/v1/merchant/redemptions', headers: as(till), payload: { qrToken: issued.typedCode, ...sale(person, 'tablet', '2000.00', { serial: 'SN-TABLET-0001' }) } })).json();
    expect(sold.status).toBe('paid');
    const before = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${sold.id}/return`, headers: as(till), payload: { reason: 'quality', refundedAt: '2026-03-25T10:00:00+08:00' } });
    expect(before.json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'refundedAt' }] });
    const future = await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${sold.id}/delivery`, headers: as(till), payload: { deliveredAt: '2026-03-28T10:00:00+08:00' } });
    expect(future.json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: 'deliveredAt' }] });
    // A rejected photo's reason reaches the seller.
    const boundary = '----haihe2';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`), PNG, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    await inject({ method: 'POST', url: `/api/v1/merchant/redemptions/${sold.id}/activation-photo`, headers: { ...as(till), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
    const queued = (await inject({ method: 'GET', url: '/api/v1/admin/subsidies/activation-photos', headers: as(admin) })).json().find((entry: { redemptionId: string }) => entry.redemptionId === sold.id);
    await inject({ method: 'POST', url: `/api/v1/admin/subsidies/activation-photos/${queued.id}/review`, headers: as(admin), payload: { decision: 'reject', reason: 'SN 看不清' } });
    const mine = (await inject({ method: 'GET', url: '/api/v1/merchant/redemptions', headers: as(till) })).json().find((entry: { id: string }) => entry.id === sold.id);
    expect(mine).toMatchObject({ activationPhoto: 'rejected', activationPhotoReason: 'SN 看不清' });
  });

  it('the quote route uses the same rules (TI-09–TI-11)', async () => {
    const quote = (category: string, price: string) => inject({ method: 'POST', url: '/api/v1/subsidies/quote', payload: { category, price } });
    expect((await quote('refrigerator', '12000.00')).json()).toEqual({ eligible: true, subsidy: '1500.00', payable: '10500.00' });
    expect((await quote('mobile_phone', '6500.00')).json()).toMatchObject({ eligible: false, reason: 'PRICE_OVER_LIMIT' });
    expect((await quote('mobile_phone', '0')).json().code).toBe('INVALID_REQUEST');
    expect((await quote('mobile_phone', '12.345')).json().errors[0].field).toBe('price');
    expect((await quote('mobile_phone', 12 as unknown as string)).json().errors[0].field).toBe('price');
  });

  it('administrators see the report (JSON and CSV) and the flags; every change is in the audit log', async () => {
    const report = (await inject({ method: 'GET', url: '/api/v1/admin/subsidies/report?month=2026-03', headers: as(admin) })).json();
    expect(Number(report.totalSubsidy)).toBeGreaterThan(0);
    expect(report.plan.length).toBeGreaterThan(0);
    const csv = await inject({ method: 'GET', url: '/api/v1/admin/subsidies/report?month=2026-03&format=csv', headers: as(admin) });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toContain('day,category,channel,district,redemptions,subsidy_yuan,sales_yuan');
    expect((await inject({ method: 'GET', url: '/api/v1/admin/subsidies/flags?month=2026-03', headers: as(admin) })).statusCode).toBe(200);
    const actions = await server.platform.context.database.query<{ action: string }>(`SELECT DISTINCT action FROM audit_log WHERE action LIKE 'subsidies.%'`);
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining([
      'subsidies.qualification.exchange', 'subsidies.qualification.change', 'subsidies.redemption.create', 'subsidies.redemption.deliver',
      'subsidies.redemption.return', 'subsidies.activation-photo.upload', 'subsidies.activation-photo.approve',
    ]));
  });
});
