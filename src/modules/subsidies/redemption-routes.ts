import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http/server.ts';
import type { PlatformContext } from '../../platform/module.ts';
import { categoryIds } from './programmes.ts';
import type { RedemptionService } from './redemption.ts';
import { isMoney, quote } from './rules/amounts.ts';
import type { SubsidyService } from './service.ts';

const citizens = { roles: ['citizen'] } as const;
const merchants = { roles: ['merchant'] } as const;
const platforms = { roles: ['platform'] } as const;
const sellers = { roles: ['merchant', 'platform'] } as const;
const admins = { roles: ['admin_subsidies'] } as const;
const registries = { roles: ['registry'] } as const;

const Money = Type.String({ pattern: '^(0|[1-9]\\d{0,9})(\\.\\d{1,2})?$', description: 'yuan, a decimal string with at most two places, e.g. "1499.85"' });
const Category = Type.Enum([...categoryIds], { description: 'product category (R7)' });
const Instant = Type.String({ format: 'date-time' });

const QualificationSchema = Type.Object({
  id: Type.String(),
  couponId: Type.String(),
  programme: Type.String(),
  category: Type.String(),
  channel: Type.String(),
  platform: Type.Optional(Type.String()),
  month: Type.String(),
  expiresAt: Type.String(),
  status: Type.String(),
});
const RedemptionSchema = Type.Object({
  id: Type.String(),
  qualificationId: Type.String(),
  programme: Type.String(),
  category: Type.String(),
  channel: Type.String(),
  sellerId: Type.String(),
  orderId: Type.String(),
  invoiceNumber: Type.String(),
  invoiceAmount: Type.String(),
  price: Type.String(),
  subsidy: Type.String(),
  payable: Type.String(),
  serial: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  redeemedAt: Type.String(),
  deliveryDue: Type.String(),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  deliveryOverdue: Type.Boolean(),
  returnCutoff: Type.String(),
  activationPhoto: Type.String(),
  activationPhotoReason: Type.Union([Type.String(), Type.Null()]),
  returnedAt: Type.Union([Type.String(), Type.Null()]),
  returnReason: Type.Union([Type.String(), Type.Null()]),
  refundAmount: Type.Union([Type.String(), Type.Null()]),
});
const Sale = {
  category: Category,
  price: Money,
  orderId: Type.String({ minLength: 1, maxLength: 64 }),
  invoice: Type.Object(
    { number: Type.String({ minLength: 1, maxLength: 64 }), title: Type.String({ minLength: 1, maxLength: 64 }), amount: Money },
    { additionalProperties: false },
  ),
  serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
};
const VerifySchema = Type.Object({ qualificationId: Type.String(), holder: Type.String(), category: Type.String(), price: Type.String(), subsidy: Type.String(), payable: Type.String() });

function positive(price: string, field: string): void {
  if (!isMoney(price)) throw new AppError('INVALID_REQUEST', `${field} must be more than 0.00 yuan`, { errors: [{ field, message: 'must be more than 0.00' }] });
}

