import { Type } from 'typebox';
import type { Role } from '../../platform/access.ts';
import { addDays, civilDate } from '../../platform/civil-time.ts';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http/server.ts';
import type { PlatformContext } from '../../platform/module.ts';
import {
  CATEGORIES,
  HALL_TYPE_NAMES,
  HallInputSchema,
  hallsToCsv,
  PolicySchema,
  ServiceItemSchema,
  servicesToCsv,
  type Hall,
  type ServiceItem,
} from './catalogue.ts';
import {
  AppointmentSchema,
  CatalogueSchema,
  CivilDate,
  HallDetailSchema,
  HallSummarySchema,
  HallTypeSchema,
  IdParam,
  NewTicketSchema,
  PolicyDtoSchema,
  QualityReportSchema,
  ReviewSchema,
  ServiceDtoSchema,
  StatusSchema,
  TakeTicketBody,
  TicketSchema,
  WindowSchema,
} from './schemas.ts';
import type { HallsService, HallStatus } from './service.ts';

const citizens = { roles: ['citizen'] as Role[] };
const hallStaff: Role[] = ['window_officer', 'lobby_officer', 'hall_manager'];
const hallStaffOrAdmin = { roles: [...hallStaff, 'admin_halls'] as Role[] };
const windowStaff = { roles: ['window_officer', 'hall_manager'] as Role[] };
const lobbyStaff = { roles: ['lobby_officer', 'hall_manager'] as Role[] };
const managers = { roles: ['hall_manager', 'admin_halls'] as Role[] };
const admins = { roles: ['admin_halls'] as Role[] };
const ticketTakers = { roles: ['citizen', 'lobby_officer', 'hall_manager'] as Role[] };
const tags = ['halls'];
const Note = Type.String({ minLength: 1, maxLength: 1000 });

/** One-tap navigation (POL-23): a standard map link, only ever generated, never fetched. */
export function navigationUrl(hall: Hall): string {
  const { lat, lng } = hall.location;
  return `https://uri.amap.com/marker?position=${lng},${lat}&name=${encodeURIComponent(hall.name['zh-CN'])}&src=haihe&coordinate=gaode&callnative=1`;
}

function serviceDto(item: ServiceItem, halls: Map<string, string[]>) {
  const category = CATEGORIES.find((entry) => entry.id === item.category)!;
  return {
    id: item.id,
    name: item.name['zh-CN'],
    names: item.name,
    category: item.category,
    categoryName: category.name['zh-CN'],
    documents: item.documents.map((document) => ({ id: document.id, name: document.name['zh-CN'], names: document.name })),
    feeYuan: item.feeYuan,
    feeNote: item.feeNote,
    completion: item.completion,
    windowMinutes: item.windowMinutes,
    halls: halls.get(item.id) ?? [],
    active: item.active,
    demo: item.demo,
  };
}

function hallSummary(hall: Hall, status: HallStatus, distanceM: number | null) {
  return {
    id: hall.id,
    name: hall.name['zh-CN'],
    names: hall.name,
    type: hall.type,
    typeName: HALL_TYPE_NAMES[hall.type],
    districtCode: hall.districtCode,
    address: hall.address,
    phone: hall.phone,
    location: hall.location,
    distanceM,
    navigationUrl: navigationUrl(hall),
    hours: hall.hours,
    status,
    demo: hall.demo,
  };
}

