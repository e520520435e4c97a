import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http/server.ts';
import type { PlatformContext } from '../../platform/module.ts';
import { releaseDto, type SubsidyService } from './service.ts';

const admins = { roles: ['admin_subsidies'] } as const;
const citizens = { roles: ['citizen'] } as const;
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'civil month YYYY-MM (Asia/Shanghai)' });
const Channel = Type.Union([Type.Literal('offline'), Type.Literal('online')]);
const KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;

const Text = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });
const ReleaseSchema = Type.Object({
  id: Type.String(),
  programme: Type.String(),
  channel: Type.String(),
  month: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  stock: Type.Integer(),
  issued: Type.Integer(),
  remaining: Type.Integer(),
});
const CouponSchema = Type.Object({
  id: Type.String(),
  releaseId: Type.String(),
  programme: Type.String(),
  channel: Type.String(),
  month: Type.String(),
  claimedAt: Type.String(),
  expiresAt: Type.String(),
  status: Type.String(),
});
const QueuedSchema = Type.Object({
  status: Type.Literal('queued'),
  ticketId: Type.String(),
  position: Type.Integer(),
  estimatedWaitSeconds: Type.Integer(),
  pollAfterSeconds: Type.Integer(),
});

/** Subsidy routes of api-contract.md ("Subsidies"): programmes, platforms, releases, claims, coupons. */
export function subsidyRoutes(app: App, context: PlatformContext, subsidies: SubsidyService): void {
  app.get(
    '/subsidies/programmes',
    {
      config: { access: 'public' },
      schema: {
        summary: 'The subsidy programmes: categories, rate, caps, price limit, quotas, release schedule',
        tags: ['subsidies'],
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              kind: Type.String(),
              name: Text,
              summary: Text,
              categories: Type.Array(Type.Object({ id: Type.String(), name: Text, includes: Type.Object({ 'zh-CN': Type.Array(Type.String()), en: Type.Array(Type.String()) }) })),
              rate: Type.String(),
              capPerItem: Type.String(),
              priceLimit: Type.Union([Type.String(), Type.Null()]),
              efficiencyRequirement: Type.Union([Text, Type.Null()]),
              quota: Type.Object({ month: Type.Integer(), year: Type.Integer() }),
              channels: Type.Array(Type.String()),
              startsAt: Type.String(),
              endsAt: Type.String(),
              releaseSchedule: Type.Object({ dayOfMonth: Type.Integer(), time: Type.String(), months: Type.Array(Type.String()) }),
              deliveryDeadlineDay: Type.Integer(),
              returnCutoffDay: Type.Integer(),
              activationPhotoRequired: Type.Boolean(),
            }),
          ),
        },
      },
    },
    async () =>
      [...subsidies.programmes.values()].map((programme) => ({
        id: programme.id,
        kind: programme.kind,
        name: programme.name,
        summary: programme.summary,
        categories: programme.categories,
        rate: programme.rate,
        capPerItem: programme.capPerItem,
        priceLimit: programme.priceLimit,
        efficiencyRequirement: programme.efficiencyRequirement,
        quota: programme.quota,
        channels: programme.channels,
        startsAt: programme.startsAt,
        endsAt: programme.endsAt,
        releaseSchedule: programme.release,
        deliveryDeadlineDay: programme.deliveryDeadlineDay,
        returnCutoffDay: programme.returnCutoffDay,
        activationPhotoRequired: programme.activationPhotoRequired,
      })),
  );

  app.get(
    '/subsidies/platforms',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Designated e-commerce platforms; a platform client’s token subject is its id',
        tags: ['subsidies'],
        response: { 200: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), names: Text })) },
      },
    },
    async () => subsidies.platforms().map((platform) => ({ id: platform.id, name: platform.name['zh-CN'], names: platform.name })),
  );

  app.get(
    '/subsidies/releases',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Releases of a month with their remaining stock',
        tags: ['subsidies'],
        querystring: Type.Object({ month: Type.Optional(Month) }, { additionalProperties: false }),
        response: { 200: Type.Array(ReleaseSchema) },
      },
    },
    async (request) => (await subsidies.listReleasesCached(request.query.month ?? subsidies.currentMonth())).map(releaseDto),
  );

  app.post(
    '/admin/subsidies/releases',
    {
      config: { access: admins, idempotent: true },
      schema: {
        summary: 'Create a release: programme, channel, month, opening time and stock',
        tags: ['subsidies'],
        body: Type.Object(
          {
            programme: Type.String({ maxLength: 64 }),
            channel: Channel,
            month: Month,
            opensAt: Type.String({ format: 'date-time' }),
            stock: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ReleaseSchema },
      },
    },
    async (request, reply) => {
      const row = await subsidies.createRelease(
        { ...request.body, opensAt: new Date(request.body.opensAt) },
        { subject: request.principal!.subject, role: 'admin_subsidies' },
      );
      return reply.code(201).send(releaseDto(row));
    },
  );

  app.patch(
    '/admin/subsidies/releases/:id',
    {
      config: { access: admins },
      schema: {
        summary: 'Change a release’s stock (never below what was issued)',
        tags: ['subsidies'],
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        body: Type.Object({ stock: Type.Integer({ minimum: 0, maximum: 100_000_000 }) }, { additionalProperties: false }),
        response: { 200: ReleaseSchema },
      },
    },
    async (request) => releaseDto(await subsidies.setStock(request.params.id, request.body.stock, { subject: request.principal!.subject, role: 'admin_subsidies' })),
  );

  app.get(
    '/admin/subsidies/releases/:id/stats',
    {
      config: { access: admins },
      schema: {
        summary: 'Live figures of a release: remaining stock, claims per second over the last minute, the line',
        tags: ['subsidies'],
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        response: {
          200: Type.Object({
            release: ReleaseSchema,
            soldOutAt: Type.Union([Type.String(), Type.Null()], { description: 'when the last coupon was claimed, once sold out' }),
            serverTime: Type.String(),
            claimsPerSecond: Type.Array(Type.Object({ at: Type.String(), claims: Type.Integer() })),
            line: Type.Object({ waiting: Type.Integer(), throughputPerSecond: Type.Integer() }),
          }),
        },
      },
    },
    async (request) => subsidies.releaseStats(request.params.id),
  );

  app.get(
    '/admin/subsidies/quota-stats',
    {
      config: { access: admins },
      schema: {
        summary: 'Quota statistics of a month: people by coupons held, coupons by district',
        tags: ['subsidies'],
        querystring: Type.Object({ month: Type.Optional(Month) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            month: Type.String(),
            programmes: Type.Array(
              Type.Object({
                programme: Type.String(),
                monthQuota: Type.Integer(),
                yearQuota: Type.Integer(),
                monthDistribution: Type.Array(Type.Object({ coupons: Type.Integer(), people: Type.Integer() })),
                yearDistribution: Type.Array(Type.Object({ coupons: Type.Integer(), people: Type.Integer() })),
                byDistrict: Type.Array(Type.Object({ district: Type.Union([Type.String(), Type.Null()]), coupons: Type.Integer() })),
              }),
            ),
          }),
        },
      },
    },
    async (request) => subsidies.quotaStats(request.query.month ?? subsidies.currentMonth()),
  );

  // SOLD_OUT from memory (TI-17), the busiest answer of a flash release, is given twice over: before
  // routing to a known bearer token (the platform's early answer: access rule, headers and metrics
  // kept, no body read) and, for everyone else, in the route's first hook below.
  app.answerEarly({
    method: 'POST',
    url: `${app.prefix}/subsidies/releases/:id/claims`,
    access: citizens,
    answer: ({ id }) => {
      const body = subsidies.soldOutBody(id!);
      return body === undefined ? undefined : { status: 409, body };
    },
    answered: () => subsidies.countSoldOut(),
  });
  app.post(
    '/subsidies/releases/:id/claims',
    {
      config: { access: citizens, idempotent: false },
      // SOLD_OUT from memory (TI-17) before the body is read or validated: it costs the sign-in check
      // (global hooks run first) and a map look-up. With an Idempotency-Key the request goes on: a
      // retry whose first attempt succeeded gets its coupon.
      onRequest: (request, reply, done) => {
        if (request.headers['idempotency-key'] === undefined) {
          const soldOut = subsidies.soldOutAnswer((request.params as { id: string }).id);
          if (soldOut) {
            (reply as unknown as FastifyReply).code(409).header('content-type', 'application/problem+json; charset=utf-8').send(soldOut);
            return;
          }
        }
        done();
      },
      schema: {
        summary: 'Claim a coupon (first come, first served). With Idempotency-Key, a retry returns the same coupon.',
        description:
          'Answers 201 with the coupon, or 202 with a place in line when the wait would be long (poll GET /subsidies/claims/{ticketId}). ' +
          'Errors: NOT_OPEN (with opensAt and serverTime), RELEASE_CLOSED, SOLD_OUT, QUOTA_MONTH_REACHED, QUOTA_YEAR_REACHED, OUTSIDE_CITY.',
        tags: ['subsidies'],
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: Type.Object(
          {
            location: Type.Object(
              { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ coupon: CouponSchema }), 200: Type.Object({ coupon: CouponSchema }), 202: QueuedSchema },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (key !== undefined && !KEY_PATTERN.test(key)) {
        throw new AppError('INVALID_REQUEST', 'Idempotency-Key must be 1–128 visible ASCII characters', {
          errors: [{ field: 'header.idempotency-key', message: 'must be 1–128 visible ASCII characters' }],
        });
      }
      const personId = request.principal!.subject;
      try {
        const result = await subsidies.claim({
          personId,
          releaseId: request.params.id,
          location: request.body.location,
          idempotencyKey: key,
          address: request.ip,
          requestId: request.id,
        });
        if (result.kind === 'queued') {
          reply.header('retry-after', '2');
          return reply.code(202).send({ status: 'queued' as const, ticketId: result.ticket.id, position: result.position, estimatedWaitSeconds: result.estimatedWaitSeconds, pollAfterSeconds: 2 });
        }
        subsidies.rememberQuota(personId, result.coupon.programme, result.coupon.month, 'claimed');
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        // A replay answers exactly as the first time: 201 with the same coupon.
        return reply.code(201).send({ coupon: result.coupon });
      } catch (error) {
        if (error instanceof AppError && (error.code === 'QUOTA_MONTH_REACHED' || error.code === 'QUOTA_YEAR_REACHED')) {
          const release = await subsidies.getRelease(request.params.id).catch(() => undefined);
          if (release) subsidies.rememberQuota(personId, release.programme_id, release.month, error.code === 'QUOTA_MONTH_REACHED' ? 'quota_month' : 'quota_year');
        }
        throw error;
      }
    },
  );

  app.get(
    '/subsidies/claims/:ticketId',
    {
      config: { access: citizens },
      schema: {
        summary: 'A place in line: still waiting (with position), or the claim’s answer (201 body, or its problem)',
        tags: ['subsidies'],
        params: Type.Object({ ticketId: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ coupon: CouponSchema }), 202: QueuedSchema },
      },
    },
    async (request, reply) => {
      const result = await subsidies.ticket(request.params.ticketId, request.principal!.subject);
      if (result.kind === 'queued') {
        reply.header('retry-after', '2');
        return reply.code(202).send({ status: 'queued' as const, ticketId: result.ticket.id, position: result.position, estimatedWaitSeconds: result.estimatedWaitSeconds, pollAfterSeconds: 2 });
      }
      return { coupon: result.coupon };
    },
  );

  app.get(
    '/me/coupons',
    {
      config: { access: citizens },
      schema: { summary: 'My coupons, newest first, with their expiry', tags: ['subsidies'], response: { 200: Type.Array(CouponSchema) } },
    },
    async (request) => subsidies.myCoupons(request.principal!.subject),
  );

  app.get(
    '/me/subsidy-quota',
    {
      config: { access: citizens },
      schema: {
        summary: 'How many coupons I have claimed this month and year, per programme',
        tags: ['subsidies'],
        querystring: Type.Object({ month: Type.Optional(Month) }, { additionalProperties: false }),
        response: {
          200: Type.Array(Type.Object({ programme: Type.String(), month: Type.String(), monthUsed: Type.Integer(), monthQuota: Type.Integer(), yearUsed: Type.Integer(), yearQuota: Type.Integer() })),
        },
      },
    },
    async (request) => subsidies.myQuota(request.principal!.subject, request.query.month ?? subsidies.currentMonth()),
  );

}