/** Redemption routes of api-contract.md ("Subsidies"), plus the administrators' views and the national check. */
export async function redemptionRoutes(app: App, context: PlatformContext, subsidies: SubsidyService, redemptions: RedemptionService): Promise<void> {
  await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 5, parts: 6 } });
  const actorOf = (subject: string, role: string) => ({ subject, role });

  app.post('/me/coupons/:id/exchange', {
    config: { access: citizens, idempotent: true },
    schema: {
      summary: 'Exchange a coupon for a qualification of one category (online: name a designated platform)',
      tags: ['subsidies'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ category: Category, platform: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      response: { 201: Type.Object({ qualification: QualificationSchema }) },
    },
  }, async (request, reply) => {
    const row = await redemptions.exchange(request.principal!.subject, request.params.id, request.body);
    return reply.code(201).send({ qualification: redemptions.qualificationDto(row) });
  });

  app.get('/me/qualifications', {
    config: { access: citizens },
    schema: { summary: 'My qualifications', tags: ['subsidies'], response: { 200: Type.Array(QualificationSchema) } },
  }, async (request) => redemptions.myQualifications(request.principal!.subject));

  app.patch('/me/qualifications/:id', {
    config: { access: citizens, idempotent: true },
    schema: {
      summary: 'Change an unused qualification’s category, or an online one’s platform (TI-25)',
      tags: ['subsidies'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ category: Type.Optional(Category), platform: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: QualificationSchema },
    },
  }, async (request) => redemptions.qualificationDto(await redemptions.change(request.principal!.subject, request.params.id, request.body)));

  app.post('/me/qualifications/:id/qr', {
    config: { access: citizens },
    schema: {
      summary: 'A short-lived signed payload for the QR code shown at the till (refresh before expiresAt)',
      tags: ['subsidies'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 201: Type.Object({ token: Type.String(), expiresAt: Type.String(), typedCode: Type.String({ description: 'ten digits a cashier may type instead of scanning; valid as long as the token' }) }) },
    },
  }, async (request, reply) => reply.code(201).send(await redemptions.qrFor(request.principal!.subject, request.params.id)));

  app.post('/subsidies/quote', {
    config: { access: 'public' },
    schema: {
      summary: 'The subsidy for a category at a final sales price (TI-09–TI-14)',
      tags: ['subsidies'],
      body: Type.Object({ category: Category, price: Money }, { additionalProperties: false }),
      response: { 200: Type.Object({ eligible: Type.Boolean(), subsidy: Type.String(), payable: Type.String(), reason: Type.Optional(Type.String()) }) },
    },
  }, async (request) => {
    positive(request.body.price, 'price');
    const programme = [...subsidies.programmes.values()].find((candidate) => candidate.categories.some((category) => category.id === request.body.category))!;
    return quote(programme, request.body.category, request.body.price);
  });

  app.post('/merchant/redemptions/verify', {
    config: { access: merchants },
    schema: {
      summary: 'The cashier checks a scanned QR: holder (masked), subsidy and amount to pay',
      tags: ['subsidies'],
      body: Type.Object({ qrToken: Type.String({ minLength: 1, maxLength: 1024, description: 'the scanned QR payload, or the ten-digit typed code' }), category: Category, price: Money }, { additionalProperties: false }),
      response: { 200: VerifySchema },
    },
  }, async (request) => {
    positive(request.body.price, 'price');
    return redemptions.verify(request.body.qrToken, request.body.category, request.body.price);
  });

  app.post('/merchant/redemptions', {
    config: { access: merchants, idempotent: true },
    schema: {
      summary: 'Confirm the sale at the till: one qualification, one item, one order, one payment, one invoice (TI-29)',
      tags: ['subsidies'],
      body: Type.Object({ qrToken: Type.String({ minLength: 1, maxLength: 1024 }), ...Sale }, { additionalProperties: false }),
      response: { 201: RedemptionSchema },
    },
  }, async (request, reply) => {
    positive(request.body.price, 'price');
    const { qrToken, ...sale } = request.body;
    return reply.code(201).send(redemptions.redemptionDto(await redemptions.redeemAtTill(request.principal!, qrToken, sale)));
  });

  app.post('/platform/redemptions', {
    config: { access: platforms, idempotent: true },
    schema: {
      summary: 'A designated platform redeems an online qualification with the holder’s identity (TI-27)',
      tags: ['subsidies'],
      body: Type.Object({ qualificationId: Type.String({ maxLength: 64 }), holderIdNumber: Type.String({ maxLength: 32 }), ...Sale }, { additionalProperties: false }),
      response: { 201: RedemptionSchema },
    },
  }, async (request, reply) => {
    positive(request.body.price, 'price');
    const { qualificationId, holderIdNumber, ...sale } = request.body;
    return reply.code(201).send(redemptions.redemptionDto(await redemptions.redeemOnline(request.principal!, qualificationId, holderIdNumber, sale)));
  });

  app.get('/merchant/redemptions', {
    config: { access: sellers },
    schema: { summary: 'My recent subsidised sales, with delivery deadlines and overdue flags', tags: ['subsidies'], response: { 200: Type.Array(RedemptionSchema) } },
  }, async (request) => redemptions.sellerRedemptions(request.principal!));

  app.post('/merchant/redemptions/:id/delivery', {
    config: { access: sellers, idempotent: true },
    schema: {
      summary: 'Record delivery (TI-32/TI-33); digital products need the activation photo first (TI-34)',
      tags: ['subsidies'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ deliveredAt: Instant }, { additionalProperties: false }),
      response: { 200: RedemptionSchema },
    },
  }, async (request) => redemptions.redemptionDto(await redemptions.deliver(request.principal!, request.params.id, new Date(request.body.deliveredAt))));

  app.post('/merchant/redemptions/:id/activation-photo', {
    config: { access: sellers },
    schema: {
      summary: 'Upload the activation photo (multipart field `photo`: JPEG, PNG or WebP up to 5 MB) — TI-34–TI-37',
      tags: ['subsidies'],
      consumes: ['multipart/form-data'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 201: Type.Object({ id: Type.String(), sha256: Type.String(), status: Type.String() }) },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('INVALID_REQUEST', 'Send the photo as multipart/form-data in the field `photo`', { errors: [{ field: 'photo', message: 'is required' }] });
    const file = await request.file();
    if (!file || file.fieldname !== 'photo') throw new AppError('INVALID_REQUEST', 'Send the photo in the field `photo`', { errors: [{ field: 'photo', message: 'is required' }] });
    let bytes: Buffer;
    try {
      bytes = await file.toBuffer();
    } catch {
      throw new AppError('INVALID_REQUEST', 'The photo must be at most 5 MB', { errors: [{ field: 'photo', message: 'must be at most 5 MB' }] });
    }
    return reply.code(201).send(await redemptions.uploadPhoto(request.principal!, request.params.id, { contentType: file.mimetype, bytes }));
  });

  app.post('/merchant/redemptions/:id/return', {
    config: { access: sellers, idempotent: true },
    schema: {
      summary: 'Record a return and refund (TI-38–TI-41); the qualification is restored while still valid',
      tags: ['subsidies'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ reason: Type.Union([Type.Literal('quality'), Type.Literal('late_delivery'), Type.Literal('other')]), refundedAt: Instant }, { additionalProperties: false }),
      response: { 200: Type.Object({ redemption: RedemptionSchema, qualificationRestored: Type.Boolean() }) },
    },
  }, async (request) => {
    const result = await redemptions.returnItem(request.principal!, request.params.id, request.body.reason, new Date(request.body.refundedAt));
    return { redemption: redemptions.redemptionDto(result.redemption), qualificationRestored: result.qualificationRestored };
  });

  // ---- administrators ----
  app.get('/admin/subsidies/activation-photos', {
    config: { access: admins },
    schema: {
      summary: 'Activation photos waiting for review (oldest first)',
      tags: ['subsidies'],
      response: { 200: Type.Array(Type.Object({ id: Type.String(), redemptionId: Type.String(), contentType: Type.String(), sizeBytes: Type.Integer(), sha256: Type.String(), uploadedAt: Type.String(), category: Type.String(), serial: Type.Union([Type.String(), Type.Null()]), sellerId: Type.String() })) },
    },
  }, async () => redemptions.photoQueue());

  app.get('/admin/subsidies/activation-photos/:id/image', {
    config: { access: admins },
    schema: { summary: 'The photo itself', tags: ['subsidies'], params: Type.Object({ id: Type.String({ maxLength: 64 }) }) },
  }, async (request, reply) => {
    const photo = await redemptions.photoBytes(request.params.id);
    reply.header('content-type', photo.contentType).header('x-content-sha256', photo.sha256).header('cache-control', 'private, no-store');
    return reply.send(photo.bytes);
  });

  app.post('/admin/subsidies/activation-photos/:id/review', {
    config: { access: admins, idempotent: true },
    schema: {
      summary: 'Approve an activation photo, or reject it with a reason (TI-35–TI-37)',
      tags: ['subsidies'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ id: Type.String(), status: Type.String() }) },
    },
  }, async (request) => redemptions.reviewPhoto(actorOf(request.principal!.subject, 'admin_subsidies'), request.params.id, request.body.decision, request.body.reason));

  const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' });
  app.get('/admin/subsidies/report', {
    config: { access: admins },
    schema: {
      summary: 'Subsidies paid by day, category, channel and district, against the month’s releases; ?format=csv for a spreadsheet',
      tags: ['subsidies'],
      querystring: Type.Object({ month: Type.Optional(Month), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const report = await redemptions.report(request.query.month ?? subsidies.currentMonth());
    if (request.query.format === 'csv') {
      const lines = ['day,category,channel,district,redemptions,subsidy_yuan,sales_yuan', ...report.rows.map((row) => [row.day, row.category, row.channel, row.district ?? '', row.redemptions, row.subsidy, row.sales].join(','))];
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="subsidies-${report.month}.csv"`);
      return reply.send(`\uFEFF${lines.join('\r\n')}\r\n`);
    }
    return report;
  });

  app.get('/admin/subsidies/flags', {
    config: { access: admins },
    schema: {
      summary: 'Suspicious patterns: one invoice title with many qualifications at a seller, prices just under a limit, a serial sold twice',
      tags: ['subsidies'],
      querystring: Type.Object({ month: Type.Optional(Month) }, { additionalProperties: false }),
      response: { 200: Type.Array(Type.Object({ kind: Type.String(), sellerId: Type.Union([Type.String(), Type.Null()]), count: Type.Integer(), detail: Type.String() })) },
    },
  }, async (request) => redemptions.flags(request.query.month ?? subsidies.currentMonth()));

  app.get('/admin/subsidies/overdue-deliveries', {
    config: { access: admins },
    schema: { summary: 'Sales not delivered by their deadline (TI-32/TI-33)', tags: ['subsidies'], response: { 200: Type.Array(RedemptionSchema) } },
  }, async () => redemptions.overdue());

  // ---- the national check answered for other provinces (TI-06) ----
  app.post('/national/qualification-checks', {
    config: { access: registries },
    schema: {
      summary: 'For other provinces’ platforms: does a subject (peppered hash of an identity number) hold this category here?',
      tags: ['subsidies'],
      body: Type.Object({ subject: Type.String({ minLength: 20, maxLength: 128 }), category: Category }, { additionalProperties: false }),
      response: { 200: Type.Object({ held: Type.Boolean(), province: Type.String() }) },
    },
  }, async (request) => redemptions.heldHere(request.body.subject, request.body.category));
}
