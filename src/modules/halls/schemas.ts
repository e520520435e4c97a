import { Type } from 'typebox';
import { CATEGORY_IDS, HALL_TYPES } from './catalogue.ts';
import { PRIORITIES } from './rules/queue.ts';

/** TypeBox schemas of the service-hall API (api-contract.md, "Service halls"). */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
export const TextSchema = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export const CivilDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'civil date YYYY-MM-DD (Asia/Shanghai)' });
export const HallTypeSchema = Type.Union(HALL_TYPES.map((type) => Type.Literal(type)));
export const CategorySchema = Type.Union(CATEGORY_IDS.map((id) => Type.Literal(id)));
export const PrioritySchema = Type.Union(PRIORITIES.map((priority) => Type.Literal(priority)));
const Sessions = Type.Array(Type.Array(Type.String()));
export const HoursSchema = Type.Object({ workingDays: Sessions, restDays: Sessions });

export const DocumentDtoSchema = Type.Object({ id: Type.String(), name: Type.String(), names: TextSchema });

export const ServiceDtoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  names: TextSchema,
  category: Type.String(),
  categoryName: Type.String(),
  documents: Type.Array(DocumentDtoSchema),
  feeYuan: Type.String({ description: 'decimal yuan, two places' }),
  feeNote: Nullable(TextSchema),
  completion: Nullable(TextSchema),
  windowMinutes: Type.Integer({ description: 'expected minutes at the window' }),
  halls: Type.Array(Type.String(), { description: 'ids of the halls that handle the item' }),
  active: Type.Boolean(),
  demo: Type.Boolean(),
});

export const CatalogueSchema = Type.Object({
  demo: Type.Boolean({ description: 'true while the catalogue is the shipped demo data' }),
  categories: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), names: TextSchema, prefix: Type.String() })),
  items: Type.Array(ServiceDtoSchema),
});

export const SlotSchema = Type.Object({ start: Type.String(), end: Type.String(), remaining: Type.Integer() });

export const StatusSchema = Type.Object({
  hallId: Type.String(),
  open: Type.Boolean(),
  queueLength: Type.Integer(),
  windowsOpen: Type.Integer(),
  windowsTotal: Type.Integer(),
  nextBookableSlots: Type.Array(SlotSchema),
  calling: Type.Optional(Type.Object({ number: Type.String(), windowId: Type.String(), windowName: Type.String(), windowNames: TextSchema, calledAt: Type.String() })),
  recentCalls: Type.Array(Type.Object({ number: Type.String(), windowName: Type.String(), windowNames: TextSchema, calledAt: Type.String() })),
  version: Type.Integer(),
  changedAt: Type.String(),
});

export const HallSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  names: TextSchema,
  type: Type.String(),
  typeName: TextSchema,
  districtCode: Type.String(),
  address: Type.String(),
  phone: Type.String(),
  location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
  distanceM: Nullable(Type.Integer()),
  navigationUrl: Type.String({ description: 'one-tap navigation (a standard map link; never fetched by the platform)' }),
  hours: HoursSchema,
  status: StatusSchema,
  demo: Type.Boolean(),
});

export const HallDetailSchema = Type.Object({
  ...HallSummarySchema.properties,
  slotMinutes: Type.Integer(),
  slotCapacity: Type.Integer(),
  windows: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), names: TextSchema, services: Type.Array(Type.String()) })),
  services: Type.Array(Type.String(), { description: 'ids of the items the hall handles' }),
});

export const TicketSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  hallId: Type.String(),
  hallName: Type.String(),
  hallNames: TextSchema,
  serviceId: Type.String(),
  serviceName: Type.String(),
  serviceNames: TextSchema,
  status: Type.String(),
  via: Type.String(),
  priority: Nullable(Type.String()),
  appointmentId: Nullable(Type.String()),
  issuedAt: Type.String(),
  queuedAt: Type.String(),
  position: Nullable(Type.Integer({ description: '1 = next to be called' })),
  estimatedWaitMinutes: Nullable(Type.Integer({ description: 'central estimate (docs/modules/halls.md)' })),
  estimatedWaitRange: Nullable(Type.Object({ low: Type.Integer(), high: Type.Integer() })),
  window: Nullable(Type.Object({ id: Type.String(), name: Type.String(), names: TextSchema })),
  calledAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  rated: Type.Boolean(),
  ratingLevel: Nullable(Type.Integer()),
});

/** What POST /halls/{id}/tickets answers (the ticket page reads the rest with GET /me/tickets/{id}). */
export const NewTicketSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  hallId: Type.String(),
  serviceId: Type.String(),
  status: Type.String(),
  via: Type.String(),
  priority: Nullable(Type.String()),
  appointmentId: Nullable(Type.String()),
  issuedAt: Type.String(),
  queuedAt: Type.String(),
  position: Nullable(Type.Integer({ description: '1 = next to be called' })),
  estimatedWaitMinutes: Nullable(Type.Integer({ description: 'central estimate (docs/modules/halls.md)' })),
  estimatedWaitRange: Nullable(Type.Object({ low: Type.Integer(), high: Type.Integer() })),
});

