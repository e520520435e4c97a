import crypto from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Principal } from '../../platform/access.ts';
import { appendAudit, systemActor, type Actor } from '../../platform/audit.ts';
import { civilDate, civilMonth, formatCivil, nextMonth } from '../../platform/civil-time.ts';
import { AppError } from '../../platform/errors.ts';
import type { PlatformContext } from '../../platform/module.ts';
import type { IdentityService, PersonRow } from '../identity/index.ts';
import { maskName, validateIdNumber } from '../identity/index.ts';
import { nationalSubject, RegistryUnavailable, type NationalRegistry } from './national-registry.ts';
import type { Channel, Programme } from './programmes.ts';
import { QrSigner } from './qr.ts';
import { money, quote } from './rules/amounts.ts';
import type { SubsidyService } from './service.ts';

export interface QualificationRow {
  id: string;
  coupon_id: string;
  person_id: string;
  programme_id: string;
  category: string;
  channel: Channel;
  platform_id: string | null;
  month: string;
  expires_at: Date;
  status: 'active' | 'used' | 'expired' | 'lapsed';
  national_subject: string;
  created_at: Date;
  updated_at: Date;
}

export interface RedemptionRow {
  id: string;
  qualification_id: string;
  person_id: string;
  programme_id: string;
  category: string;
  channel: Channel;
  seller_kind: 'merchant' | 'platform';
  seller_id: string;
  recorded_by: string;
  order_id: string;
  invoice_number: string;
  invoice_amount: string;
  price: string;
  subsidy: string;
  payable: string;
  serial: string | null;
  holder_district: string | null;
  month: string;
  redeemed_at: Date;
  delivery_due: string;
  delivered_at: Date | null;
  return_cutoff: string;
  status: 'paid' | 'delivered' | 'returned';
  activation_photo: 'not_required' | 'missing' | 'pending' | 'approved' | 'rejected';
  /** The reviewer's reason, when the latest photo was rejected (joined in seller views). */
  activation_photo_reason?: string | null;
  returned_at: Date | null;
  return_reason: string | null;
  refund_amount: string | null;
}

export interface SaleInput {
  category: string;
  price: string;
  orderId: string;
  invoice: { number: string; title: string; amount: string };
  serial?: string | undefined;
}

const PHOTO_BYTES_MAX = 5 * 1024 * 1024;

function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const candidate = error as { code?: string; constraint?: string; message?: string };
  if (candidate?.code !== '23505') return false;
  return constraint === undefined || candidate.constraint === constraint || (candidate.message ?? '').includes(constraint);
}

/** The day of the month after `month`, as a civil date (delivery deadlines and return cut-offs). */
function dayOfNextMonth(month: string, day: number): string {
  return `${nextMonth(month)}-${String(day).padStart(2, '0')}`;
}

/**
 * Qualifications and redemptions (systems.md S2.4–S2.9): exchange a coupon for a category,
 * change it, show a signed QR, verify and redeem at a till or on a designated platform, deliver,
 * activation photos, returns. Every use of a qualification is one atomic state change the
 * database can refuse, so two tills, a replayed code, or a till and a platform at once end in one
 * redemption.
 */
export class RedemptionService {
  readonly qr: QrSigner;
  readonly #pepper: Buffer;

  constructor(
    private readonly context: PlatformContext,
    private readonly subsidies: SubsidyService,
    private readonly identity: IdentityService,
    readonly registry: NationalRegistry,
    pepper?: Buffer,
  ) {
    this.qr = new QrSigner(context.keys.sessionSecret);
    this.#pepper = pepper ?? Buffer.from(crypto.hkdfSync('sha256', context.keys.hmacKey, Buffer.alloc(0), 'haihe.national-pepper', 32));
  }

  get province(): string {
    return this.context.config.nationalRegistry.provinceCode;
  }

  subjectOf(person: PersonRow): string {
    const idNumber = this.identity.revealIdNumber(person);
    if (!idNumber) throw new AppError('PERSON_NOT_FOUND', 'The holder has no identity number on record');
    return nationalSubject(this.#pepper, idNumber);
  }

  qualificationDto(row: QualificationRow) {
    const status = row.status === 'active' && row.expires_at.getTime() <= this.context.clock.now().getTime() ? 'expired' : row.status;
    return {
      id: row.id,
      couponId: row.coupon_id,
      programme: row.programme_id,
      category: row.category,
      channel: row.channel,
      ...(row.platform_id ? { platform: row.platform_id } : {}),
      month: row.month,
      expiresAt: formatCivil(row.expires_at),
      status,
    };
  }

  redemptionDto(row: RedemptionRow) {
    const today = civilDate(this.context.clock.now());
    return {
      id: row.id,
      qualificationId: row.qualification_id,
      programme: row.programme_id,
      category: row.category,
      channel: row.channel,
      sellerId: row.seller_id,
      orderId: row.order_id,
      invoiceNumber: row.invoice_number,
      invoiceAmount: money(row.invoice_amount),
      price: money(row.price),
      subsidy: money(row.subsidy),
      payable: money(row.payable),
      serial: row.serial,
      status: row.status,
      redeemedAt: formatCivil(row.redeemed_at),
      deliveryDue: row.delivery_due,
      deliveredAt: row.delivered_at ? formatCivil(row.delivered_at) : null,
      // TI-32/TI-33: an item not delivered by the deadline (or delivered after it) is overdue.
      deliveryOverdue: row.status !== 'returned' && (row.delivered_at ? civilDate(row.delivered_at) > row.delivery_due : today > row.delivery_due),
      returnCutoff: row.return_cutoff,
      activationPhoto: row.activation_photo,
      activationPhotoReason: row.activation_photo_reason ?? null,
      returnedAt: row.returned_at ? formatCivil(row.returned_at) : null,
      returnReason: row.return_reason,
      refundAmount: row.refund_amount === null ? null : money(row.refund_amount),
    };
  }

  // ---- qualifications --------------------------------------------------------------------

  #programme(id: string): Programme {
    return this.subsidies.programme(id);
  }