/** Service-hall routes of api-contract.md ("Service halls") and the console's administration. */
export function hallRoutes(app: App, context: PlatformContext, halls: HallsService): void {
  app.addHook('preClose', async () => halls.close());

  // ---- catalogue and pre-visit guidance (POL-13, POL-16) ----------------------------------
  app.get(
    '/services',
    {
      config: { access: 'public' },
      schema: {
        summary: 'The catalogue: the four categories (人口, 交管, 治安, 出入境) and their items with documents, fees, time and halls (POL-13, POL-16)',
        tags,
        querystring: Type.Object({ all: Type.Optional(Type.Boolean({ description: 'include retired items' })) }, { additionalProperties: false }),
        response: { 200: CatalogueSchema },
      },
    },
    async (request) => {
      const items = await halls.items();
      const byItem = await halls.hallsByItem();
      return {
        demo: items.some((item) => item.demo),
        categories: CATEGORIES.map((category) => ({ id: category.id, name: category.name['zh-CN'], names: category.name, prefix: category.prefix })),
        items: items.filter((item) => request.query.all || item.active).map((item) => serviceDto(item, byItem)),
      };
    },
  );

  app.get(
    '/services/:id',
    { config: { access: 'public' }, schema: { summary: 'One item with its pre-visit guidance', tags, params: IdParam, response: { 200: ServiceDtoSchema } } },
    async (request) => serviceDto(await halls.item(request.params.id), await halls.hallsByItem()),
  );

  // ---- halls, the nearby map, live status (POL-20–POL-23) --------------------------------
  app.get(
    '/halls',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Halls sorted by distance from lat/lng (附近网点, POL-20–POL-22), each with its live status; filter by type',
        tags,
        querystring: Type.Object(
          {
            lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
            lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
            type: Type.Optional(HallTypeSchema),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(HallSummarySchema) },
      },
    },
    async (request) => {
      const { lat, lng } = request.query;
      if ((lat === undefined) !== (lng === undefined)) {
        throw new AppError('INVALID_REQUEST', 'Give both lat and lng, or neither', { errors: [{ field: lat === undefined ? 'querystring.lat' : 'querystring.lng', message: 'is required with the other coordinate' }] });
      }
      return (await halls.nearby(request.query)).map(({ hall, status, distanceM }) => hallSummary(hall, status, distanceM));
    },
  );

  app.get(
    '/halls/:id',
    { config: { access: 'public' }, schema: { summary: 'One hall: address, hours, windows, items handled, live status', tags, params: IdParam, response: { 200: HallDetailSchema } } },
    async (request) => {
      const hall = await halls.hall(request.params.id);
      if (!hall.active) throw new AppError('HALL_NOT_FOUND', `No hall ${hall.id}`);
      return {
        ...hallSummary(hall, await halls.status(hall.id), null),
        slotMinutes: hall.slotMinutes,
        slotCapacity: hall.slotCapacity,
        windows: hall.windows.filter((window) => window.active).map((window) => ({ id: window.id, name: window.name['zh-CN'], names: window.name, services: window.services })),
        services: halls.offeredItems(hall).map((item) => item.id),
      };
    },
  );

  app.get(
    '/halls/:id/status',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Live status (POL-23): queue length, open windows, next bookable slots, the number being called',
        description: 'With `Accept: text/event-stream`, a stream of server-sent events (`event: status`) that sends the new status within a second of every change.',
        tags,
        params: IdParam,
        response: { 200: StatusSchema },
      },
    },
    async (request, reply) => {
      const status = await halls.status(request.params.id);
      if (!(request.headers.accept ?? '').includes('text/event-stream')) return status;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      raw.write('retry: 3000\n\n');
      request.raw.socket.setTimeout(0);
      request.raw.socket.setNoDelay(true);
      const unsubscribe = await halls.hub.subscribe(request.params.id, {
        write: (chunk) => {
          if (!raw.destroyed) raw.write(chunk);
        },
        buffered: () => raw.writableLength,
        end: () => raw.end(),
      });
      raw.on('close', unsubscribe);
      return reply;
    },
  );

  app.get(
    '/halls/:id/slots',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Bookable slots of a day (哪个时段可预约): start, end, remaining places',
        tags,
        params: IdParam,
        querystring: Type.Object({ date: Type.Optional(CivilDate) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Object({ start: Type.String(), end: Type.String(), capacity: Type.Integer(), remaining: Type.Integer(), bookable: Type.Boolean() })) },
      },
    },
    async (request) => halls.slots(request.params.id, request.query.date ?? civilDate(context.clock.now())),
  );

  // ---- appointments ---------------------------------------------------------------------
  app.post(
    '/halls/:id/appointments',
    {
      config: { access: citizens, idempotent: true },
      schema: {
        summary: 'Book a slot for an item (never beyond the slot’s capacity; one active appointment per person and item)',
        description: 'Errors: SLOT_FULL, SLOT_NOT_BOOKABLE, APPOINTMENT_LIMIT_REACHED.',
        tags,
        params: IdParam,
        body: Type.Object({ serviceId: Type.String({ minLength: 1, maxLength: 64 }), slotStart: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        response: { 201: AppointmentSchema },
      },
    },
    async (request, reply) => {
      const appointment = await halls.book(request.principal!.subject, request.params.id, request.body.serviceId, new Date(request.body.slotStart), request.id);
      return reply.code(201).send(appointment);
    },
  );

  app.get(
    '/me/appointments',
    { config: { access: citizens }, schema: { summary: 'My appointments, newest slot first', tags, response: { 200: Type.Array(AppointmentSchema) } } },
    async (request) => halls.myAppointments(request.principal!.subject),
  );

  app.post(
    '/me/appointments/:id/cancel',
    { config: { access: citizens, idempotent: true }, schema: { summary: 'Cancel my appointment (the place is freed)', tags, params: IdParam, response: { 200: AppointmentSchema } } },
    async (request) => halls.cancelAppointment(request.principal!.subject, request.params.id, request.id),
  );

  app.post(
    '/me/appointments/:id/reschedule',
    {
      config: { access: citizens, idempotent: true },
      schema: {
        summary: 'Move my appointment to another slot of the same hall (atomic: the old place is freed only if the new one is taken)',
        tags,
        params: IdParam,
        body: Type.Object({ slotStart: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        response: { 200: AppointmentSchema },
      },
    },
    async (request) => halls.reschedule(request.principal!.subject, request.params.id, new Date(request.body.slotStart), request.id),
  );

  // ---- tickets (POL-19, POL-15) ----------------------------------------------------------
  app.post(
    '/halls/:id/tickets',
    {
      config: { access: ticketTakers, idempotent: true },
      schema: {
        summary: 'Take a ticket: a resident by the hall’s NFC sticker or QR poster (via nfc|qr, tagToken), or the lobby officer by identity number (via lobby, idNumber)',
        description: 'Errors: TICKET_ALREADY_ACTIVE, TAG_INVALID, HALL_CLOSED, INVALID_ID_NUMBER, SERVICE_NOT_OFFERED, NAME_REQUIRED.',
        tags,
        params: IdParam,
        body: TakeTicketBody,
        response: { 201: Type.Object({ ticket: NewTicketSchema, appointmentApplied: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await halls.takeTicket({
        principal: request.principal!,
        hallId: request.params.id,
        serviceId: body.serviceId,
        via: body.via,
        tagToken: body.tagToken,
        appointmentId: body.appointmentId,
        idNumber: body.idNumber,
        name: body.name,
        priority: body.priority,
        requestId: request.id,
      });
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/me/tickets',
    { config: { access: citizens }, schema: { summary: 'My tickets with position, estimate and progress (业务办理到哪一步)', tags, response: { 200: Type.Array(TicketSchema) } } },
    async (request) => halls.myTickets(request.principal!.subject),
  );

  app.get(
    '/me/tickets/:id',
    { config: { access: citizens }, schema: { summary: 'One of my tickets', tags, params: IdParam, response: { 200: TicketSchema } } },
    async (request) => halls.myTicket(request.principal!.subject, request.params.id),
  );

  app.post(
    '/me/tickets/:id/cancel',
    { config: { access: citizens, idempotent: true }, schema: { summary: 'Leave the queue', tags, params: IdParam, response: { 200: TicketSchema } } },
    async (request) => halls.cancelTicket(request.principal!.subject, request.params.id, request.id),
  );

  app.post(
    '/me/tickets/:id/rating',
    {
      config: { access: citizens, idempotent: true },
      schema: {
        summary: 'Rate a finished service, once (好差评: 5 非常满意 … 1 非常不满意); levels 1–2 open a review item',
        description: 'Errors: ALREADY_RATED, NOT_FINISHED.',
        tags,
        params: IdParam,
        body: Type.Object({ level: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ ticketId: Type.String(), level: Type.Integer(), comment: Type.Union([Type.String(), Type.Null()]), ratedAt: Type.String(), reviewId: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request, reply) => reply.code(201).send(await halls.rate(request.principal!.subject, request.params.id, request.body.level, request.body.comment, request.id)),
  );

  // ---- staff: tags, windows, the window console ------------------------------------------
  const TagsSchema = Type.Array(Type.Object({ kind: Type.String(), token: Type.String(), url: Type.String(), generation: Type.Integer() }));
  app.get(
    '/staff/halls/:id/tags',
    { config: { access: hallStaffOrAdmin }, schema: { summary: 'The hall’s current entrance tags to print as an NFC sticker and a QR poster', tags, params: IdParam, response: { 200: TagsSchema } } },
    async (request) => halls.tags(request.principal!, request.params.id),
  );

  app.post(
    '/staff/halls/:id/tags/rotate',
    { config: { access: managers, idempotent: true }, schema: { summary: 'Void every printed tag of the hall and issue new ones', tags, params: IdParam, response: { 200: TagsSchema } } },
    async (request) => halls.rotateTags(request.principal!, request.params.id, request.id),
  );

  app.get(
    '/staff/halls/:id/windows',
    { config: { access: hallStaffOrAdmin }, schema: { summary: 'The hall’s windows: open or closed, items handled, the ticket at each', tags, params: IdParam, response: { 200: Type.Array(WindowSchema) } } },
    async (request) => halls.windows(request.principal!, request.params.id),
  );

  app.get(
    '/staff/halls/:id/queue',
    {
      config: { access: hallStaffOrAdmin },
      schema: { summary: 'Tickets waiting and at the windows, in calling order', tags, params: IdParam, response: { 200: Type.Array(TicketSchema) } },
    },
    async (request) => halls.queue(request.principal!, request.params.id),
  );

  app.patch(
    '/staff/windows/:id',
    {
      config: { access: windowStaff },
      schema: { summary: 'Open or close a window', tags, params: IdParam, body: Type.Object({ open: Type.Boolean() }, { additionalProperties: false }), response: { 200: WindowSchema } },
    },
    async (request) => halls.setWindowOpen(request.principal!, request.params.id, request.body.open, request.id),
  );

  app.post(
    '/staff/windows/:id/call-next',
    {
      config: { access: windowStaff },
      schema: {
        summary: 'Call the next ticket for this window (200 with the ticket, 204 when nobody is waiting)',
        tags,
        params: IdParam,
        response: { 200: Type.Object({ ticket: TicketSchema }), 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const ticket = await halls.callNext(request.principal!, request.params.id, request.id);
      if (!ticket) return reply.code(204).send(null);
      return { ticket };
    },
  );

  app.post(
    '/staff/tickets/:id/recall',
    { config: { access: windowStaff }, schema: { summary: 'Call the ticket at the window again', tags, params: IdParam, response: { 200: Type.Object({ ticket: TicketSchema }) } } },
    async (request) => ({ ticket: await halls.recall(request.principal!, request.params.id, request.id) }),
  );

  app.post(
    '/staff/tickets/:id/no-show',
    { config: { access: windowStaff }, schema: { summary: 'The called resident did not come', tags, params: IdParam, response: { 200: Type.Object({ ticket: TicketSchema }) } } },
    async (request) => ({ ticket: await halls.noShow(request.principal!, request.params.id, request.id) }),
  );

  app.post(
    '/staff/tickets/:id/transfer',
    {
      config: { access: windowStaff, idempotent: true },
      schema: {
        summary: 'Transfer a ticket to another item and/or window; it keeps its place in the queue',
        tags,
        params: IdParam,
        body: Type.Object({ serviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), windowId: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ticket: TicketSchema }) },
      },
    },
    async (request) => ({ ticket: await halls.transfer(request.principal!, request.params.id, request.body, request.id) }),
  );

  app.post(
    '/staff/tickets/:id/finish',
    {
      config: { access: windowStaff, idempotent: true },
      schema: {
        summary: 'Finish the ticket as done or not done (不能办理 needs a reason and opens a review item)',
        description: 'Errors: REASON_REQUIRED, TICKET_NOT_CALLED.',
        tags,
        params: IdParam,
        body: Type.Object(
          { outcome: Type.Union([Type.Literal('done'), Type.Literal('not_done')]), reason: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ ticket: TicketSchema, reviewId: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => halls.finish(request.principal!, request.params.id, request.body.outcome, request.body.reason, request.id),
  );

  app.post(
    '/staff/halls/:id/redirects',
    {
      config: { access: lobbyStaff, idempotent: true },
      schema: {
        summary: 'Lobby triage (POL-15): record a resident sent elsewhere instead of given a ticket',
        tags,
        params: IdParam,
        body: Type.Object(
          {
            serviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            reason: Type.Union(['missing_documents', 'other_hall', 'online', 'not_police_business', 'other'].map((reason) => Type.Literal(reason))),
            missingDocuments: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 30 })),
            toHallId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String(), hallId: Type.String(), serviceId: Type.Union([Type.String(), Type.Null()]), reason: Type.String(), missingDocuments: Type.Array(Type.String()), toHallId: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() }),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await halls.redirect(request.principal!, request.params.id, request.body, request.id)),
  );

  // ---- the quality review (POL-17, POL-18) -----------------------------------------------
  app.get(
    '/staff/reviews',
    {
      config: { access: hallStaffOrAdmin },
      schema: {
        summary: 'Review items opened by bad ratings (levels 1–2) and not-done outcomes, with call-back and rectification deadlines',
        tags,
        querystring: Type.Object(
          {
            hallId: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.Union(['open', 'called_back', 'rectifying', 'appealed', 'closed'].map((status) => Type.Literal(status)))),
            kind: Type.Optional(Type.Union([Type.Literal('bad_rating'), Type.Literal('not_done')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ReviewSchema) },
      },
    },
    async (request) => halls.reviews(request.principal!, request.query as never),
  );

  app.get(
    '/staff/reviews/:id',
    { config: { access: hallStaffOrAdmin }, schema: { summary: 'One review item', tags, params: IdParam, response: { 200: ReviewSchema } } },
    async (request) => halls.review(request.principal!, request.params.id),
  );

  for (const action of ['callback', 'rectify', 'appeal', 'close'] as const) {
    const summaries = {
      callback: 'Record the call-back to the resident (due within the call-back deadline)',
      rectify: 'Record the rectification (due within the rectification deadline)',
      appeal: 'Appeal a wrong or malicious rating (申诉复核); decided by the halls administrator',
      close: 'Close the item: rectified, explained, or an appeal upheld or rejected',
    };
    app.post(
      `/staff/reviews/:id/${action}`,
      {
        config: { access: action === 'appeal' || action === 'close' ? managers : hallStaffOrAdmin, idempotent: true },
        schema: {
          summary: summaries[action],
          tags,
          params: IdParam,
          body: Type.Object(
            {
              note: Note,
              ...(action === 'close' ? { resolution: Type.Optional(Type.Union(['rectified', 'explained', 'appeal_upheld', 'appeal_rejected'].map((value) => Type.Literal(value)))) } : {}),
            },
            { additionalProperties: false },
          ),
          response: { 200: ReviewSchema },
        },
      },
      async (request) => {
        const body = request.body as { note: string; resolution?: 'rectified' | 'explained' | 'appeal_upheld' | 'appeal_rejected' };
        return halls.reviewAction(request.principal!, request.params.id, action, body, request.id);
      },
    );
  }

  app.get(
    '/staff/quality-report',
    {
      config: { access: hallStaffOrAdmin },
      schema: {
        summary: 'Quality report (质效评估) per hall and item: most requested, most often not done, bad-rating rate, waiting and service times',
        tags,
        querystring: Type.Object(
          { hallId: Type.Optional(Type.String({ maxLength: 64 })), from: Type.Optional(CivilDate), to: Type.Optional(CivilDate) },
          { additionalProperties: false },
        ),
        response: { 200: QualityReportSchema },
      },
    },
    async (request) => {
      const today = civilDate(context.clock.now());
      const to = request.query.to ?? today;
      const from = request.query.from ?? addDays(to, -29);
      if (from > to) throw new AppError('INVALID_REQUEST', 'from is after to', { errors: [{ field: 'querystring.from', message: 'must not be after to' }] });
      return halls.qualityReport(request.principal!, { hallId: request.query.hallId, from, to });
    },
  );

  // ---- administration: catalogue, halls, policy ------------------------------------------
  const actor = (request: { principal?: { subject: string } | undefined }) => ({ subject: request.principal!.subject, role: 'admin_halls' });
  const CsvBody = Type.Object({ csv: Type.String({ minLength: 1, maxLength: 2_000_000 }) }, { additionalProperties: false });
  const ImportResult = Type.Object({ created: Type.Integer(), updated: Type.Integer() });

  app.put(
    '/admin/halls/services/:id',
    {
      config: { access: admins },
      schema: { summary: 'Create or change a catalogue item', tags, params: IdParam, body: ServiceItemSchema, response: { 200: ServiceDtoSchema } },
    },
    async (request) => {
      if (request.body.id !== request.params.id) throw new AppError('INVALID_REQUEST', 'The id in the body differs from the path', { errors: [{ field: 'id', message: 'must equal the path id' }] });
      const item = await halls.upsertService(request.body, actor(request), request.id);
      return serviceDto(item, await halls.hallsByItem());
    },
  );

  app.post(
    '/admin/halls/services/import',
    {
      config: { access: admins, idempotent: true },
      schema: { summary: 'Import catalogue items from CSV (all or nothing; header in docs/modules/halls.md)', tags, body: CsvBody, response: { 200: ImportResult } },
    },
    async (request) => halls.importServices(request.body.csv, actor(request), request.id),
  );

  app.get(
    '/admin/halls/services.csv',
    { config: { access: admins }, schema: { summary: 'The catalogue as CSV (the import format)', tags, produces: ['text/csv'], response: { 200: Type.String() } } },
    async (_request, reply) => {
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="hall-services.csv"');
      return servicesToCsv(await halls.items());
    },
  );

  app.put(
    '/admin/halls/:id',
    {
      config: { access: admins },
      schema: { summary: 'Create or change a hall with its windows (windows left out are retired)', tags, params: IdParam, body: HallInputSchema, response: { 200: HallSummarySchema } },
    },
    async (request) => {
      if (request.body.id !== request.params.id) throw new AppError('INVALID_REQUEST', 'The id in the body differs from the path', { errors: [{ field: 'id', message: 'must equal the path id' }] });
      const hall = await halls.upsertHall(request.body, actor(request), request.id);
      return hallSummary(hall, await halls.status(hall.id), null);
    },
  );

  app.post(
    '/admin/halls/import',
    {
      config: { access: admins, idempotent: true },
      schema: { summary: 'Import halls and their windows from CSV (all or nothing; header in docs/modules/halls.md)', tags, body: CsvBody, response: { 200: ImportResult } },
    },
    async (request) => halls.importHalls(request.body.csv, actor(request), request.id),
  );

  app.get(
    '/admin/halls.csv',
    { config: { access: admins }, schema: { summary: 'The halls as CSV (the import format)', tags, produces: ['text/csv'], response: { 200: Type.String() } } },
    async (_request, reply) => {
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="halls.csv"');
      return hallsToCsv(await halls.halls());
    },
  );

  app.get(
    '/admin/halls/policy',
    { config: { access: admins }, schema: { summary: 'Queue and review policy: priority age and advance, appointment window, review deadlines (working days)', tags, response: { 200: PolicyDtoSchema } } },
    async () => halls.policy(),
  );

  app.put(
    '/admin/halls/policy',
    { config: { access: admins }, schema: { summary: 'Change the queue and review policy', tags, body: PolicySchema, response: { 200: PolicyDtoSchema } } },
    async (request) => halls.setPolicy(request.body, actor(request)),
  );
}
