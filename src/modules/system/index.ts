import { Type } from 'typebox';
import { appendAudit, verifyAudit } from '../../platform/audit.ts';
import { CalendarYearSchema, storeCalendarYear } from '../../platform/calendar.ts';
import { formatCivil } from '../../platform/civil-time.ts';
import { pruneIdempotencyKeys } from '../../platform/http/idempotency.ts';
import { AppError } from '../../platform/errors.ts';
import type { Module } from '../../platform/module.ts';

const CivilDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'civil date YYYY-MM-DD (Asia/Shanghai)' });
const admin = { roles: ['admin_platform'] } as const;

/** Platform-wide routes: server time, the working-day calendar, and the audit log for administrators. */
export const systemModule: Module = {
  name: 'system',
  routes(app, context) {
    app.get(
      '/time',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Server time, for countdowns synced to the platform clock',
          tags: ['platform'],
          response: { 200: Type.Object({ now: Type.String(), epochMs: Type.Number(), timeZone: Type.String() }) },
        },
      },
      async () => {
        const now = context.clock.now();
        return { now: formatCivil(now), epochMs: now.getTime(), timeZone: 'Asia/Shanghai' };
      },
    );

    app.get(
      '/calendar/working-days',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Official working days: is a date a working day, and what is N working days later',
          tags: ['platform'],
          querystring: Type.Object(
            { from: CivilDate, add: Type.Optional(Type.Integer({ minimum: 0, maximum: 366 })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              from: Type.String(),
              isWorkingDay: Type.Boolean(),
              add: Type.Integer(),
              result: Type.String(),
              calendarLoaded: Type.Boolean(),
            }),
          },
        },
      },
      async (request) => {
        const { from, add = 0 } = request.query;
        const year = Number(from.slice(0, 4));
        return {
          from,
          isWorkingDay: context.calendar.isWorkingDay(from),
          add,
          result: add === 0 ? from : context.calendar.addWorkingDays(from, add),
          calendarLoaded: context.calendar.hasYear(year),
        };
      },
    );

    app.get(
      '/calendar/:year',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Holidays and make-up working days of one year',
          tags: ['platform'],
          params: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }),
          response: {
            200: Type.Object({
              year: Type.Integer(),
              source: Type.String(),
              days: Type.Array(Type.Object({ date: Type.String(), kind: Type.String(), name: Type.String() })),
            }),
          },
        },
      },
      async (request) => {
        const [year] = await context.database.query<{ source: string }>('SELECT source FROM calendar_years WHERE year = $1', [
          request.params.year,
        ]);
        if (!year) throw new AppError('NOT_FOUND', `No calendar is loaded for ${request.params.year}`);
        const days = await context.database.query<{ day: string; kind: string; name: string }>(
          'SELECT day, kind, name FROM calendar_days WHERE year = $1 ORDER BY day',
          [request.params.year],
        );
        return { year: request.params.year, source: year.source, days: days.map((d) => ({ date: d.day, kind: d.kind, name: d.name })) };
      },
    );

    app.put(
      '/admin/calendar/:year',
      {
        config: { access: admin },
        schema: {
          summary: 'Load or replace one year of the official calendar (holidays and make-up working days)',
          tags: ['platform'],
          params: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }),
          body: CalendarYearSchema,
          response: { 200: Type.Object({ year: Type.Integer(), holidays: Type.Integer(), workdays: Type.Integer() }) },
        },
      },
      async (request) => {
        const data = request.body;
        if (data.year !== request.params.year) {
          throw new AppError('INVALID_REQUEST', 'year in the body must match the path', {
            errors: [{ field: 'year', message: 'must match the year in the path' }],
          });
        }
        try {
          await context.database.transaction(async (tx) => {
            await storeCalendarYear(tx, data);
            await appendAudit(tx, [
              {
                actor: { subject: request.principal!.subject, role: 'admin_platform' },
                action: 'calendar.year.replace',
                entityType: 'calendar_year',
                entityId: String(data.year),
                summary: { holidays: data.holidays.length, workdays: data.workdays.length, source: data.source },
                requestId: request.id,
                occurredAt: context.clock.now(),
              },
            ]);
          });
        } catch (error) {
          if (error instanceof Error && /appears twice|outside|ends before|not a calendar date/.test(error.message)) {
            throw new AppError('INVALID_REQUEST', error.message);
          }
          throw error;
        }
        await context.reloadCalendar();
        return { year: data.year, holidays: data.holidays.length, workdays: data.workdays.length };
      },
    );

    app.get(
      '/admin/audit',
      {
        config: { access: { roles: ['admin_platform', 'admin_subsidies', 'admin_halls', 'admin_credentials', 'admin_cases', 'admin_transparency'] } },
        schema: {
          summary: 'Read the audit log, newest first, optionally for one entity',
          tags: ['platform'],
          querystring: Type.Object(
            {
              entityType: Type.Optional(Type.String({ maxLength: 64 })),
              entityId: Type.Optional(Type.String({ maxLength: 128 })),
              before: Type.Optional(Type.Integer({ minimum: 1 })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              entries: Type.Array(
                Type.Object({
                  position: Type.Integer(),
                  occurredAt: Type.String(),
                  actor: Type.String(),
                  actorRole: Type.Union([Type.String(), Type.Null()]),
                  action: Type.String(),
                  entityType: Type.String(),
                  entityId: Type.String(),
                  summary: Type.Record(Type.String(), Type.Unknown()),
                  hash: Type.String(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const { entityType, entityId, before, limit = 50 } = request.query;
        const rows = await context.database.query<{
          position: number; occurred_at: Date; actor: string; actor_role: string | null; action: string;
          entity_type: string; entity_id: string; summary: Record<string, unknown>; hash: string;
        }>(
          `SELECT position, occurred_at, actor, actor_role, action, entity_type, entity_id, summary, hash FROM audit_log
            WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2) AND ($3::bigint IS NULL OR position < $3)
            ORDER BY position DESC LIMIT $4`,
          [entityType ?? null, entityId ?? null, before ?? null, limit],
        );
        return {
          entries: rows.map((row) => ({
            position: row.position,
            occurredAt: formatCivil(row.occurred_at),
            actor: row.actor,
            actorRole: row.actor_role,
            action: row.action,
            entityType: row.entity_type,
            entityId: row.entity_id,
            summary: row.summary,
            hash: row.hash,
          })),
        };
      },
    );

    app.get(
      '/admin/audit/verify',
      {
        config: { access: admin },
        schema: {
          summary: 'Recompute the audit chain and report tampering',
          tags: ['platform'],
          response: { 200: Type.Object({ ok: Type.Boolean(), entries: Type.Integer(), problems: Type.Array(Type.String()) }) },
        },
      },
      async () => verifyAudit(context.database),
    );
  },
  jobs(runner, context) {
    // Stored idempotent responses are kept for 7 days, long enough for any client retry.
    runner.schedule(
      {
        name: 'platform.prune-idempotency-keys',
        next: (after) => new Date(Math.floor(after.getTime() / 3_600_000) * 3_600_000 + 3_600_000),
      },
      async () => {
        const cutoff = new Date(context.clock.now().getTime() - 7 * 24 * 3_600_000);
        await pruneIdempotencyKeys(context.database, cutoff);
      },
    );
  },
};