  #checkPlatform(platform: string | undefined): void {
    if (platform !== undefined && !this.subsidies.platforms().some((candidate) => candidate.id === platform)) {
      throw new AppError('PLATFORM_NOT_DESIGNATED', `${platform} is not a designated e-commerce platform`, { errors: [{ field: 'platform', message: 'is not a designated platform' }] });
    }
  }

  /** TI-06: asks the national registry; when it does not answer, the exchange is refused (fail closed). */
  async #nationalCheck(subject: string, category: string): Promise<void> {
    let answer: { held: boolean; province?: string };
    try {
      answer = await this.registry.heldElsewhere(subject, category);
    } catch (error) {
      if (error instanceof RegistryUnavailable) {
        this.context.logger.warn({ err: error.message }, 'national qualification check unavailable');
        throw new AppError('NATIONAL_CHECK_UNAVAILABLE', 'The national check is not answering; your coupon stays valid this month — please try again later');
      }
      throw error;
    }
    if (answer.held) {
      throw new AppError('CATEGORY_ALREADY_SUBSIDISED', `A qualification for this category is held in another province${answer.province ? ` (${answer.province})` : ''} (TI-06)`);
    }
  }

  /** TI-22/TI-23/TI-07: exchanges a coupon for a qualification of one category in the coupon's channel. */
  async exchange(personId: string, couponId: string, input: { category: string; platform?: string | undefined }): Promise<QualificationRow> {
    const now = this.context.clock.now();
    const [coupon] = await this.context.database.query<{ id: string; person_id: string; programme_id: string; channel: Channel; month: string; expires_at: Date; status: string }>(
      'SELECT id, person_id, programme_id, channel, month, expires_at, status FROM subsidy_coupons WHERE id = $1',
      [couponId],
    );
    if (!coupon || coupon.person_id !== personId) throw new AppError('COUPON_NOT_FOUND', 'No such coupon of yours');
    if (coupon.status === 'exchanged') throw new AppError('COUPON_ALREADY_EXCHANGED', 'This coupon was already exchanged');
    if (coupon.status === 'expired' || coupon.expires_at.getTime() <= now.getTime()) throw new AppError('COUPON_EXPIRED', 'Coupons are valid in their month only (TI-18)');
    const programme = this.#programme(coupon.programme_id);
    if (!programme.categories.some((category) => category.id === input.category)) {
      throw new AppError('CATEGORY_NOT_IN_PROGRAMME', `${input.category} is not a category of ${programme.id}`, { errors: [{ field: 'category', message: 'is not in the programme' }] });
    }
    if (coupon.channel === 'online' && !input.platform) throw new AppError('PLATFORM_REQUIRED', 'Choose the designated e-commerce platform (TI-23)', { errors: [{ field: 'platform', message: 'is required online' }] });
    if (coupon.channel === 'offline' && input.platform) throw new AppError('PLATFORM_ONLY_ONLINE', 'An offline qualification is used at a till, not on a platform', { errors: [{ field: 'platform', message: 'only for online coupons' }] });
    this.#checkPlatform(input.platform);
    const person = await this.identity.findPerson(personId);
    if (!person) throw new AppError('PERSON_NOT_FOUND', 'Your account no longer exists');
    const subject = this.subjectOf(person);
    await this.#nationalCheck(subject, input.category);
    try {
      return await this.context.database.transaction(async (tx) => {
        const changed = await tx.execute(`UPDATE subsidy_coupons SET status = 'exchanged' WHERE id = $1 AND status = 'claimed' AND expires_at > $2`, [couponId, now]);
        if (changed !== 1) throw new AppError('COUPON_ALREADY_EXCHANGED', 'This coupon was already exchanged');
        const [row] = await tx.query<QualificationRow>(
          `INSERT INTO subsidy_qualifications (id, coupon_id, person_id, programme_id, category, channel, platform_id, month, expires_at, status, national_subject, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $11) RETURNING *`,
          [`q_${crypto.randomBytes(10).toString('base64url')}`, couponId, personId, programme.id, input.category, coupon.channel, input.platform ?? null, coupon.month, coupon.expires_at, subject, now],
        );
        await appendAudit(tx, [{
          actor: { subject: personId, role: 'citizen' }, action: 'subsidies.qualification.exchange', entityType: 'subsidy_qualification', entityId: row!.id,
          summary: { coupon: couponId, after: { category: input.category, channel: coupon.channel, platform: input.platform ?? null, status: 'active' } }, occurredAt: now,
        }]);
        return row!;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'subsidy_qualifications_one_per_category')) {
        throw new AppError('CATEGORY_ALREADY_SUBSIDISED', 'You already hold a qualification for this category (one item per category, TI-07)');
      }
      throw error;
    }
  }

  async #ownQualification(personId: string, id: string): Promise<QualificationRow> {
    const [row] = await this.context.database.query<QualificationRow>('SELECT * FROM subsidy_qualifications WHERE id = $1', [id]);
    if (!row || row.person_id !== personId) throw new AppError('QUALIFICATION_NOT_FOUND', 'No such qualification of yours');
    return row;
  }

  /** TI-25: an unused qualification may change category, and an online one its platform, within its validity. */
  async change(personId: string, id: string, input: { category?: string | undefined; platform?: string | undefined }): Promise<QualificationRow> {
    const now = this.context.clock.now();
    const current = await this.#ownQualification(personId, id);
    if (current.status !== 'active' || current.expires_at.getTime() <= now.getTime()) throw new AppError('QUALIFICATION_NOT_ACTIVE', 'Only an active, unused qualification can change');
    if (input.platform !== undefined && current.channel !== 'online') throw new AppError('PLATFORM_ONLY_ONLINE', 'Only an online qualification names a platform', { errors: [{ field: 'platform', message: 'only for online qualifications' }] });
    this.#checkPlatform(input.platform);
    const programme = this.#programme(current.programme_id);
    const category = input.category ?? current.category;
    if (!programme.categories.some((candidate) => candidate.id === category)) {
      throw new AppError('CATEGORY_NOT_IN_PROGRAMME', `${category} is not a category of ${programme.id}`, { errors: [{ field: 'category', message: 'is not in the programme' }] });
    }
    if (category !== current.category) await this.#nationalCheck(current.national_subject, category);
    try {
      return await this.context.database.transaction(async (tx) => {
        const [row] = await tx.query<QualificationRow>(
          `UPDATE subsidy_qualifications SET category = $2, platform_id = $3, updated_at = $4
            WHERE id = $1 AND status = 'active' AND expires_at > $4 RETURNING *`,
          [id, category, input.platform ?? current.platform_id, now],
        );
        if (!row) throw new AppError('QUALIFICATION_NOT_ACTIVE', 'Only an active, unused qualification can change');
        await appendAudit(tx, [{
          actor: { subject: personId, role: 'citizen' }, action: 'subsidies.qualification.change', entityType: 'subsidy_qualification', entityId: id,
          summary: { before: { category: current.category, platform: current.platform_id }, after: { category: row.category, platform: row.platform_id } }, occurredAt: now,
        }]);
        return row;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'subsidy_qualifications_one_per_category')) {
        throw new AppError('CATEGORY_ALREADY_SUBSIDISED', 'You already hold a qualification for that category (TI-07)');
      }
      throw error;
    }
  }

  async myQualifications(personId: string) {
    const rows = await this.context.database.query<QualificationRow>(
      'SELECT * FROM subsidy_qualifications WHERE person_id = $1 ORDER BY created_at DESC LIMIT 200',
      [personId],
    );
    return rows.map((row) => this.qualificationDto(row));
  }

  /** TI-26: a short-lived signed payload for the QR code the holder shows at the till. */
  async qrFor(personId: string, id: string): Promise<{ token: string; expiresAt: string; typedCode: string }> {
    const row = await this.#ownQualification(personId, id);
    const now = this.context.clock.now();
    if (row.status !== 'active' || row.expires_at.getTime() <= now.getTime()) throw new AppError('QUALIFICATION_NOT_ACTIVE', 'Only an active qualification has a QR code');
    if (row.channel !== 'offline') throw new AppError('CHANNEL_MISMATCH', 'An online qualification is used on its platform, not at a till');
    const signed = this.qr.sign(row.id, now.getTime());
    // A ten-digit code for typing at a till, valid as long as the QR payload.
    let typedCode = '';
    for (let attempt = 0; attempt < 5 && !typedCode; attempt += 1) {
      const candidate = String(crypto.randomInt(0, 10_000_000_000)).padStart(10, '0');
      const inserted = await this.context.database.execute(
        'INSERT INTO subsidy_typed_codes (code, qualification_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING',
        [candidate, row.id, signed.expiresAt],
      );
      if (inserted === 1) typedCode = candidate;
    }
    return { token: signed.token, expiresAt: formatCivil(signed.expiresAt), typedCode };
  }

  /** Typed codes past their time are deleted (a job). */
  async pruneTypedCodes(): Promise<number> {
    return this.context.database.execute('DELETE FROM subsidy_typed_codes WHERE expires_at < $1', [this.context.clock.now()]);
  }

  /** TI-18/TI-24: qualifications not used by the end of their month expire. */
  async expireQualifications(): Promise<number> {
    const now = this.context.clock.now();
    return this.context.database.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `UPDATE subsidy_qualifications SET status = 'expired', updated_at = $1 WHERE status = 'active' AND expires_at <= $1 RETURNING id`,
        [now],
      );
      if (rows.length > 0) {
        await appendAudit(tx, [{ actor: systemActor, action: 'subsidies.qualifications.expire', entityType: 'subsidy_qualification', entityId: `${rows.length} qualifications`, summary: { ids: rows.slice(0, 10_000).map((r) => r.id) }, occurredAt: now }]);
      }
      return rows.length;
    });
  }

  // ---- verification and redemption -------------------------------------------------------

  async #qualificationFromQr(qrToken: string): Promise<QualificationRow> {
    const typed = qrToken.replace(/\s+/g, '');
    if (/^\d{10}$/.test(typed)) {
      const [code] = await this.context.database.query<{ qualification_id: string; expires_at: Date }>(
        'SELECT qualification_id, expires_at FROM subsidy_typed_codes WHERE code = $1',
        [typed],
      );
      if (!code) throw new AppError('QR_INVALID', 'No qualification has this code');
      if (code.expires_at.getTime() <= this.context.clock.now().getTime()) throw new AppError('QR_EXPIRED', 'The code has expired; ask the customer to refresh it');
      const [row] = await this.context.database.query<QualificationRow>('SELECT * FROM subsidy_qualifications WHERE id = $1', [code.qualification_id]);
      if (!row) throw new AppError('QR_INVALID', 'No qualification has this code');
      return row;
    }
    const claims = this.qr.verify(qrToken, this.context.clock.now().getTime());
    if (claims === 'invalid') throw new AppError('QR_INVALID', 'This is not a valid subsidy QR code');
    if (claims === 'expired') throw new AppError('QR_EXPIRED', 'The QR code has expired; ask the customer to refresh it');
    const [row] = await this.context.database.query<QualificationRow>('SELECT * FROM subsidy_qualifications WHERE id = $1', [claims.q]);
    if (!row) throw new AppError('QR_INVALID', 'This QR code names no qualification');
    return row;
  }

  /** Checks a sale against a qualification: active, channel, category, price limit; returns the amounts. */
  #checkSale(row: QualificationRow, channel: Channel, category: string, price: string) {
    const now = this.context.clock.now();
    if (row.status === 'used') throw new AppError('QUALIFICATION_ALREADY_USED', 'This qualification was already used for a purchase (TI-29)');
    if (row.status !== 'active' || row.expires_at.getTime() <= now.getTime()) throw new AppError('QUALIFICATION_NOT_ACTIVE', 'The qualification is not active (expired or lapsed)');
    if (row.channel !== channel) throw new AppError('CHANNEL_MISMATCH', `This is an ${row.channel} qualification (TI-16)`);
    if (row.category !== category) throw new AppError('CATEGORY_MISMATCH', `The qualification is for ${row.category}, not ${category}`);
    const programme = this.#programme(row.programme_id);
    const amounts = quote(programme, category, price);
    if (!amounts.eligible) {
      throw new AppError('PRICE_OVER_LIMIT', `A subsidised ${category} may cost at most ${programme.priceLimit} yuan (TI-10)`);
    }
    return { programme, amounts };
  }

  /** The cashier's check before taking payment (TI-26): holder masked, subsidy, amount to pay. */
  async verify(qrToken: string, category: string, price: string) {
    const row = await this.#qualificationFromQr(qrToken);
    const { amounts } = this.#checkSale(row, 'offline', category, price);
    const person = await this.identity.findPerson(row.person_id);
    return { qualificationId: row.id, holder: person ? maskName(person.name) : '', category, price: money(price), subsidy: amounts.subsidy, payable: amounts.payable };
  }

  /** TI-26/TI-29–TI-31 at a till: one qualification, one item, one order, one payment, one invoice. */
  async redeemAtTill(principal: Principal, qrToken: string, sale: SaleInput) {
    const row = await this.#qualificationFromQr(qrToken);
    const sellerId = principal.organisationId ?? principal.subject;
    return this.#redeem(row, 'offline', { kind: 'merchant', id: sellerId, recordedBy: principal.subject }, sale);
  }

  /** TI-27: the designated platform redeems online with the holder's identity. */
  async redeemOnline(principal: Principal, qualificationId: string, holderIdNumber: string, sale: SaleInput) {
    const [row] = await this.context.database.query<QualificationRow>('SELECT * FROM subsidy_qualifications WHERE id = $1', [qualificationId]);
    if (!row) throw new AppError('QUALIFICATION_NOT_FOUND', 'No such qualification');
    const check = validateIdNumber(holderIdNumber, civilDate(this.context.clock.now()));
    if (!check.valid) throw new AppError('INVALID_ID_NUMBER', check.message, { check: check.failed, errors: [{ field: 'holderIdNumber', message: check.message }] });
    const person = await this.identity.findPerson(row.person_id);
    if (!person || this.identity.revealIdNumber(person) !== check.normalised) throw new AppError('HOLDER_MISMATCH', 'The identity number is not the holder’s (TI-27: real-name purchase)');
    const platformId = principal.subject;
    if (row.channel === 'online' && row.platform_id !== platformId) throw new AppError('NOT_DESIGNATED_PLATFORM', 'The holder chose another platform for this qualification (TI-23)');
    return this.#redeem(row, 'online', { kind: 'platform', id: platformId, recordedBy: principal.subject }, sale);
  }

  async #redeem(row: QualificationRow, channel: Channel, seller: { kind: 'merchant' | 'platform'; id: string; recordedBy: string }, sale: SaleInput) {
    const { programme, amounts } = this.#checkSale(row, channel, sale.category, sale.price);
    // TI-35/TI-36: the activation photo shows the IMEI or SN, so a digital sale records it (一机多卖 checks).
    if (programme.activationPhotoRequired && !sale.serial?.trim()) {
      throw new AppError('INVALID_REQUEST', 'A digital or smart product needs its IMEI or serial number', { errors: [{ field: 'serial', message: 'is required for digital and smart products' }] });
    }
    const person = await this.identity.findPerson(row.person_id);
    if (!person) throw new AppError('QUALIFICATION_NOT_ACTIVE', 'The holder’s account no longer exists');
    // TI-30: the invoice title is the consumer's real name; TI-31: the amount includes the subsidy.
    if (sale.invoice.title.trim() !== person.name) throw new AppError('INVOICE_TITLE_MISMATCH', 'The invoice title must be the holder’s real name (TI-30)', { errors: [{ field: 'invoice.title', message: 'must be the holder’s real name' }] });
    if (!new Decimal(sale.invoice.amount).eq(sale.price)) {
      throw new AppError('INVOICE_AMOUNT_MISMATCH', `The invoice amount must be the full price ${money(sale.price)} including the subsidy (TI-31)`, { errors: [{ field: 'invoice.amount', message: 'must equal the price' }] });
    }
    const now = this.context.clock.now();
    const month = civilMonth(now);
    const id = `r_${crypto.randomBytes(10).toString('base64url')}`;
    try {
      return await this.context.database.transaction(async (tx) => {
        // The single atomic use: whoever changes active → used first redeems; everyone else is refused.
        const used = await tx.execute(
          `UPDATE subsidy_qualifications SET status = 'used', updated_at = $2 WHERE id = $1 AND status = 'active' AND expires_at > $2 AND category = $3`,
          [row.id, now, sale.category],
        );
        if (used !== 1) {
          const [latest] = await tx.query<{ status: string }>('SELECT status FROM subsidy_qualifications WHERE id = $1', [row.id]);
          if (latest?.status === 'used') throw new AppError('QUALIFICATION_ALREADY_USED', 'This qualification was already used for a purchase (TI-29)');
          throw new AppError('QUALIFICATION_NOT_ACTIVE', 'The qualification is no longer active');
        }
        const [redemption] = await tx.query<RedemptionRow>(
          `INSERT INTO subsidy_redemptions (id, qualification_id, person_id, programme_id, category, channel, seller_kind, seller_id, recorded_by, order_id,
             invoice_number, invoice_title_hash, invoice_amount, price, subsidy, payable, serial, holder_district, month, redeemed_at, delivery_due,
             return_cutoff, status, activation_photo)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 'paid', $23) RETURNING *`,
          [id, row.id, row.person_id, row.programme_id, sale.category, channel, seller.kind, seller.id, seller.recordedBy, sale.orderId,
            sale.invoice.number, this.identity.cipher.lookupHash(sale.invoice.title.trim(), 'subsidy.invoice_title'), money(sale.invoice.amount),
            money(sale.price), amounts.subsidy, amounts.payable, sale.serial ?? null, person.district_code, month, now,
            dayOfNextMonth(month, programme.deliveryDeadlineDay), dayOfNextMonth(month, programme.returnCutoffDay),
            programme.activationPhotoRequired ? 'missing' : 'not_required'],
        );
        await appendAudit(tx, [{
          actor: { subject: seller.recordedBy, role: seller.kind }, action: 'subsidies.redemption.create', entityType: 'subsidy_redemption', entityId: id,
          summary: { qualification: row.id, seller: seller.id, orderId: sale.orderId, invoice: sale.invoice.number, price: money(sale.price), subsidy: amounts.subsidy, qualificationStatus: { before: 'active', after: 'used' } },
          occurredAt: now,
        }]);
        return redemption!;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'subsidy_redemptions_seller_id_order_id_key')) throw new AppError('ORDER_ALREADY_USED', 'This order number was already used for a subsidised sale (TI-29)', { errors: [{ field: 'orderId', message: 'was already used' }] });
      if (isUniqueViolation(error, 'subsidy_redemptions_invoice_number_key')) throw new AppError('INVOICE_ALREADY_USED', 'This invoice number was already used (TI-29)', { errors: [{ field: 'invoice.number', message: 'was already used' }] });
      if (isUniqueViolation(error, 'subsidy_redemptions_one_per_qualification')) throw new AppError('QUALIFICATION_ALREADY_USED', 'This qualification was already used (TI-29)');
      throw error;
    }
  }

  // ---- after the sale --------------------------------------------------------------------

  async #sellersRedemption(principal: Principal, id: string): Promise<RedemptionRow> {
    const [row] = await this.context.database.query<RedemptionRow>('SELECT * FROM subsidy_redemptions WHERE id = $1', [id]);
    const sellerId = principal.roles.includes('platform') && principal.kind === 'client' ? principal.subject : (principal.organisationId ?? principal.subject);
    if (!row || row.seller_id !== sellerId) throw new AppError('REDEMPTION_NOT_FOUND', 'No such sale of yours');
    return row;
  }

  async sellerRedemptions(principal: Principal, limit = 100) {
    const sellerId = principal.roles.includes('platform') && principal.kind === 'client' ? principal.subject : (principal.organisationId ?? principal.subject);
    const rows = await this.context.database.query<RedemptionRow>(
      `SELECT r.*, (SELECT p.reason FROM subsidy_activation_photos p WHERE p.redemption_id = r.id AND p.status = 'rejected'
                      AND r.activation_photo = 'rejected' ORDER BY p.reviewed_at DESC LIMIT 1) AS activation_photo_reason
         FROM subsidy_redemptions r WHERE r.seller_id = $1 ORDER BY r.redeemed_at DESC LIMIT $2`,
      [sellerId, limit],
    );
    return rows.map((row) => this.redemptionDto(row));
  }

  /** TI-32–TI-34: records delivery; a digital product needs its activation photo first. */
  async deliver(principal: Principal, id: string, deliveredAt: Date) {
    const row = await this.#sellersRedemption(principal, id);
    this.#checkRecordedTime(row, deliveredAt, 'deliveredAt');
    if (row.status === 'returned') throw new AppError('ALREADY_RETURNED', 'The item was returned');
    if (row.activation_photo === 'missing' || row.activation_photo === 'rejected') {
      throw new AppError('ACTIVATION_PHOTO_REQUIRED', 'Upload the activation photo (*#06# page or the SN) before handing over a digital product (TI-34–TI-36)');
    }
    const now = this.context.clock.now();
    return this.context.database.transaction(async (tx) => {
      const [updated] = await tx.query<RedemptionRow>(
        `UPDATE subsidy_redemptions SET status = 'delivered', delivered_at = $2 WHERE id = $1 AND status <> 'returned' RETURNING *`,
        [id, deliveredAt],
      );
      if (!updated) throw new AppError('ALREADY_RETURNED', 'The item was returned');
      await appendAudit(tx, [{
        actor: { subject: principal.subject, role: row.seller_kind }, action: 'subsidies.redemption.deliver', entityType: 'subsidy_redemption', entityId: id,
        summary: { before: { status: row.status }, after: { status: 'delivered', deliveredAt: deliveredAt.toISOString() }, late: civilDate(deliveredAt) > row.delivery_due }, occurredAt: now,
      }]);
      return updated;
    });
  }

  /**
   * A delivery or refund happens after the sale and not in the future. Times are entered to the
   * minute, so a minute of tolerance either way (and for clock skew).
   */
  #checkRecordedTime(row: RedemptionRow, at: Date, field: string): void {
    const now = this.context.clock.now().getTime();
    if (at.getTime() < row.redeemed_at.getTime() - 60_000 || at.getTime() > now + 60_000) {
      throw new AppError('INVALID_REQUEST', `${field} must be between the sale (${formatCivil(row.redeemed_at)}) and now`, { errors: [{ field, message: 'must be between the sale and now' }] });
    }
  }

  /** TI-34–TI-37: stores the activation photo with its checksum for review. */
  async uploadPhoto(principal: Principal, id: string, photo: { contentType: string; bytes: Buffer }) {
    const row = await this.#sellersRedemption(principal, id);
    if (row.activation_photo === 'not_required') throw new AppError('INVALID_REQUEST', 'Only digital and smart products need an activation photo');
    if (!['image/jpeg', 'image/png', 'image/webp'].includes(photo.contentType)) throw new AppError('INVALID_REQUEST', 'The photo must be JPEG, PNG or WebP', { errors: [{ field: 'photo', message: 'must be image/jpeg, image/png or image/webp' }] });
    if (photo.bytes.length === 0 || photo.bytes.length > PHOTO_BYTES_MAX) throw new AppError('INVALID_REQUEST', 'The photo must be between 1 byte and 5 MB', { errors: [{ field: 'photo', message: 'must be at most 5 MB' }] });
    if (!looksLikeImage(photo.bytes, photo.contentType)) throw new AppError('INVALID_REQUEST', 'The file is not the image its type says', { errors: [{ field: 'photo', message: 'is not a valid image' }] });
    const sha256 = crypto.createHash('sha256').update(photo.bytes).digest('hex');
    const now = this.context.clock.now();
    const photoId = `ph_${crypto.randomBytes(10).toString('base64url')}`;
    await this.context.database.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO subsidy_activation_photos (id, redemption_id, content_type, bytes, size_bytes, sha256, uploaded_by, uploaded_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')`,
        [photoId, id, photo.contentType, photo.bytes, photo.bytes.length, sha256, principal.subject, now],
      );
      await tx.execute(`UPDATE subsidy_redemptions SET activation_photo = 'pending' WHERE id = $1`, [id]);
      await appendAudit(tx, [{
        actor: { subject: principal.subject, role: row.seller_kind }, action: 'subsidies.activation-photo.upload', entityType: 'subsidy_redemption', entityId: id,
        summary: { photo: photoId, sha256, size: photo.bytes.length, before: { activationPhoto: row.activation_photo }, after: { activationPhoto: 'pending' } }, occurredAt: now,
      }]);
    });
    return { id: photoId, sha256, status: 'pending' as const };
  }

  async photoQueue(limit = 50) {
    const rows = await this.context.database.query<{ id: string; redemption_id: string; content_type: string; size_bytes: number; sha256: string; uploaded_at: Date; category: string; serial: string | null; seller_id: string }>(
      `SELECT p.id, p.redemption_id, p.content_type, p.size_bytes, p.sha256, p.uploaded_at, r.category, r.serial, r.seller_id
         FROM subsidy_activation_photos p JOIN subsidy_redemptions r ON r.id = p.redemption_id
        WHERE p.status = 'pending' ORDER BY p.uploaded_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ id: row.id, redemptionId: row.redemption_id, contentType: row.content_type, sizeBytes: row.size_bytes, sha256: row.sha256, uploadedAt: formatCivil(row.uploaded_at), category: row.category, serial: row.serial, sellerId: row.seller_id }));
  }

  async photoBytes(photoId: string): Promise<{ contentType: string; bytes: Buffer; sha256: string }> {
    const [row] = await this.context.database.query<{ content_type: string; bytes: Uint8Array; sha256: string }>('SELECT content_type, bytes, sha256 FROM subsidy_activation_photos WHERE id = $1', [photoId]);
    if (!row) throw new AppError('PHOTO_NOT_FOUND', 'No such photo');
    return { contentType: row.content_type, bytes: Buffer.from(row.bytes), sha256: row.sha256 };
  }

  /** An administrator approves a photo, or rejects it with a reason (the seller must upload again). */
  async reviewPhoto(actor: Actor, photoId: string, decision: 'approve' | 'reject', reason?: string) {
    if (decision === 'reject' && !reason?.trim()) throw new AppError('INVALID_REQUEST', 'A rejection needs a reason', { errors: [{ field: 'reason', message: 'is required to reject' }] });
    const now = this.context.clock.now();
    return this.context.database.transaction(async (tx) => {
      const [photo] = await tx.query<{ redemption_id: string }>(
        `UPDATE subsidy_activation_photos SET status = $2, reviewed_by = $3, reviewed_at = $4, reason = $5 WHERE id = $1 AND status = 'pending' RETURNING redemption_id`,
        [photoId, decision === 'approve' ? 'approved' : 'rejected', actor.subject, now, reason ?? null],
      );
      if (!photo) throw new AppError('PHOTO_NOT_FOUND', 'No such photo waiting for review');
      await tx.execute('UPDATE subsidy_redemptions SET activation_photo = $2 WHERE id = $1', [photo.redemption_id, decision === 'approve' ? 'approved' : 'rejected']);
      await appendAudit(tx, [{
        actor, action: `subsidies.activation-photo.${decision}`, entityType: 'subsidy_redemption', entityId: photo.redemption_id,
        summary: { photo: photoId, after: { activationPhoto: decision === 'approve' ? 'approved' : 'rejected' }, reason: reason ?? null }, occurredAt: now,
      }]);
      return { id: photoId, status: decision === 'approve' ? 'approved' : 'rejected' };
    });
  }

  /**
   * TI-38–TI-41: returns. After the cut-off (18th / 15th of the next month) only quality problems;
   * the paid amount is refunded; the qualification is restored while still valid, else it lapses;
   * the coupon still counts toward the quotas (TI-21). [AMBIGUOUS] returns for other reasons before
   * the cut-off are accepted and handled the same way (the consumer keeps nothing subsidised).
   */
  async returnItem(principal: Principal, id: string, reason: 'quality' | 'late_delivery' | 'other', refundedAt: Date) {
    const row = await this.#sellersRedemption(principal, id);
    this.#checkRecordedTime(row, refundedAt, 'refundedAt');
    if (row.status === 'returned') throw new AppError('ALREADY_RETURNED', 'The item was already returned');
    const returnDay = civilDate(refundedAt);
    if (reason !== 'quality' && returnDay >= row.return_cutoff) {
      throw new AppError('RETURN_WINDOW_CLOSED', `From ${row.return_cutoff} on, only items with quality problems are returned (TI-38/TI-39)`);
    }
    const now = this.context.clock.now();
    return this.context.database.transaction(async (tx) => {
      const [updated] = await tx.query<RedemptionRow>(
        `UPDATE subsidy_redemptions SET status = 'returned', returned_at = $2, return_reason = $3, refund_amount = payable
          WHERE id = $1 AND status <> 'returned' RETURNING *`,
        [id, refundedAt, reason],
      );
      if (!updated) throw new AppError('ALREADY_RETURNED', 'The item was already returned');
      const [qualification] = await tx.query<QualificationRow>(
        `UPDATE subsidy_qualifications SET status = CASE WHEN expires_at > $2 THEN 'active' ELSE 'lapsed' END, updated_at = $2
          WHERE id = $1 AND status = 'used' RETURNING *`,
        [row.qualification_id, now],
      );
      const restored = qualification?.status === 'active';
      await appendAudit(tx, [{
        actor: { subject: principal.subject, role: row.seller_kind }, action: 'subsidies.redemption.return', entityType: 'subsidy_redemption', entityId: id,
        summary: { reason, refund: money(updated.refund_amount ?? updated.payable), before: { status: row.status }, after: { status: 'returned' }, qualification: { id: row.qualification_id, after: qualification?.status ?? 'unchanged' } },
        occurredAt: now,
      }]);
      return { redemption: updated, qualificationRestored: restored };
    });
  }

  // ---- administrators --------------------------------------------------------------------

  /** Subsidies paid by day, category, channel and district of a month, against the month's releases. */
  async report(month: string) {
    const rows = await this.context.database.query<{ day: string; category: string; channel: string; district: string | null; redemptions: number; subsidy: string; sales: string }>(
      `SELECT to_char(redeemed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, category, channel, holder_district AS district,
              count(*)::int AS redemptions, sum(subsidy)::numeric(14,2)::text AS subsidy, sum(price)::numeric(14,2)::text AS sales
         FROM subsidy_redemptions WHERE month = $1 AND status <> 'returned' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      [month],
    );
    const plan = await this.context.database.query<{ programme_id: string; channel: string; stock: number; issued: number }>(
      'SELECT programme_id, channel, stock, issued FROM subsidy_releases WHERE month = $1 ORDER BY 1, 2',
      [month],
    );
    const exchanged = await this.context.database.query<{ programme_id: string; channel: string; qualifications: number }>(
      'SELECT programme_id, channel, count(*)::int AS qualifications FROM subsidy_qualifications WHERE month = $1 GROUP BY 1, 2',
      [month],
    );
    const total = rows.reduce((sum, row) => sum.add(row.subsidy), new Decimal(0));
    return {
      month,
      totalSubsidy: money(total),
      rows: rows.map((row) => ({ ...row, subsidy: money(row.subsidy), sales: money(row.sales) })),
      plan: plan.map((row) => ({
        programme: row.programme_id,
        channel: row.channel,
        couponsPlanned: row.stock,
        couponsClaimed: row.issued,
        qualifications: exchanged.find((e) => e.programme_id === row.programme_id && e.channel === row.channel)?.qualifications ?? 0,
      })),
    };
  }

  /** Suspicious patterns for administrators to look into. */
  async flags(month: string) {
    const titles = await this.context.database.query<{ seller_id: string; redemptions: number; holders: number }>(
      `SELECT seller_id, count(*)::int AS redemptions, count(DISTINCT person_id)::int AS holders FROM subsidy_redemptions
        WHERE month = $1 GROUP BY seller_id, invoice_title_hash HAVING count(*) >= 3 ORDER BY 2 DESC LIMIT 100`,
      [month],
    );
    const nearLimit = await this.context.database.query<{ seller_id: string; redemptions: number; lowest: string; highest: string }>(
      `SELECT r.seller_id, count(*)::int AS redemptions, min(r.price)::text AS lowest, max(r.price)::text AS highest
         FROM subsidy_redemptions r JOIN subsidy_programmes p ON p.id = r.programme_id
        WHERE r.month = $1 AND (p.definition->>'priceLimit') IS NOT NULL
          AND r.price > (p.definition->>'priceLimit')::numeric * 0.98 AND r.price <= (p.definition->>'priceLimit')::numeric
        GROUP BY r.seller_id HAVING count(*) >= 3 ORDER BY 2 DESC LIMIT 100`,
      [month],
    );
    const serials = await this.context.database.query<{ serial: string; redemptions: number }>(
      `SELECT serial, count(*)::int AS redemptions FROM subsidy_redemptions WHERE serial IS NOT NULL AND status <> 'returned'
        GROUP BY serial HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 100`,
    );
    return [
      ...titles.map((row) => ({ kind: 'one_invoice_title_many_qualifications' as const, sellerId: row.seller_id, count: row.redemptions, detail: `${row.redemptions} redemptions for one invoice title (${row.holders} holder records)` })),
      ...nearLimit.map((row) => ({ kind: 'prices_just_under_limit' as const, sellerId: row.seller_id, count: row.redemptions, detail: `${row.redemptions} sales priced ${money(row.lowest)}–${money(row.highest)}, within 2% under the limit` })),
      ...serials.map((row) => ({ kind: 'serial_sold_twice' as const, sellerId: null, count: row.redemptions, detail: `serial ${row.serial} redeemed ${row.redemptions} times (一机多卖)` })),
    ];
  }

  /** The overdue deliveries a seller or administrator must chase (TI-32/TI-33). */
  async overdue(sellerId?: string) {
    const today = civilDate(this.context.clock.now());
    const rows = await this.context.database.query<RedemptionRow>(
      `SELECT * FROM subsidy_redemptions WHERE status = 'paid' AND delivery_due < $1 AND ($2::text IS NULL OR seller_id = $2) ORDER BY delivery_due LIMIT 500`,
      [today, sellerId ?? null],
    );
    return rows.map((row) => this.redemptionDto(row));
  }

  /** The national check other provinces ask (TI-06): does this platform hold the subject's category? */
  async heldHere(subject: string, category: string): Promise<{ held: boolean; province: string }> {
    const [row] = await this.context.database.query<{ id: string }>(
      `SELECT id FROM subsidy_qualifications WHERE national_subject = $1 AND category = $2 AND status IN ('active', 'used') LIMIT 1`,
      [subject, category],
    );
    return { held: row !== undefined, province: this.province };
  }
}

/** A light check that the bytes start like the image type claimed (magic numbers). */
function looksLikeImage(bytes: Buffer, contentType: string): boolean {
  if (contentType === 'image/jpeg') return bytes[0] === 0xff && bytes[1] === 0xd8;
  if (contentType === 'image/png') return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (contentType === 'image/webp') return bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
  return false;
}