export const AppointmentSchema = Type.Object({
  id: Type.String(),
  hallId: Type.String(),
  hallName: Type.String(),
  hallNames: TextSchema,
  serviceId: Type.String(),
  serviceName: Type.String(),
  serviceNames: TextSchema,
  slotStart: Type.String(),
  slotEnd: Type.String(),
  status: Type.String(),
  ticketId: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const WindowSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  names: TextSchema,
  open: Type.Boolean(),
  services: Type.Array(Type.String()),
  serving: Nullable(TicketSchema),
});

export const ReviewSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  ticketId: Type.String(),
  ticketNumber: Nullable(Type.String()),
  hallId: Type.String(),
  hallName: Type.String(),
  serviceId: Type.String(),
  serviceName: Type.String(),
  serviceNames: TextSchema,
  windowId: Nullable(Type.String()),
  ratingLevel: Nullable(Type.Integer()),
  detail: Nullable(Type.String()),
  openedAt: Type.String(),
  callbackDueAt: Type.String(),
  rectifyDueAt: Type.String(),
  status: Type.String(),
  callbackOverdue: Type.Boolean(),
  rectifyOverdue: Type.Boolean(),
  callbackNote: Nullable(Type.String()),
  calledBackAt: Nullable(Type.String()),
  rectificationNote: Nullable(Type.String()),
  rectifiedAt: Nullable(Type.String()),
  appealReason: Nullable(Type.String()),
  resolution: Nullable(Type.String()),
  closingNote: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  allowedActions: Type.Array(Type.String()),
});

const Rates = {
  tickets: Type.Integer(),
  done: Type.Integer(),
  notDone: Type.Integer(),
  notDoneRate: Nullable(Type.Number()),
  ratings: Type.Integer(),
  badRatings: Type.Integer(),
  badRatingRate: Nullable(Type.Number()),
};

export const QualityReportSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  hallId: Nullable(Type.String()),
  totals: Type.Object(Rates),
  mostRequested: Type.Array(Type.Object({ serviceId: Type.String(), name: Type.String(), names: TextSchema, tickets: Type.Integer() })),
  mostNotDone: Type.Array(Type.Object({ serviceId: Type.String(), name: Type.String(), names: TextSchema, notDone: Type.Integer(), notDoneRate: Nullable(Type.Number()) })),
  items: Type.Array(Type.Object({
    serviceId: Type.String(),
    name: Type.String(),
    names: TextSchema,
    category: Nullable(Type.String()),
    ...Rates,
    averageRating: Nullable(Type.Number()),
    waitMinutesP50: Nullable(Type.Number()),
    waitMinutesP90: Nullable(Type.Number()),
    serviceMinutesP50: Nullable(Type.Number()),
    serviceMinutesP90: Nullable(Type.Number()),
  })),
  halls: Type.Array(Type.Object({
    hallId: Type.String(),
    name: Type.String(),
    names: TextSchema,
    ...Rates,
    reviews: Type.Object({ open: Type.Integer(), closed: Type.Integer(), callbackOverdue: Type.Integer(), rectifyOverdue: Type.Integer(), badRating: Type.Integer(), notDone: Type.Integer() }),
  })),
  redirects: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  daily: Type.Array(Type.Object({ day: Type.String(), tickets: Type.Integer(), done: Type.Integer(), notDone: Type.Integer() })),
});

export const PolicyDtoSchema = Type.Object({
  version: Type.String(),
  source: Type.String(),
  elderlyAge: Type.Integer(),
  priorityAdvanceMinutes: Type.Integer(),
  appointment: Type.Object({ earlyMinutes: Type.Integer(), lateMinutes: Type.Integer(), bookableDays: Type.Integer(), leadMinutes: Type.Integer() }),
  review: Type.Object({ callbackWorkingDays: Type.Integer(), rectifyWorkingDays: Type.Integer() }),
  estimate: Type.Object({ sampleSize: Type.Integer(), minimumSamples: Type.Integer(), lookbackDays: Type.Integer() }),
});

export const TakeTicketBody = Type.Object(
  {
    serviceId: Type.String({ minLength: 1, maxLength: 64 }),
    via: Type.Union([Type.Literal('nfc'), Type.Literal('qr'), Type.Literal('lobby')]),
    tagToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'nfc, qr: the token of the hall’s entrance tag' })),
    appointmentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    idNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'lobby: the resident’s identity number (never stored in clear, never logged)' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'lobby: the resident’s name, needed on a first visit' })),
    priority: Type.Optional(Type.Union(PRIORITIES.map((priority) => Type.Literal(priority)), { description: 'lobby: a priority the officer saw (elderly is also derived from the identity number)' })),
  },
  { additionalProperties: false },
);
