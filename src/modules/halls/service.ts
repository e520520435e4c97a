import type { Principal, Role } from '../../platform/access.ts';
import { appendAudit, systemActor, type Actor } from '../../platform/audit.ts';
import { batchLineMetrics } from '../../platform/batch-line.ts';
import { addDays, civilDate, formatCivil } from '../../platform/civil-time.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import { randomId } from '../../platform/ids.ts';
import { distanceMetres } from '../../platform/geo.ts';
import type { PlatformContext } from '../../platform/module.ts';
import type { IdentityService, PersonRow } from '../identity/index.ts';
import {
  CATEGORIES,
  HALL_TYPE_NAMES,
  hallProblems,
  hallsFromCsv,
  readDemoHalls,
  readDemoServices,
  readDocumentDictionary,
  readPolicyFile,
  servicesFromCsv,
  windowHandles,
  type CategoryId,
  type Hall,
  type HallInput,
  type HallType,
  type HallWindow,
  type Policy,
  type ServiceItem,
  type ServiceItemInput,
  type Text,
} from './catalogue.ts';
import { civilDays, isOpenForTickets, slotsOn, type DayKinds, type Hours } from './rules/hours.ts';
import {
  appointmentArrival,
  estimateWait,
  fallbackServiceTimes,
  priorityFor,
  queuedAtFor,
  queueKey,
  serviceTimesFrom,
  type Priority,
  type ServiceTimes,
  type WaitEstimate,
} from './rules/queue.ts';
import { allowedReviewActions, isBadRating, resolutionsFor, reviewDeadlines, type Resolution, type ReviewAction, type ReviewStatus } from './rules/reviews.ts';
import { readTag, signTag, tagKey, tagUrl, TAG_KINDS, type TagKind } from './rules/tags.ts';
import { HallStatusHub } from './status-hub.ts';
import { TicketLine, type TicketResult } from './ticket-line.ts';

const CATALOGUE_REFRESH_MS = 10_000;
const POLICY_REFRESH_MS = 5_000;
const HOLIDAYS_REFRESH_MS = 3_600_000;
const SERVICE_TIMES_TTL_MS = 60_000;
const BIRTH_DATES_MAX = 200_000;
/** Ticket lines on PostgreSQL (see the constructor). */
const TICKET_LINES_POSTGRES = 2;
const NEXT_SLOTS_SHOWN = 3;
const OPEN_WINDOWS_TTL_MS = 5_000;
const POLICY_SETTING = 'halls.policy';
const HALL_ADMIN_ROLES: readonly Role[] = ['admin_halls', 'admin_platform'];

export type TicketStatus = 'waiting' | 'called' | 'done' | 'not_done' | 'no_show' | 'cancelled' | 'expired';
export type Via = 'nfc' | 'qr' | 'lobby';

export interface TicketRow {
  id: string;
  hall_id: string;
  service_id: string;
  person_id: string;
  day: string;
  seq: number;
  number: string;
  via: Via;
  appointment_id: string | null;
  priority: Priority | null;
  queued_at: Date;
  queue_key: Date;
  status: TicketStatus;
  target_window_id: string | null;
  window_id: string | null;
  issued_at: Date;
  called_at: Date | null;
  first_called_at: Date | null;
  call_count: number;
  finished_at: Date | null;
  reason: string | null;
  transfers: number;
  issued_by: string;
  finished_by: string | null;
}

interface AppointmentRow {
  id: string;
  hall_id: string;
  service_id: string;
  person_id: string;
  slot_start: Date;
  slot_end: Date;
  status: 'booked' | 'checked_in' | 'cancelled' | 'missed';
  ticket_id: string | null;
  created_at: Date;
  updated_at: Date;
}

interface ReviewRow {
  id: string;
  kind: 'bad_rating' | 'not_done';
  ticket_id: string;
  hall_id: string;
  service_id: string;
  window_id: string | null;
  handled_by: string | null;
  rating_level: number | null;
  detail: string | null;
  opened_at: Date;
  callback_due_at: Date;
  rectify_due_at: Date;
  status: ReviewStatus;
  callback_note: string | null;
  called_back_at: Date | null;
  called_back_by: string | null;
  rectification_note: string | null;
  rectified_at: Date | null;
  appeal_reason: string | null;
  appealed_at: Date | null;
  resolution: Resolution | null;
  closing_note: string | null;
  closed_at: Date | null;
  closed_by: string | null;
  number?: string;
}

/** A hall's live status (api-contract.md): what the map, the list and the hall's screen show. */
export interface HallStatus {
  hallId: string;
  /** Issuing tickets now (opening hours and the official calendar). */
  open: boolean;
  queueLength: number;
  windowsOpen: number;
  windowsTotal: number;
  nextBookableSlots: { start: string; end: string; remaining: number }[];
  calling?: { number: string; windowId: string; windowName: string; windowNames: Text; calledAt: string };
  recentCalls: { number: string; windowName: string; windowNames: Text; calledAt: string }[];
  version: number;
  changedAt: string;
}

export interface TicketDto {
  id: string;
  number: string;
  hallId: string;
  hallName: string;
  hallNames: Text;
  serviceId: string;
  serviceName: string;
  serviceNames: Text;
  status: TicketStatus;
  via: Via;
  priority: Priority | null;
  appointmentId: string | null;
  issuedAt: string;
  queuedAt: string;
  position: number | null;
  estimatedWaitMinutes: number | null;
  estimatedWaitRange: { low: number; high: number } | null;
  window: { id: string; name: string; names: Text } | null;
  calledAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  rated: boolean;
  ratingLevel: number | null;
}

function newId(prefix: string): string {
  return randomId(prefix, 12);
}

function actorOf(principal: Principal): Actor {
  return { subject: principal.subject, role: principal.roles[0] };
}

function isHallAdmin(principal: Principal): boolean {
  return principal.roles.some((role) => HALL_ADMIN_ROLES.includes(role));
}

/**
 * Service halls (systems.md S1: POL-01, POL-02, POL-13–POL-23): the catalogue and pre-visit
 * guidance, halls and windows, appointments, tickets in one fair queue per hall (NFC tag, QR
 * poster, lobby officer), the window console, live status, ratings and the quality review.
 */
export class HallsService {
  /** The ticket lines; each hall's tickets go through one of them (#lineFor). */
  readonly lines: TicketLine[];
  #lineOfHall = new Map<string, number>();
  #lineOfHallFor: Map<string, Hall> | undefined;
  readonly hub: HallStatusHub;
  readonly #tagKey: Buffer;
  #items = new Map<string, ServiceItem>();
  #halls = new Map<string, Hall>();
  #catalogueReadAt = 0;
  #catalogueRefresh: Promise<void> | undefined;
  #policy: Policy;
  #policyReadAt = 0;
  #holidays = new Set<string>();
  #holidaysReadAt = 0;
  readonly #birthDates = new Map<string, string | null>();
  readonly #birthDatesPending = new Map<string, Promise<string | undefined>>();
  readonly #serviceTimes = new Map<string, { at: number; times: ServiceTimes | undefined }>();
  /** Open window ids per hall (this process's changes at once, others' within OPEN_WINDOWS_TTL_MS). */
  readonly #openWindows = new Map<string, { at: number; ids: Set<string> }>();
  readonly #tagCache = new Map<string, { hallId: string; kind: TagKind; generation: number } | null>();
  #competingCache = new Map<string, string | null>();
  #openCache = new Map<string, boolean>();
  readonly ticketsCounter;
  /** Counter children per outcome, looked up once (a labelled inc() builds its key every time). */
  readonly #ticketsBy = new Map<string, { inc(): void }>();
  /** Today's civil date, computed once per minute of the clock (days change on a minute boundary). */
  #todayMinute = Number.NaN;
  #today = '';

  constructor(
    private readonly context: PlatformContext,
    private readonly identity: IdentityService,
  ) {
    this.#tagKey = tagKey(context.keys.hmacKey);
    this.#policy = readPolicyFile();
    const onPglite = context.database.kind === 'pglite';
    // On PostgreSQL the halls are dealt out among two lines (#lineFor), one batch in flight each: the
    // batches of the two lines lock different halls, so they run at once and wait for each other only
    // at the audit head (a single line with two batches in flight ran them one after the other, the
    // second waiting for the first's hall locks). The embedded database has one connection: one line,
    // two batches in flight, so its thread starts the next batch as soon as one commits instead of
    // waiting for the HTTP thread to answer and gather (docs/adr/0008-embedded-database-thread.md).
    const lines = onPglite ? 1 : TICKET_LINES_POSTGRES;
    const observer = batchLineMetrics(context.metrics, 'haihe_halls_ticket_batch', 'Tickets');
    this.lines = Array.from({ length: lines }, (_, index) =>
      new TicketLine(context.database, context.clock, context.logger.child({ component: 'hall-ticket-line', line: index }), {
        batchSizeMax: 256,
        batchesInFlightMax: onPglite ? 2 : 1,
        queueLengthMax: Math.ceil(50_000 / lines),
      }, observer),
    );
    this.hub = new HallStatusHub(
      context.database,
      (hallId) => this.#computeStatus(hallId),
      () => context.clock.now().getTime(),
      context.logger.child({ component: 'hall-status' }),
      {
        coalesceMs: context.config.hallStatus.coalesceMs,
        pollMs: context.config.hallStatus.pollMs,
        heartbeatMs: 20_000,
        bufferedBytesMax: 64 * 1024,
      },
    );
    for (const line of this.lines) {
      line.onBatch((requests, results) => {
        const at = this.context.clock.now().getTime();
        const halls = new Set<string>();
        results.forEach((result, index) => {
          if (result.outcome === 'issued') halls.add(requests[index]!.hallId);
        });
        for (const hallId of halls) this.hub.changed(hallId, at);
      });
    }
    this.ticketsCounter = context.metrics.counter('haihe_halls_tickets_total', 'Tickets asked for, by outcome', ['outcome']);
  }

  async start(): Promise<void> {
    await this.#refreshCatalogue(true);
    await this.#refreshPolicy(true);
    await this.#refreshHolidays(true);
    this.hub.start();
  }

  close(): void {
    this.hub.close();
  }

  // ---- reference data -----------------------------------------------------------------------

  async #refreshCatalogue(force = false): Promise<void> {
    if (!force && Date.now() - this.#catalogueReadAt < CATALOGUE_REFRESH_MS) return;
    this.#catalogueRefresh ??= (async () => {
      try {
        const database = this.context.database;
        const items = await database.query<{
          id: string; category: CategoryId; name_zh: string; name_en: string; documents: ServiceItem['documents']; fee_yuan: string;
          fee_note: Text | null; completion: Text | null; window_minutes: number; active: boolean; demo: boolean;
        }>('SELECT * FROM hall_services ORDER BY sort, id');
        const halls = await database.query<{
          id: string; type: HallType; name_zh: string; name_en: string; district_code: string; address: string; phone: string; lat: number; lng: number;
          hours: Hours; slot_minutes: number; slot_capacity: number; active: boolean; demo: boolean; tag_generation: number;
        }>('SELECT id, type, name_zh, name_en, district_code, address, phone, lat, lng, hours, slot_minutes, slot_capacity, active, demo, tag_generation FROM halls ORDER BY id');
        const windows = await database.query<{ id: string; hall_id: string; name_zh: string; name_en: string; services: string[]; sort: number; active: boolean }>(
          'SELECT id, hall_id, name_zh, name_en, services, sort, active FROM hall_windows ORDER BY hall_id, sort, id',
        );
        const nextItems = new Map<string, ServiceItem>();
        for (const row of items) {
          nextItems.set(row.id, {
            id: row.id, category: row.category, name: { 'zh-CN': row.name_zh, en: row.name_en }, documents: row.documents, feeYuan: row.fee_yuan,
            feeNote: row.fee_note, completion: row.completion, windowMinutes: row.window_minutes, active: row.active, demo: row.demo,
          });
        }
        const nextHalls = new Map<string, Hall>();
        for (const row of halls) {
          nextHalls.set(row.id, {
            id: row.id, type: row.type, name: { 'zh-CN': row.name_zh, en: row.name_en }, districtCode: row.district_code, address: row.address,
            phone: row.phone, location: { lat: row.lat, lng: row.lng }, hours: row.hours, slotMinutes: row.slot_minutes, slotCapacity: row.slot_capacity,
            active: row.active, demo: row.demo, tagGeneration: row.tag_generation, windows: [],
          });
        }
        for (const row of windows) {
          nextHalls.get(row.hall_id)?.windows.push({
            id: row.id, hallId: row.hall_id, name: { 'zh-CN': row.name_zh, en: row.name_en }, services: row.services, sort: row.sort, active: row.active,
          });
        }
        this.#items = nextItems;
        this.#halls = nextHalls;
        this.#catalogueReadAt = Date.now();
        this.#tagCache.clear();
        this.#competingCache = new Map();
        this.#openCache = new Map();
      } finally {
        this.#catalogueRefresh = undefined;
      }
    })();
    await this.#catalogueRefresh;
  }

  async #refreshPolicy(force = false): Promise<void> {
    if (!force && Date.now() - this.#policyReadAt < POLICY_REFRESH_MS) return;
    const [row] = await this.context.database.query<{ value: Policy }>('SELECT value FROM platform_settings WHERE key = $1', [POLICY_SETTING]);
    this.#policy = row ? { ...readPolicyFile(), ...row.value } : readPolicyFile();
    this.#policyReadAt = Date.now();
  }

  async #refreshHolidays(force = false): Promise<void> {
    if (!force && Date.now() - this.#holidaysReadAt < HOLIDAYS_REFRESH_MS) return;
    const rows = await this.context.database.query<{ day: string }>(`SELECT day FROM calendar_days WHERE kind = 'holiday'`);
    this.#holidays = new Set(rows.map((row) => row.day));
    this.#holidaysReadAt = Date.now();
    this.#openCache = new Map();
  }

  /** What the opening rules need from the official calendar (working days, holidays). */
  dayKinds(): DayKinds {
    return { isWorkingDay: (date) => this.context.calendar.isWorkingDay(date), isHoliday: (date) => this.#holidays.has(date) };
  }

  async policy(): Promise<Policy> {
    await this.#refreshPolicy();
    return this.#policy;
  }

  async setPolicy(policy: Policy, actor: Actor): Promise<Policy> {
    await this.context.database.transaction(async (tx) => {
      const before = await this.policy();
      await tx.execute(
        `INSERT INTO platform_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [POLICY_SETTING, JSON.stringify(policy)],
      );
      await appendAudit(tx, [{ actor, action: 'halls.policy.set', entityType: 'halls_policy', entityId: POLICY_SETTING, summary: { before, after: policy }, occurredAt: this.context.clock.now() }]);
    });
    await this.#refreshPolicy(true);
    return this.#policy;
  }

  async items(): Promise<ServiceItem[]> {
    await this.#refreshCatalogue();
    return [...this.#items.values()];
  }

  async halls(): Promise<Hall[]> {
    await this.#refreshCatalogue();
    return [...this.#halls.values()];
  }

  async hall(id: string): Promise<Hall> {
    await this.#refreshCatalogue();
    const hall = this.#halls.get(id);
    if (!hall) throw new AppError('HALL_NOT_FOUND', `No hall ${id}`);
    return hall;
  }

  async item(id: string): Promise<ServiceItem> {
    await this.#refreshCatalogue();
    const item = this.#items.get(id);
    if (!item || !item.active) throw new AppError('SERVICE_NOT_FOUND', `No business item ${id}`, { errors: [{ field: 'serviceId', message: 'is not an item of the catalogue' }] });
    return item;
  }

  /** Items a hall handles: those some active window handles (POL-13: 一窗通办 windows handle all). */
  offeredItems(hall: Hall): ServiceItem[] {
    return [...this.#items.values()].filter((item) => item.active && hall.windows.some((window) => window.active && windowHandles(window, item)));
  }

  #offers(hall: Hall, item: ServiceItem): boolean {
    return item.active && hall.windows.some((window) => window.active && windowHandles(window, item));
  }

  /** Item ids a window handles; null when it handles every item. */
  #windowItems(window: HallWindow): string[] | null {
    if (window.services.includes('*')) return null;
    return [...this.#items.values()].filter((item) => windowHandles(window, item)).map((item) => item.id);
  }

  /** Items that compete with `item` for the same windows of the hall ('|'-joined), null when all do (cached per catalogue read). */
  #competing(hall: Hall, item: ServiceItem): string | null {
    const key = `${hall.id}|${item.id}`;
    const cached = this.#competingCache.get(key);
    if (cached !== undefined) return cached;
    const value = this.#competingUncached(hall, item);
    this.#competingCache.set(key, value);
    return value;
  }

  #competingUncached(hall: Hall, item: ServiceItem): string | null {
    const windows = hall.windows.filter((window) => window.active && windowHandles(window, item));
    if (windows.some((window) => window.services.includes('*'))) return null;
    const ids = new Set<string>();
    for (const window of windows) for (const id of this.#windowItems(window) ?? []) ids.add(id);
    // When those windows handle everything the hall offers, every ticket competes: say "all".
    if (this.offeredItems(hall).every((offered) => ids.has(offered.id))) return null;
    return [...ids].sort().join('|');
  }

  /** Which halls offer each item (for the catalogue's "which halls offer it"). */
  async hallsByItem(): Promise<Map<string, string[]>> {
    await this.#refreshCatalogue();
    const result = new Map<string, string[]>();
    for (const hall of this.#halls.values()) {
      if (!hall.active) continue;
      for (const item of this.offeredItems(hall)) {
        const list = result.get(item.id) ?? [];
        list.push(hall.id);
        result.set(item.id, list);
      }
    }
    return result;
  }

  // ---- status -------------------------------------------------------------------------------

  /** The candidate slots of the next bookable days, computed from the hall's hours. */
  async #candidateSlots(hall: Hall, from: Date, days: number) {
    await this.#refreshHolidays();
    const kinds = this.dayKinds();
    return civilDays(civilDate(from), days).flatMap((date) => slotsOn(hall.hours, date, kinds, hall.slotMinutes)).filter((slot) => slot.start.getTime() >= from.getTime());
  }

  async #computeStatus(hallId: string): Promise<{ json: (changedAtMs: number | undefined) => string; version: number } | undefined> {
    const hall = this.#halls.get(hallId) ?? (await this.hall(hallId).catch(() => undefined));
    if (!hall) return undefined;
    const now = this.context.clock.now();
    const policy = this.#policy;
    const candidates = (await this.#candidateSlots(hall, new Date(now.getTime() + policy.appointment.leadMinutes * 60_000), policy.appointment.bookableDays)).slice(0, 200);
    const [row] = await this.context.database.query<{
      status_version: number; status_changed_at: Date; queue_length: number; open_windows: string[] | null;
      recent: { number: string; window_id: string; called_at: string; status: string }[] | null;
      calling: { number: string; window_id: string; called_at: string } | null;
      slots: { starts_at: string; capacity: number; booked: number }[] | null;
    }>(
      `SELECT c.status_version, c.status_changed_at,
              (SELECT coalesce(sum(q.waiting), 0)::int FROM hall_queue_counts q WHERE q.hall_id = h.id AND q.day = $4) AS queue_length,
              (SELECT array_agg(w.id) FROM hall_windows w WHERE w.hall_id = h.id AND w.active AND w.open) AS open_windows,
              (SELECT json_agg(x) FROM (SELECT t.number, t.window_id, t.called_at, t.status FROM hall_tickets t
                 WHERE t.hall_id = h.id AND t.called_at IS NOT NULL AND t.called_at >= $2 ORDER BY t.called_at DESC LIMIT 6) x) AS recent,
              (SELECT row_to_json(z) FROM (SELECT t.number, t.window_id, t.called_at FROM hall_tickets t
                 WHERE t.hall_id = h.id AND t.status = 'called' ORDER BY t.called_at DESC, t.call_count DESC, t.id LIMIT 1) z) AS calling,
              (SELECT json_agg(y) FROM (SELECT s.starts_at, s.capacity, s.booked FROM hall_slots s
                 WHERE s.hall_id = h.id AND s.starts_at = ANY ($3::timestamptz[])) y) AS slots
         FROM halls h JOIN hall_counters c ON c.hall_id = h.id WHERE h.id = $1`,
      [hallId, new Date(now.getTime() - 12 * 3600_000), candidates.map((slot) => slot.start.toISOString()), civilDate(now)],
    );
    if (!row) return undefined;
    const openWindows = new Set(row.open_windows ?? []);
    this.#openWindows.set(hallId, { at: Date.now(), ids: openWindows });
    const booked = new Map((row.slots ?? []).map((slot) => [new Date(slot.starts_at).getTime(), slot]));
    const nextBookableSlots: HallStatus['nextBookableSlots'] = [];
    for (const slot of candidates) {
      const stored = booked.get(slot.start.getTime());
      const remaining = (stored?.capacity ?? hall.slotCapacity) - (stored?.booked ?? 0);
      if (remaining > 0) nextBookableSlots.push({ start: formatCivil(slot.start), end: formatCivil(slot.end), remaining });
      if (nextBookableSlots.length >= NEXT_SLOTS_SHOWN) break;
    }
    const windowName = (id: string) => hall.windows.find((window) => window.id === id)?.name ?? { 'zh-CN': id, en: id };
    const recent = (row.recent ?? []).map((call) => ({ number: call.number, windowId: call.window_id, calledAt: formatCivil(new Date(call.called_at)), status: call.status }));
    const current = row.calling ? { number: row.calling.number, windowId: row.calling.window_id, calledAt: formatCivil(new Date(row.calling.called_at)) } : undefined;
    const status: HallStatus = {
      hallId,
      open: hall.active && isOpenForTickets(hall.hours, now, this.dayKinds()),
      queueLength: row.queue_length,
      windowsOpen: openWindows.size,
      windowsTotal: hall.windows.filter((window) => window.active).length,
      nextBookableSlots,
      ...(current ? { calling: { number: current.number, windowId: current.windowId, windowName: windowName(current.windowId)['zh-CN'], windowNames: windowName(current.windowId), calledAt: current.calledAt } } : {}),
      recentCalls: recent.slice(0, 5).map((call) => ({ number: call.number, windowName: windowName(call.windowId)['zh-CN'], windowNames: windowName(call.windowId), calledAt: call.calledAt })),
      version: row.status_version,
      changedAt: formatCivil(row.status_changed_at),
    };
    return {
      version: row.status_version,
      json: (changedAtMs) => JSON.stringify(changedAtMs === undefined ? status : { ...status, changedAt: formatCivil(new Date(changedAtMs)) }),
    };
  }

  /** The live status of a hall (api-contract.md). */
  async status(hallId: string): Promise<HallStatus> {
    await this.hall(hallId);
    const json = await this.hub.current(hallId);
    if (!json) throw new AppError('HALL_NOT_FOUND', `No hall ${hallId}`);
    return JSON.parse(json) as HallStatus;
  }

  /** Halls sorted by distance from a point (POL-20–POL-22), with their status; filtered by type. */
  async nearby(input: { lat?: number | undefined; lng?: number | undefined; type?: HallType | undefined }) {
    const halls = (await this.halls()).filter((hall) => hall.active && (!input.type || hall.type === input.type));
    const origin = input.lat !== undefined && input.lng !== undefined ? { lat: input.lat, lng: input.lng } : undefined;
    const withDistance = halls.map((hall) => ({ hall, distanceM: origin ? distanceMetres(origin, hall.location) : null }));
    withDistance.sort((a, b) => (a.distanceM ?? 0) - (b.distanceM ?? 0) || a.hall.id.localeCompare(b.hall.id));
    return Promise.all(withDistance.map(async ({ hall, distanceM }) => ({ hall, distanceM, status: await this.status(hall.id) })));
  }

  // ---- appointments ---------------------------------------------------------------------------

  /** Bookable slots of a hall on a civil date, with what remains of each. */
  async slots(hallId: string, date: string) {
    const hall = await this.hall(hallId);
    const policy = await this.policy();
    await this.#refreshHolidays();
    const now = this.context.clock.now();
    const earliest = now.getTime() + policy.appointment.leadMinutes * 60_000;
    const latest = new Date(`${addDays(civilDate(now), policy.appointment.bookableDays)}T00:00:00+08:00`).getTime();
    const slots = slotsOn(hall.hours, date, this.dayKinds(), hall.slotMinutes);
    const rows = await this.context.database.query<{ starts_at: Date; capacity: number; booked: number }>(
      'SELECT starts_at, capacity, booked FROM hall_slots WHERE hall_id = $1 AND starts_at = ANY ($2::timestamptz[])',
      [hallId, slots.map((slot) => slot.start.toISOString())],
    );
    const stored = new Map(rows.map((row) => [row.starts_at.getTime(), row]));
    return slots.map((slot) => {
      const row = stored.get(slot.start.getTime());
      const capacity = row?.capacity ?? hall.slotCapacity;
      const remaining = capacity - (row?.booked ?? 0);
      const bookable = hall.active && slot.start.getTime() >= earliest && slot.start.getTime() < latest && capacity > 0;
      return { start: formatCivil(slot.start), end: formatCivil(slot.end), capacity, remaining, bookable };
    });
  }

  /** Checks a slot start against the hall's hours, the booking window and the capacity. */
  async #bookableSlot(hall: Hall, slotStart: Date): Promise<{ start: Date; end: Date }> {
    const policy = await this.policy();
    await this.#refreshHolidays();
    const now = this.context.clock.now();
    const date = civilDate(slotStart);
    const slot = slotsOn(hall.hours, date, this.dayKinds(), hall.slotMinutes).find((candidate) => candidate.start.getTime() === slotStart.getTime());
    if (!slot || !hall.active || hall.slotCapacity <= 0) {
      throw new AppError('SLOT_NOT_BOOKABLE', 'The hall has no bookable slot starting at that time', { errors: [{ field: 'slotStart', message: 'is not a slot of the hall' }] });
    }
    if (slot.start.getTime() < now.getTime() + policy.appointment.leadMinutes * 60_000) {
      throw new AppError('SLOT_NOT_BOOKABLE', `Slots can be booked until ${policy.appointment.leadMinutes} minutes before they start`);
    }
    if (date >= addDays(civilDate(now), policy.appointment.bookableDays)) {
      throw new AppError('SLOT_NOT_BOOKABLE', `Slots can be booked up to ${policy.appointment.bookableDays} days ahead`);
    }
    return slot;
  }

  /** Locks the hall's counters row (the queue's mutex) and bumps its status version; first statement of every hall change. */
  async #lockHall(tx: Queryable, hallId: string): Promise<void> {
    const changed = await tx.execute('UPDATE hall_counters SET status_version = status_version + 1, status_changed_at = $2 WHERE hall_id = $1', [hallId, this.context.clock.now()]);
    if (changed !== 1) throw new AppError('HALL_NOT_FOUND', `No hall ${hallId}`);
  }

  /** Takes one place in a slot: a guarded atomic UPDATE, so bookings never exceed capacity. */
  async #takeSlot(tx: Queryable, hall: Hall, slot: { start: Date; end: Date }): Promise<number> {
    await tx.execute(
      'INSERT INTO hall_slots (hall_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [hall.id, slot.start, slot.end, hall.slotCapacity],
    );
    const [row] = await tx.query<{ remaining: number }>(
      'UPDATE hall_slots SET booked = booked + 1 WHERE hall_id = $1 AND starts_at = $2 AND booked < capacity RETURNING capacity - booked AS remaining',
      [hall.id, slot.start],
    );
    if (!row) throw new AppError('SLOT_FULL', 'This time slot is fully booked; please choose another');
    return row.remaining;
  }

  /** POL-23 (哪个时段可预约): books a slot for an item; one active appointment per person and item. */
  async book(personId: string, hallId: string, serviceId: string, slotStart: Date, requestId?: string) {
    const hall = await this.hall(hallId);
    const item = await this.item(serviceId);
    if (!this.#offers(hall, item)) throw new AppError('SERVICE_NOT_OFFERED', `${hall.name['zh-CN']} does not handle ${item.name['zh-CN']}`);
    const slot = await this.#bookableSlot(hall, slotStart);
    const now = this.context.clock.now();
    const row = await this.context.database.transaction(async (tx) => {
      await this.#lockHall(tx, hall.id);
      const remaining = await this.#takeSlot(tx, hall, slot);
      const [inserted] = await tx.query<AppointmentRow>(
        `INSERT INTO hall_appointments (id, hall_id, service_id, person_id, slot_start, slot_end, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $7)
         ON CONFLICT (person_id, service_id) WHERE status = 'booked' DO NOTHING RETURNING *`,
        [newId('ap'), hall.id, item.id, personId, slot.start, slot.end, now],
      );
      if (!inserted) throw new AppError('APPOINTMENT_LIMIT_REACHED', 'You already have an active appointment for this item; cancel or reschedule it first');
      await appendAudit(tx, [{
        actor: { subject: personId, role: 'citizen' }, action: 'halls.appointment.book', entityType: 'hall_appointment', entityId: inserted.id,
        summary: { hallId: hall.id, serviceId: item.id, slotStart: slot.start.toISOString(), remaining }, requestId, occurredAt: now,
      }]);
      return inserted;
    });
    this.hub.changed(hall.id);
    return this.appointmentDto(row);
  }

  async #ownAppointment(tx: Queryable, personId: string, id: string): Promise<AppointmentRow> {
    const [row] = await tx.query<AppointmentRow>('SELECT * FROM hall_appointments WHERE id = $1', [id]);
    if (!row) throw new AppError('APPOINTMENT_NOT_FOUND', `No appointment ${id}`);
    if (row.person_id !== personId) throw new AppError('FORBIDDEN', 'This appointment is someone else’s');
    return row;
  }

  async cancelAppointment(personId: string, id: string, requestId?: string) {
    const [peek] = await this.context.database.query<AppointmentRow>('SELECT * FROM hall_appointments WHERE id = $1', [id]);
    if (!peek) throw new AppError('APPOINTMENT_NOT_FOUND', `No appointment ${id}`);
    const row = await this.context.database.transaction(async (tx) => {
      await this.#lockHall(tx, peek.hall_id);
      const before = await this.#ownAppointment(tx, personId, id);
      if (before.status !== 'booked') throw new AppError('APPOINTMENT_NOT_ACTIVE', 'The appointment is not booked any more');
      const [after] = await tx.query<AppointmentRow>(`UPDATE hall_appointments SET status = 'cancelled', updated_at = $2 WHERE id = $1 RETURNING *`, [id, this.context.clock.now()]);
      await tx.execute('UPDATE hall_slots SET booked = booked - 1 WHERE hall_id = $1 AND starts_at = $2', [before.hall_id, before.slot_start]);
      await appendAudit(tx, [{
        actor: { subject: personId, role: 'citizen' }, action: 'halls.appointment.cancel', entityType: 'hall_appointment', entityId: id,
        summary: { before: { status: 'booked' }, after: { status: 'cancelled' }, slotStart: before.slot_start.toISOString() }, requestId, occurredAt: this.context.clock.now(),
      }]);
      return after!;
    });
    this.hub.changed(row.hall_id);
    return this.appointmentDto(row);
  }

  /** Moves an appointment to another slot of the same hall in one transaction (the old place is freed only if the new one is taken). */
  async reschedule(personId: string, id: string, slotStart: Date, requestId?: string) {
    const [peek] = await this.context.database.query<AppointmentRow>('SELECT * FROM hall_appointments WHERE id = $1', [id]);
    if (!peek) throw new AppError('APPOINTMENT_NOT_FOUND', `No appointment ${id}`);
    const hall = await this.hall(peek.hall_id);
    const slot = await this.#bookableSlot(hall, slotStart);
    const row = await this.context.database.transaction(async (tx) => {
      await this.#lockHall(tx, hall.id);
      const before = await this.#ownAppointment(tx, personId, id);
      if (before.status !== 'booked') throw new AppError('APPOINTMENT_NOT_ACTIVE', 'The appointment is not booked any more');
      if (before.slot_start.getTime() === slot.start.getTime()) return before;
      await this.#takeSlot(tx, hall, slot);
      await tx.execute('UPDATE hall_slots SET booked = booked - 1 WHERE hall_id = $1 AND starts_at = $2', [hall.id, before.slot_start]);
      const [after] = await tx.query<AppointmentRow>(
        'UPDATE hall_appointments SET slot_start = $2, slot_end = $3, updated_at = $4 WHERE id = $1 RETURNING *',
        [id, slot.start, slot.end, this.context.clock.now()],
      );
      await appendAudit(tx, [{
        actor: { subject: personId, role: 'citizen' }, action: 'halls.appointment.reschedule', entityType: 'hall_appointment', entityId: id,
        summary: { before: { slotStart: before.slot_start.toISOString() }, after: { slotStart: slot.start.toISOString() } }, requestId, occurredAt: this.context.clock.now(),
      }]);
      return after!;
    });
    this.hub.changed(hall.id);
    return this.appointmentDto(row);
  }

  async myAppointments(personId: string) {
    const rows = await this.context.database.query<AppointmentRow>(
      'SELECT * FROM hall_appointments WHERE person_id = $1 ORDER BY slot_start DESC LIMIT 50',
      [personId],
    );
    await this.#refreshCatalogue();
    return rows.map((row) => this.appointmentDto(row));
  }

  appointmentDto(row: AppointmentRow) {
    const hall = this.#halls.get(row.hall_id);
    const item = this.#items.get(row.service_id);
    return {
      id: row.id,
      hallId: row.hall_id,
      hallName: hall?.name['zh-CN'] ?? row.hall_id,
      hallNames: hall?.name ?? { 'zh-CN': row.hall_id, en: row.hall_id },
      serviceId: row.service_id,
      serviceName: item?.name['zh-CN'] ?? row.service_id,
      serviceNames: item?.name ?? { 'zh-CN': row.service_id, en: row.service_id },
      slotStart: formatCivil(row.slot_start),
      slotEnd: formatCivil(row.slot_end),
      status: row.status,
      ticketId: row.ticket_id,
      createdAt: formatCivil(row.created_at),
    };
  }

  // ---- tickets --------------------------------------------------------------------------------

  #countTicket(outcome: string): void {
    let child = this.#ticketsBy.get(outcome);
    if (!child) {
      child = this.ticketsCounter.labels({ outcome });
      this.#ticketsBy.set(outcome, child);
    }
    child.inc();
  }

  #civilToday(now: Date): string {
    const minute = Math.floor(now.getTime() / 60_000);
    if (minute !== this.#todayMinute) {
      this.#today = civilDate(now);
      this.#todayMinute = minute;
    }
    return this.#today;
  }

  /** Whether the catalogue, policy and holidays in memory are fresh (no read is due). */
  #referenceFresh(): boolean {
    const now = Date.now();
    return now - this.#catalogueReadAt < CATALOGUE_REFRESH_MS && now - this.#policyReadAt < POLICY_REFRESH_MS && now - this.#holidaysReadAt < HOLIDAYS_REFRESH_MS;
  }

  /** Whether the hall issues tickets at the instant (cached per hall and minute: the hours change rarely). */
  #openForTickets(hall: Hall, now: Date): boolean {
    const key = `${hall.id}|${Math.floor(now.getTime() / 60_000)}`;
    let open = this.#openCache.get(key);
    if (open === undefined) {
      if (this.#openCache.size > 10_000) this.#openCache.clear();
      open = isOpenForTickets(hall.hours, now, this.dayKinds());
      this.#openCache.set(key, open);
    }
    return open;
  }

  /** The verified claims of a tag token (cached: the same sticker is tapped all day). */
  #tag(token: string) {
    let claims = this.#tagCache.get(token);
    if (claims === undefined) {
      claims = readTag(this.#tagKey, token) ?? null;
      if (this.#tagCache.size > 10_000) this.#tagCache.clear();
      this.#tagCache.set(token, claims);
    }
    return claims;
  }

  /**
   * The line a hall's tickets go through: the halls in id order, dealt out in turn (so the lines
   * carry about as many halls each). A hall added later may move to another line after the next
   * catalogue read; batches of two lines at one hall then wait for each other at its row lock.
   */
  #lineFor(hallId: string): TicketLine {
    if (this.lines.length === 1) return this.lines[0]!;
    if (this.#lineOfHallFor !== this.#halls) {
      this.#lineOfHall = new Map([...this.#halls.keys()].sort().map((id, index) => [id, index % this.lines.length]));
      this.#lineOfHallFor = this.#halls;
    }
    return this.lines[this.#lineOfHall.get(hallId) ?? 0]!;
  }

  /** Birth date of a resident from their identity number (read through the identity module, never stored). */
  async #birthDate(personId: string, person?: PersonRow): Promise<string | undefined> {
    const cached = this.#birthDates.get(personId);
    if (cached !== undefined) return cached ?? undefined;
    if (person) return this.#readBirthDate(personId, person);
    // Requests of one resident that arrive together share one read and one decryption.
    let pending = this.#birthDatesPending.get(personId);
    if (!pending) {
      pending = this.#readBirthDate(personId).finally(() => this.#birthDatesPending.delete(personId));
      this.#birthDatesPending.set(personId, pending);
    }
    return pending;
  }

  async #readBirthDate(personId: string, person?: PersonRow): Promise<string | undefined> {
    const row = person ?? (await this.identity.findPersonBatched(personId));
    const birthDate = (row ? this.identity.birthDateOf(row) : undefined) ?? null;
    if (this.#birthDates.size >= BIRTH_DATES_MAX) this.#birthDates.clear();
    this.#birthDates.set(personId, birthDate);
    return birthDate ?? undefined;
  }

  /**
   * Takes a ticket (POL-19 NFC sticker or QR poster; POL-15 lobby officer). The resident's own
   * phone is signed in, so a tag ticket is theirs; the lobby officer issues by identity number.
   */
  async takeTicket(input: {
    principal: Principal;
    hallId: string;
    serviceId: string;
    via: Via;
    tagToken?: string | undefined;
    appointmentId?: string | undefined;
    idNumber?: string | undefined;
    name?: string | undefined;
    priority?: Priority | undefined;
    requestId: string;
  }): Promise<{ ticket: TicketDto; appointmentApplied: boolean }> {
    const { principal } = input;
    // The reference data is in memory and fresh nearly always: no await on the ticket path then.
    if (!this.#referenceFresh()) {
      await this.#refreshCatalogue();
      await this.#refreshHolidays();
      await this.#refreshPolicy();
    }
    const hall = this.#halls.get(input.hallId);
    if (!hall) throw new AppError('HALL_NOT_FOUND', `No hall ${input.hallId}`);
    const lobby = input.via === 'lobby';
    if (lobby) {
      if (!principal.roles.some((role) => role === 'lobby_officer' || role === 'hall_manager')) {
        throw new AppError('FORBIDDEN', 'Only the hall’s lobby officer issues tickets by identity number');
      }
      if (principal.hallId !== hall.id) throw new AppError('FORBIDDEN', 'You work in another hall');
      if (!input.idNumber) throw new AppError('INVALID_REQUEST', 'idNumber is required with via lobby', { errors: [{ field: 'idNumber', message: 'is required' }] });
    } else {
      if (!principal.roles.includes('citizen')) throw new AppError('FORBIDDEN', 'Tickets by NFC or QR tag are for residents signed in on their phone');
      if (!input.tagToken) throw new AppError('TAG_INVALID', 'Tap the hall’s NFC sticker or scan its QR poster', { errors: [{ field: 'tagToken', message: 'is required' }] });
      const claims = this.#tag(input.tagToken);
      if (!claims || claims.hallId !== hall.id || claims.kind !== input.via || claims.generation !== hall.tagGeneration) {
        this.#countTicket('tag_invalid');
        throw new AppError('TAG_INVALID', 'This tag does not belong to this hall or has been replaced');
      }
    }
    const item = this.#items.get(input.serviceId);
    if (!item || !item.active) throw new AppError('SERVICE_NOT_FOUND', `No business item ${input.serviceId}`, { errors: [{ field: 'serviceId', message: 'is not an item of the catalogue' }] });
    if (!this.#offers(hall, item)) throw new AppError('SERVICE_NOT_OFFERED', `${hall.name['zh-CN']} does not handle ${item.name['zh-CN']}`);
    const now = this.context.clock.now();
    if (!hall.active || !this.#openForTickets(hall, now)) {
      this.#countTicket('closed');
      throw new AppError('HALL_CLOSED', `${hall.name['zh-CN']} is not issuing tickets now`, { hours: hall.hours });
    }
    const policy = this.#policy;

    let personId: string;
    let birthDate: string | undefined;
    if (lobby) {
      const found = await this.identity.findByIdNumber(input.idNumber!);
      let person = found;
      if (!person) {
        if (!input.name) throw new AppError('NAME_REQUIRED', 'This resident has not used the platform before: enter their name as on the identity card', { errors: [{ field: 'name', message: 'is required for a first visit' }] });
        person = await this.context.database.transaction((tx) => this.identity.createResident(tx, { name: input.name!, idNumber: input.idNumber! }, actorOf(principal)));
      }
      personId = person.id;
      birthDate = await this.#birthDate(person.id, person);
    } else {
      personId = principal.subject;
      // The signed token carries the birth date (IdentityService.claimsForPerson); a token without
      // one (no valid number on file) reads it once through the identity module.
      birthDate = principal.birthDate;
      if (birthDate === undefined) {
        const known = this.#birthDates.get(personId);
        birthDate = known === undefined ? await this.#birthDate(personId) : (known ?? undefined);
      }
    }

    let appointment: { id: string; slotStart: Date; arrival: ReturnType<typeof appointmentArrival> } | undefined;
    if (input.appointmentId) {
      const [row] = await this.context.database.query<AppointmentRow>('SELECT * FROM hall_appointments WHERE id = $1', [input.appointmentId]);
      if (!row || row.person_id !== personId || row.hall_id !== hall.id || row.service_id !== item.id || row.status !== 'booked') {
        throw new AppError('APPOINTMENT_NOT_FOUND', 'No booked appointment of yours for this item at this hall', { errors: [{ field: 'appointmentId', message: 'is not your booked appointment here' }] });
      }
      appointment = { id: row.id, slotStart: row.slot_start, arrival: appointmentArrival(row.slot_start, now, policy.appointment.earlyMinutes, policy.appointment.lateMinutes) };
    }
    const applied = appointment?.arrival === 'in_window';
    const priority = priorityFor({ birthDate, today: this.#civilToday(now), elderlyAge: policy.elderlyAge, declared: lobby ? input.priority : undefined });
    const queuedAt = queuedAtFor(now, appointment);
    const competing = this.#competing(hall, item);
    const line = this.#lineFor(hall.id);
    if (line.full) throw new AppError('UNAVAILABLE', 'Too many tickets are being issued right now; please try again in a moment');
    const { result: answer } = line.submit({
      ticketId: newId('tk'),
      hallId: hall.id,
      serviceId: item.id,
      personId,
      via: input.via,
      appointmentId: applied ? appointment!.id : null,
      priority,
      queuedAt,
      queueKey: queueKey(queuedAt, priority, policy.priorityAdvanceMinutes),
      prefix: CATEGORIES.find((category) => category.id === item.category)!.prefix,
      competing,
      issuedBy: principal.subject,
      requestId: input.requestId,
    });
    const result = await answer;
    this.#countTicket(result.outcome);
    if (result.outcome === 'already_active') {
      throw new AppError('TICKET_ALREADY_ACTIVE', 'There is already an active ticket for this person at this hall', { ticketId: result.existingTicketId });
    }
    if (result.outcome === 'appointment_invalid') throw new AppError('APPOINTMENT_NOT_FOUND', 'The appointment was cancelled or used meanwhile');
    if (result.outcome === 'unknown_hall') throw new AppError('HALL_NOT_FOUND', `No hall ${hall.id}`);
    if (result.outcome !== 'issued') throw new AppError('INTERNAL', 'The ticket could not be issued; please try again');
    const estimate = this.#estimateCached(hall, item, result.ahead ?? 0, competing) ?? (await this.#estimate(hall, item, result.ahead ?? 0, competing));
    return {
      appointmentApplied: applied,
      ticket: this.#newTicketDto(hall, item, result, { personId, via: input.via, priority, queuedAt, appointmentId: applied ? appointment!.id : null, estimate }),
    };
  }

  #newTicketDto(hall: Hall, item: ServiceItem, result: TicketResult, extra: { personId: string; via: Via; priority: Priority | null; queuedAt: Date; appointmentId: string | null; estimate: WaitEstimate }): TicketDto {
    return {
      id: result.ticketId!,
      number: result.number!,
      hallId: hall.id,
      hallName: hall.name['zh-CN'],
      hallNames: hall.name,
      serviceId: item.id,
      serviceName: item.name['zh-CN'],
      serviceNames: item.name,
      status: 'waiting',
      via: extra.via,
      priority: extra.priority,
      appointmentId: extra.appointmentId,
      issuedAt: formatCivil(result.issuedAt),
      queuedAt: formatCivil(extra.queuedAt),
      position: (result.ahead ?? 0) + 1,
      estimatedWaitMinutes: extra.estimate.minutes,
      estimatedWaitRange: { low: extra.estimate.low, high: extra.estimate.high },
      window: null,
      calledAt: null,
      finishedAt: null,
      reason: null,
      rated: false,
      ratingLevel: null,
    };
  }

  /** Observed service times of the items competing for the same windows (cached a minute). */
  async #times(hall: Hall, item: ServiceItem, competing: string | null): Promise<ServiceTimes> {
    const key = `${hall.id}|${competing ?? '*'}`;
    const cached = this.#serviceTimes.get(key);
    const policy = this.#policy;
    let times: ServiceTimes | undefined;
    const nowMs = this.context.clock.now().getTime();
    if (cached && Math.abs(nowMs - cached.at) < SERVICE_TIMES_TTL_MS) times = cached.times;
    else {
      const since = new Date(this.context.clock.now().getTime() - policy.estimate.lookbackDays * 86_400_000);
      const rows = await this.context.database.query<{ minutes: number }>(
        `SELECT extract(epoch FROM finished_at - called_at)::float8 / 60 AS minutes FROM hall_tickets
          WHERE hall_id = $1 AND finished_at >= $2 AND status IN ('done', 'not_done') AND called_at IS NOT NULL
            AND ($3::text[] IS NULL OR service_id = ANY ($3::text[]))
          ORDER BY finished_at DESC LIMIT $4`,
        [hall.id, since, competing ? competing.split('|') : null, policy.estimate.sampleSize],
      );
      times = serviceTimesFrom(rows.map((row) => row.minutes), policy.estimate.minimumSamples);
      this.#serviceTimes.set(key, { at: nowMs, times });
    }
    return times ?? fallbackServiceTimes(item.windowMinutes);
  }

  async #openWindowIds(hallId: string): Promise<Set<string>> {
    const cached = this.#openWindows.get(hallId);
    if (cached && Date.now() - cached.at < OPEN_WINDOWS_TTL_MS) return cached.ids;
    const rows = await this.context.database.query<{ id: string }>('SELECT id FROM hall_windows WHERE hall_id = $1 AND active AND open', [hallId]);
    const ids = new Set(rows.map((row) => row.id));
    this.#openWindows.set(hallId, { at: Date.now(), ids });
    return ids;
  }

  /** The estimate from the in-memory service times and open windows; undefined when either is due for a read. */
  #estimateCached(hall: Hall, item: ServiceItem, ahead: number, competing: string | null): WaitEstimate | undefined {
    const open = this.#openWindows.get(hall.id);
    if (!open || Date.now() - open.at >= OPEN_WINDOWS_TTL_MS) return undefined;
    const cached = this.#serviceTimes.get(`${hall.id}|${competing ?? '*'}`);
    if (!cached || Math.abs(this.context.clock.now().getTime() - cached.at) >= SERVICE_TIMES_TTL_MS) return undefined;
    const windows = hall.windows.filter((window) => window.active && open.ids.has(window.id) && windowHandles(window, item)).length;
    return estimateWait(ahead, windows, cached.times ?? fallbackServiceTimes(item.windowMinutes));
  }

  async #estimate(hall: Hall, item: ServiceItem, ahead: number, competing: string | null): Promise<WaitEstimate> {
    const open = await this.#openWindowIds(hall.id);
    const windows = hall.windows.filter((window) => window.active && open.has(window.id) && windowHandles(window, item)).length;
    return estimateWait(ahead, windows, await this.#times(hall, item, competing));
  }

  async #ticket(id: string, tx: Queryable = this.context.database): Promise<TicketRow> {
    const [row] = await tx.query<TicketRow>('SELECT * FROM hall_tickets WHERE id = $1', [id]);
    if (!row) throw new AppError('TICKET_NOT_FOUND', `No ticket ${id}`);
    return row;
  }

  /** A ticket as its holder or the staff see it, with its position and estimate while it waits. */
  async ticketDto(row: TicketRow): Promise<TicketDto> {
    await this.#refreshCatalogue();
    const hall = this.#halls.get(row.hall_id)!;
    const item = this.#items.get(row.service_id);
    let position: number | null = null;
    let estimate: WaitEstimate | null = null;
    if (row.status === 'waiting' && item) {
      const competing = this.#competing(hall, item);
      // Counted in each of the queue's two lanes through its own index (migrations/0003).
      const [count] = await this.context.database.query<{ ahead: number }>(
        `SELECT (SELECT count(*)::int FROM hall_tickets
                  WHERE hall_id = $1 AND status = 'waiting' AND priority IS NULL AND appointment_id IS NULL AND day = $5
                    AND (queue_key, seq) < ($2, $3) AND ($4::text[] IS NULL OR service_id = ANY ($4::text[])))
              + (SELECT count(*)::int FROM hall_tickets
                  WHERE hall_id = $1 AND status = 'waiting' AND (priority IS NOT NULL OR appointment_id IS NOT NULL) AND day = $5
                    AND (queue_key, seq) < ($2, $3) AND ($4::text[] IS NULL OR service_id = ANY ($4::text[]))) AS ahead`,
        [row.hall_id, row.queue_key, row.seq, competing ? competing.split('|') : null, row.day],
      );
      position = count!.ahead + 1;
      estimate = await this.#estimate(hall, item, count!.ahead, competing);
    }
    const [rating] = await this.context.database.query<{ level: number }>('SELECT level FROM hall_ratings WHERE ticket_id = $1', [row.id]);
    return this.#rowDto(row, hall, position, estimate, rating?.level ?? null);
  }

  /** The hall's tickets at the windows and waiting, in calling order (positions over the whole hall). */
  async queue(principal: Principal, hallId: string): Promise<TicketDto[]> {
    const hall = await this.hall(hallId);
    this.assertHall(principal, hall.id);
    const rows = await this.context.database.query<TicketRow>(
      `SELECT * FROM hall_tickets WHERE hall_id = $1 AND day = $2 AND status IN ('waiting', 'called')
        ORDER BY status = 'waiting', queue_key, seq LIMIT 300`,
      [hall.id, civilDate(this.context.clock.now())],
    );
    let waiting = 0;
    return rows.map((row) => {
      if (row.status === 'waiting') waiting += 1;
      return this.#rowDto(row, hall, row.status === 'waiting' ? waiting : null, null, null);
    });
  }

  #rowDto(row: TicketRow, hall: Hall, position: number | null, estimate: WaitEstimate | null, ratingLevel: number | null): TicketDto {
    const item = this.#items.get(row.service_id);
    const names = item?.name ?? { 'zh-CN': row.service_id, en: row.service_id };
    const window = row.window_id ? hall.windows.find((candidate) => candidate.id === row.window_id) : undefined;
    return {
      id: row.id,
      number: row.number,
      hallId: row.hall_id,
      hallName: hall.name['zh-CN'],
      hallNames: hall.name,
      serviceId: row.service_id,
      serviceName: names['zh-CN'],
      serviceNames: names,
      status: row.status,
      via: row.via,
      priority: row.priority,
      appointmentId: row.appointment_id,
      issuedAt: formatCivil(row.issued_at),
      queuedAt: formatCivil(row.queued_at),
      position,
      estimatedWaitMinutes: estimate?.minutes ?? null,
      estimatedWaitRange: estimate ? { low: estimate.low, high: estimate.high } : null,
      window: window ? { id: window.id, name: window.name['zh-CN'], names: window.name } : null,
      calledAt: row.called_at ? formatCivil(row.called_at) : null,
      finishedAt: row.finished_at ? formatCivil(row.finished_at) : null,
      reason: row.reason,
      rated: ratingLevel !== null,
      ratingLevel,
    };
  }

  /** POL-23 (业务办理到哪一步): the resident's own tickets, newest first. */
  async myTickets(personId: string): Promise<TicketDto[]> {
    const rows = await this.context.database.query<TicketRow>('SELECT * FROM hall_tickets WHERE person_id = $1 ORDER BY issued_at DESC LIMIT 20', [personId]);
    return Promise.all(rows.map((row) => this.ticketDto(row)));
  }

  async myTicket(personId: string, id: string): Promise<TicketDto> {
    const row = await this.#ticket(id);
    if (row.person_id !== personId) throw new AppError('FORBIDDEN', 'This ticket is someone else’s');
    return this.ticketDto(row);
  }

  /** The resident leaves the queue. */
  async cancelTicket(personId: string, id: string, requestId?: string): Promise<TicketDto> {
    const peek = await this.#ticket(id);
    if (peek.person_id !== personId) throw new AppError('FORBIDDEN', 'This ticket is someone else’s');
    const row = await this.context.database.transaction(async (tx) => {
      await this.#lockHall(tx, peek.hall_id);
      const [after] = await tx.query<TicketRow>(
        `UPDATE hall_tickets SET status = 'cancelled', finished_at = $2 WHERE id = $1 AND status = 'waiting' RETURNING *`,
        [id, this.context.clock.now()],
      );
      if (!after) throw new AppError('TICKET_NOT_ACTIVE', 'Only a waiting ticket can be given up');
      await appendAudit(tx, [{
        actor: { subject: personId, role: 'citizen' }, action: 'halls.ticket.cancel', entityType: 'hall_ticket', entityId: id,
        summary: { before: { status: 'waiting' }, after: { status: 'cancelled' } }, requestId, occurredAt: this.context.clock.now(),
      }]);
      return after;
    });
    this.hub.changed(row.hall_id);
    return this.ticketDto(row);
  }

  // ---- staff: halls, windows, the window console ------------------------------------------

  /** Staff act on their own hall only; hall administrators on any. */
  assertHall(principal: Principal, hallId: string): void {
    if (isHallAdmin(principal)) return;
    if (principal.hallId !== hallId) throw new AppError('FORBIDDEN', 'You work in another hall');
  }

  async #window(principal: Principal, id: string): Promise<{ hall: Hall; window: HallWindow }> {
    await this.#refreshCatalogue();
    for (const hall of this.#halls.values()) {
      const window = hall.windows.find((candidate) => candidate.id === id && candidate.active);
      if (window) {
        this.assertHall(principal, hall.id);
        return { hall, window };
      }
    }
    throw new AppError('WINDOW_NOT_FOUND', `No window ${id}`);
  }

  async windows(principal: Principal, hallId: string) {
    const hall = await this.hall(hallId);
    this.assertHall(principal, hall.id);
    const rows = await this.context.database.query<{ id: string; open: boolean }>('SELECT id, open FROM hall_windows WHERE hall_id = $1 AND active', [hall.id]);
    const serving = await this.context.database.query<TicketRow>(`SELECT * FROM hall_tickets WHERE hall_id = $1 AND status = 'called'`, [hall.id]);
    const open = new Map(rows.map((row) => [row.id, row.open]));
    return Promise.all(
      hall.windows.filter((window) => window.active).map(async (window) => {
        const ticket = serving.find((row) => row.window_id === window.id);
        return {
          id: window.id,
          name: window.name['zh-CN'],
          names: window.name,
          open: open.get(window.id) ?? false,
          services: window.services,
          serving: ticket ? await this.ticketDto(ticket) : null,
        };
      }),
    );
  }

  /** Opens or closes a window (the number of open windows shows on the map, POL-23). */
  async setWindowOpen(principal: Principal, windowId: string, open: boolean, requestId?: string) {
    const { hall, window } = await this.#window(principal, windowId);
    await this.context.database.transaction(async (tx) => {
      await this.#lockHall(tx, hall.id);
      await tx.execute('UPDATE hall_windows SET open = $2, updated_at = $3 WHERE id = $1', [window.id, open, this.context.clock.now()]);
      await appendAudit(tx, [{
        actor: actorOf(principal), action: open ? 'halls.window.open' : 'halls.window.close', entityType: 'hall_window', entityId: window.id,
        summary: { hallId: hall.id, after: { open } }, requestId, occurredAt: this.context.clock.now(),
      }]);
    });
    this.#openWindows.delete(hall.id);
    this.hub.changed(hall.id);
    return (await this.windows(principal, hall.id)).find((candidate) => candidate.id === window.id)!;
  }

  /**
   * Calls the next ticket for a window: the waiting ticket with the smallest queue key among
   * those transferred to this window and those of items the window handles. Answers undefined
   * when nobody is waiting (204). Opens the window if it was closed.
   */
  async callNext(principal: Principal, windowId: string, requestId?: string): Promise<TicketDto | undefined> {
    const { hall, window } = await this.#window(principal, windowId);
    const items = this.#windowItems(window);
    const now = this.context.clock.now();
    const row = await this.context.database.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM hall_counters WHERE hall_id = $1 FOR UPDATE', [hall.id]);
      const [busy] = await tx.query<{ number: string }>(`SELECT number FROM hall_tickets WHERE window_id = $1 AND status = 'called'`, [window.id]);
      if (busy) throw new AppError('WINDOW_BUSY', `Ticket ${busy.number} is still at this window: finish it, mark it a no-show or transfer it first`);
      // The first ticket of the one queue is the first of its two lanes (migrations/0003): walk-ins,
      // and priority visitors and appointment holders, each ordered by (queue_key, seq) in its index.
      const [next] = await tx.query<{ id: string }>(
        `SELECT id FROM (
           (SELECT id, queue_key, seq FROM hall_tickets
             WHERE hall_id = $1 AND status = 'waiting' AND priority IS NULL AND appointment_id IS NULL AND day = $4
               AND (target_window_id = $2 OR (target_window_id IS NULL AND ($3::text[] IS NULL OR service_id = ANY ($3::text[]))))
             ORDER BY queue_key, seq LIMIT 1)
           UNION ALL
           (SELECT id, queue_key, seq FROM hall_tickets
             WHERE hall_id = $1 AND status = 'waiting' AND (priority IS NOT NULL OR appointment_id IS NOT NULL) AND day = $4
               AND (target_window_id = $2 OR (target_window_id IS NULL AND ($3::text[] IS NULL OR service_id = ANY ($3::text[]))))
             ORDER BY queue_key, seq LIMIT 1)
         ) first ORDER BY queue_key, seq LIMIT 1`,
        [hall.id, window.id, items, civilDate(now)],
      );
      if (!next) return undefined;
      const [called] = await tx.query<TicketRow>(
        `UPDATE hall_tickets SET status = 'called', window_id = $2, called_at = $3, first_called_at = coalesce(first_called_at, $3), call_count = call_count + 1
          WHERE id = $1 RETURNING *`,
        [next.id, window.id, now],
      );
      await tx.execute('UPDATE hall_windows SET open = true, updated_at = $2 WHERE id = $1 AND NOT open', [window.id, now]);
      await tx.execute('UPDATE hall_counters SET status_version = status_version + 1, status_changed_at = $2 WHERE hall_id = $1', [hall.id, now]);
      await appendAudit(tx, [{
        actor: actorOf(principal), action: 'halls.ticket.call', entityType: 'hall_ticket', entityId: called!.id,
        summary: { hallId: hall.id, windowId: window.id, number: called!.number, before: { status: 'waiting' }, after: { status: 'called' } }, requestId, occurredAt: now,
      }]);
      return called!;
    });
    if (!row) return undefined;
    this.#openWindows.get(hall.id)?.ids.add(window.id);
    this.hub.changed(hall.id);
    return this.ticketDto(row);
  }

  /** One state change of a called ticket by staff, under the hall lock, audited. */
  async #changeCalled(
    principal: Principal,
    ticketId: string,
    action: string,
    change: (tx: Queryable, row: TicketRow, now: Date) => Promise<TicketRow>,
    allowed: readonly TicketStatus[] = ['called'],
    requestId?: string,
  ): Promise<TicketRow> {
    const peek = await this.#ticket(ticketId);
    const hall = await this.hall(peek.hall_id);
    this.assertHall(principal, hall.id);
    const now = this.context.clock.now();
    const row = await this.context.database.transaction(async (tx) => {
      await this.#lockHall(tx, hall.id);
      const before = await this.#ticket(ticketId, tx);
      if (!allowed.includes(before.status)) {
        throw new AppError(allowed.includes('waiting') ? 'TICKET_NOT_ACTIVE' : 'TICKET_NOT_CALLED', `Ticket ${before.number} is ${before.status}`);
      }
      const after = await change(tx, before, now);
      await appendAudit(tx, [{
        actor: actorOf(principal), action, entityType: 'hall_ticket', entityId: ticketId,
        summary: { hallId: hall.id, number: before.number, before: { status: before.status, serviceId: before.service_id, windowId: before.window_id }, after: { status: after.status, serviceId: after.service_id, windowId: after.window_id, targetWindowId: after.target_window_id } },
        requestId, occurredAt: now,
      }]);
      return after;
    });
    this.hub.changed(hall.id);
    return row;
  }

  /** Calls the same ticket again (the display shows and speaks it again). */
  async recall(principal: Principal, ticketId: string, requestId?: string): Promise<TicketDto> {
    const row = await this.#changeCalled(principal, ticketId, 'halls.ticket.recall', async (tx, _row, now) => {
      const [after] = await tx.query<TicketRow>('UPDATE hall_tickets SET called_at = $2, call_count = call_count + 1 WHERE id = $1 RETURNING *', [ticketId, now]);
      return after!;
    }, ['called'], requestId);
    return this.ticketDto(row);
  }

  async noShow(principal: Principal, ticketId: string, requestId?: string): Promise<TicketDto> {
    const row = await this.#changeCalled(principal, ticketId, 'halls.ticket.no_show', async (tx, _row, now) => {
      const [after] = await tx.query<TicketRow>(`UPDATE hall_tickets SET status = 'no_show', finished_at = $2, finished_by = $3 WHERE id = $1 RETURNING *`, [ticketId, now, principal.subject]);
      return after!;
    }, ['called'], requestId);
    return this.ticketDto(row);
  }

  /**
   * Transfers a ticket to another item and/or window of the same hall. It goes back to waiting
   * with its queue key unchanged, so it keeps its place rather than starting again at the back.
   */
  async transfer(principal: Principal, ticketId: string, input: { serviceId?: string | undefined; windowId?: string | undefined }, requestId?: string): Promise<TicketDto> {
    if (!input.serviceId && !input.windowId) {
      throw new AppError('INVALID_REQUEST', 'Give serviceId, windowId or both', { errors: [{ field: 'body', message: 'needs serviceId or windowId' }] });
    }
    const peek = await this.#ticket(ticketId);
    const hall = await this.hall(peek.hall_id);
    const item = input.serviceId ? await this.item(input.serviceId) : await this.item(peek.service_id);
    if (!this.#offers(hall, item)) throw new AppError('SERVICE_NOT_OFFERED', `${hall.name['zh-CN']} does not handle ${item.name['zh-CN']}`);
    let target: HallWindow | undefined;
    if (input.windowId) {
      target = hall.windows.find((window) => window.id === input.windowId && window.active);
      if (!target) throw new AppError('WINDOW_NOT_FOUND', `No window ${input.windowId} in this hall`);
    }
    const row = await this.#changeCalled(principal, ticketId, 'halls.ticket.transfer', async (tx) => {
      const [after] = await tx.query<TicketRow>(
        `UPDATE hall_tickets SET status = 'waiting', service_id = $2, target_window_id = $3, window_id = NULL, transfers = transfers + 1 WHERE id = $1 RETURNING *`,
        [ticketId, item.id, target?.id ?? null],
      );
      return after!;
    }, ['waiting', 'called'], requestId);
    return this.ticketDto(row);
  }

  /** Finishes a ticket as done or not done (办不成, POL-17); not done needs a reason and opens a review. */
  async finish(principal: Principal, ticketId: string, outcome: 'done' | 'not_done', reason: string | undefined, requestId?: string): Promise<{ ticket: TicketDto; reviewId: string | null }> {
    const trimmed = reason?.trim();
    if (outcome === 'not_done' && !trimmed) {
      throw new AppError('REASON_REQUIRED', 'Say why the business cannot be done (it is reviewed, POL-17)', { errors: [{ field: 'reason', message: 'is required when outcome is not_done' }] });
    }
    const policy = await this.policy();
    let reviewId: string | null = null;
    const row = await this.#changeCalled(principal, ticketId, `halls.ticket.${outcome}`, async (tx, before, now) => {
      const [after] = await tx.query<TicketRow>(
        `UPDATE hall_tickets SET status = $2, finished_at = $3, finished_by = $4, reason = $5 WHERE id = $1 RETURNING *`,
        [ticketId, outcome, now, principal.subject, trimmed || null],
      );
      if (outcome === 'not_done') reviewId = await this.#openReview(tx, { kind: 'not_done', ticket: before, handledBy: principal.subject, detail: trimmed!, ratingLevel: null, now, policy });
      return after!;
    }, ['called'], requestId);
    return { ticket: await this.ticketDto(row), reviewId };
  }

  // ---- ratings and the quality review -------------------------------------------------------

  async #openReview(tx: Queryable, input: { kind: 'bad_rating' | 'not_done'; ticket: TicketRow; handledBy: string | null; detail: string | null; ratingLevel: number | null; now: Date; policy: Policy }): Promise<string | null> {
    const deadlines = reviewDeadlines(this.context.calendar, input.now, input.policy.review);
    const id = newId('rv');
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO hall_reviews (id, kind, ticket_id, hall_id, service_id, window_id, handled_by, rating_level, detail, opened_at, callback_due_at, rectify_due_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10) ON CONFLICT (ticket_id, kind) DO NOTHING RETURNING id`,
      [id, input.kind, input.ticket.id, input.ticket.hall_id, input.ticket.service_id, input.ticket.window_id, input.handledBy, input.ratingLevel, input.detail,
        input.now, deadlines.callbackDueAt, deadlines.rectifyDueAt],
    );
    if (!row) return null;
    await appendAudit(tx, [{
      actor: systemActor, action: 'halls.review.open', entityType: 'hall_review', entityId: id,
      summary: { kind: input.kind, ticketId: input.ticket.id, hallId: input.ticket.hall_id, callbackDueAt: deadlines.callbackDueAt.toISOString(), rectifyDueAt: deadlines.rectifyDueAt.toISOString() },
      occurredAt: input.now,
    }]);
    return id;
  }

  /** One rating of five levels per finished ticket (一次一评); levels 1–2 open a review item. */
  async rate(personId: string, ticketId: string, level: number, comment: string | undefined, requestId?: string) {
    const ticket = await this.#ticket(ticketId);
    if (ticket.person_id !== personId) throw new AppError('FORBIDDEN', 'This ticket is someone else’s');
    if (ticket.status !== 'done' && ticket.status !== 'not_done') throw new AppError('NOT_FINISHED', 'A service can be rated once it is finished');
    const policy = await this.policy();
    const now = this.context.clock.now();
    return this.context.database.transaction(async (tx) => {
      const [rating] = await tx.query<{ rated_at: Date }>(
        `INSERT INTO hall_ratings (ticket_id, person_id, hall_id, service_id, window_id, level, comment, rated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (ticket_id) DO NOTHING RETURNING rated_at`,
        [ticket.id, personId, ticket.hall_id, ticket.service_id, ticket.window_id, level, comment?.trim() || null, now],
      );
      if (!rating) throw new AppError('ALREADY_RATED', 'This service has been rated already (one rating per service)');
      await appendAudit(tx, [{
        actor: { subject: personId, role: 'citizen' }, action: 'halls.rating.create', entityType: 'hall_ticket', entityId: ticket.id,
        summary: { hallId: ticket.hall_id, serviceId: ticket.service_id, level, bad: isBadRating(level) }, requestId, occurredAt: now,
      }]);
      const reviewId = isBadRating(level)
        ? await this.#openReview(tx, { kind: 'bad_rating', ticket, handledBy: ticket.finished_by, detail: comment?.trim() || null, ratingLevel: level, now, policy })
        : null;
      return { ticketId: ticket.id, level, comment: comment?.trim() || null, ratedAt: formatCivil(rating.rated_at), reviewId };
    });
  }

  reviewDto(row: ReviewRow) {
    const now = this.context.clock.now().getTime();
    const hall = this.#halls.get(row.hall_id);
    const item = this.#items.get(row.service_id);
    return {
      id: row.id,
      kind: row.kind,
      ticketId: row.ticket_id,
      ticketNumber: row.number ?? null,
      hallId: row.hall_id,
      hallName: hall?.name['zh-CN'] ?? row.hall_id,
      serviceId: row.service_id,
      serviceName: item?.name['zh-CN'] ?? row.service_id,
      serviceNames: item?.name ?? { 'zh-CN': row.service_id, en: row.service_id },
      windowId: row.window_id,
      ratingLevel: row.rating_level,
      detail: row.detail,
      openedAt: formatCivil(row.opened_at),
      callbackDueAt: formatCivil(row.callback_due_at),
      rectifyDueAt: formatCivil(row.rectify_due_at),
      status: row.status,
      callbackOverdue: !row.called_back_at && now > row.callback_due_at.getTime(),
      rectifyOverdue: row.status !== 'closed' && now > row.rectify_due_at.getTime(),
      callbackNote: row.callback_note,
      calledBackAt: row.called_back_at ? formatCivil(row.called_back_at) : null,
      rectificationNote: row.rectification_note,
      rectifiedAt: row.rectified_at ? formatCivil(row.rectified_at) : null,
      appealReason: row.appeal_reason,
      resolution: row.resolution,
      closingNote: row.closing_note,
      closedAt: row.closed_at ? formatCivil(row.closed_at) : null,
      allowedActions: allowedReviewActions(row.status),
    };
  }

  /** Review items of a hall (staff: their own hall; administrators: any or all). */
  async reviews(principal: Principal, filter: { hallId?: string | undefined; status?: ReviewStatus | undefined; kind?: string | undefined }) {
    let hallId = filter.hallId;
    if (!isHallAdmin(principal)) {
      hallId ??= principal.hallId;
      if (!hallId) throw new AppError('FORBIDDEN', 'You do not work in a hall');
      this.assertHall(principal, hallId);
    }
    await this.#refreshCatalogue();
    const rows = await this.context.database.query<ReviewRow>(
      `SELECT r.*, t.number FROM hall_reviews r JOIN hall_tickets t ON t.id = r.ticket_id
        WHERE ($1::text IS NULL OR r.hall_id = $1) AND ($2::text IS NULL OR r.status = $2) AND ($3::text IS NULL OR r.kind = $3)
        ORDER BY r.status = 'closed', r.callback_due_at, r.opened_at DESC LIMIT 500`,
      [hallId ?? null, filter.status ?? null, filter.kind ?? null],
    );
    return rows.map((row) => this.reviewDto(row));
  }

  async review(principal: Principal, id: string) {
    const [row] = await this.context.database.query<ReviewRow>('SELECT r.*, t.number FROM hall_reviews r JOIN hall_tickets t ON t.id = r.ticket_id WHERE r.id = $1', [id]);
    if (!row) throw new AppError('REVIEW_NOT_FOUND', `No review item ${id}`);
    this.assertHall(principal, row.hall_id);
    await this.#refreshCatalogue();
    return this.reviewDto(row);
  }

  /** One step of a review item: call back, rectify, appeal or close (reference.md 好差评). */
  async reviewAction(principal: Principal, id: string, action: ReviewAction, input: { note?: string | undefined; resolution?: Resolution | undefined }, requestId?: string) {
    const note = input.note?.trim();
    if (!note) throw new AppError('INVALID_REQUEST', 'A note is required', { errors: [{ field: 'note', message: 'is required' }] });
    const now = this.context.clock.now();
    const result = await this.context.database.transaction(async (tx) => {
      const [before] = await tx.query<ReviewRow>('SELECT * FROM hall_reviews WHERE id = $1 FOR UPDATE', [id]);
      if (!before) throw new AppError('REVIEW_NOT_FOUND', `No review item ${id}`);
      this.assertHall(principal, before.hall_id);
      if (!allowedReviewActions(before.status).includes(action)) {
        throw new AppError('REVIEW_ACTION_NOT_ALLOWED', `A review item that is ${before.status} cannot take the step ${action}`);
      }
      if ((action === 'appeal' || action === 'close') && !principal.roles.includes('hall_manager') && !isHallAdmin(principal)) {
        throw new AppError('FORBIDDEN', 'Appeals and closing are for the hall manager');
      }
      let sql: string;
      let parameters: unknown[];
      switch (action) {
        case 'callback':
          sql = `UPDATE hall_reviews SET status = 'called_back', callback_note = $2, called_back_at = $3, called_back_by = $4, updated_at = $3 WHERE id = $1 RETURNING *`;
          parameters = [id, note, now, principal.subject];
          break;
        case 'rectify':
          sql = `UPDATE hall_reviews SET status = 'rectifying', rectification_note = $2, rectified_at = $3, updated_at = $3 WHERE id = $1 RETURNING *`;
          parameters = [id, note, now];
          break;
        case 'appeal':
          sql = `UPDATE hall_reviews SET status = 'appealed', appeal_reason = $2, appealed_at = $3, updated_at = $3 WHERE id = $1 RETURNING *`;
          parameters = [id, note, now];
          break;
        case 'close': {
          const allowed = resolutionsFor(before.status);
          const resolution = input.resolution ?? allowed[0];
          if (!resolution || !allowed.includes(resolution)) {
            throw new AppError('INVALID_REQUEST', `resolution must be one of ${allowed.join(', ')}`, { errors: [{ field: 'resolution', message: `must be one of ${allowed.join(', ')}` }] });
          }
          if (resolution.startsWith('appeal_') && !isHallAdmin(principal)) throw new AppError('FORBIDDEN', 'Appeals are decided by the halls administrator (申诉复核)');
          sql = `UPDATE hall_reviews SET status = 'closed', resolution = $2, closing_note = $3, closed_at = $4, closed_by = $5, updated_at = $4 WHERE id = $1 RETURNING *`;
          parameters = [id, resolution, note, now, principal.subject];
          break;
        }
      }
      const [after] = await tx.query<ReviewRow>(sql, parameters);
      await appendAudit(tx, [{
        actor: actorOf(principal), action: `halls.review.${action}`, entityType: 'hall_review', entityId: id,
        summary: { hallId: before.hall_id, before: { status: before.status }, after: { status: after!.status, resolution: after!.resolution } }, requestId, occurredAt: now,
      }]);
      return after!;
    });
    return this.review(principal, result.id);
  }

  /**
   * The quality report (质效评估, POL-17, POL-18): per hall and item, tickets (最想办: most
   * requested), not done (最难办), bad-rating rate, waiting and service times, review deadlines.
   */
  async qualityReport(principal: Principal, input: { hallId?: string | undefined; from: string; to: string }) {
    let hallId = input.hallId;
    if (!isHallAdmin(principal)) {
      hallId ??= principal.hallId;
      if (!hallId) throw new AppError('FORBIDDEN', 'You do not work in a hall');
      this.assertHall(principal, hallId);
    } else if (hallId) await this.hall(hallId);
    await this.#refreshCatalogue();
    const from = new Date(`${input.from}T00:00:00+08:00`);
    const to = new Date(`${addDays(input.to, 1)}T00:00:00+08:00`);
    const database = this.context.database;
    const perItem = await database.query<{
      hall_id: string; service_id: string; tickets: number; done: number; not_done: number; no_show: number;
      wait_p50: number | null; wait_p90: number | null; service_p50: number | null; service_p90: number | null;
      ratings: number; bad: number; average: number | null;
    }>(
      `SELECT t.hall_id, t.service_id, count(*)::int AS tickets,
              count(*) FILTER (WHERE t.status = 'done')::int AS done,
              count(*) FILTER (WHERE t.status = 'not_done')::int AS not_done,
              count(*) FILTER (WHERE t.status = 'no_show')::int AS no_show,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_called_at - t.issued_at) / 60) FILTER (WHERE t.first_called_at IS NOT NULL) AS wait_p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_called_at - t.issued_at) / 60) FILTER (WHERE t.first_called_at IS NOT NULL) AS wait_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.finished_at - t.called_at) / 60) FILTER (WHERE t.status IN ('done', 'not_done')) AS service_p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.finished_at - t.called_at) / 60) FILTER (WHERE t.status IN ('done', 'not_done')) AS service_p90,
              count(r.ticket_id)::int AS ratings,
              count(r.ticket_id) FILTER (WHERE r.level <= 2)::int AS bad,
              avg(r.level)::float8 AS average
         FROM hall_tickets t LEFT JOIN hall_ratings r ON r.ticket_id = t.id
        WHERE t.issued_at >= $1 AND t.issued_at < $2 AND ($3::text IS NULL OR t.hall_id = $3)
        GROUP BY t.hall_id, t.service_id`,
      [from, to, hallId ?? null],
    );
    const reviews = await database.query<{ hall_id: string; open: number; closed: number; callback_overdue: number; rectify_overdue: number; bad_rating: number; not_done: number }>(
      `SELECT hall_id,
              count(*) FILTER (WHERE status <> 'closed')::int AS open,
              count(*) FILTER (WHERE status = 'closed')::int AS closed,
              count(*) FILTER (WHERE called_back_at IS NULL AND callback_due_at < $4)::int AS callback_overdue,
              count(*) FILTER (WHERE status <> 'closed' AND rectify_due_at < $4)::int AS rectify_overdue,
              count(*) FILTER (WHERE kind = 'bad_rating')::int AS bad_rating,
              count(*) FILTER (WHERE kind = 'not_done')::int AS not_done
         FROM hall_reviews WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR hall_id = $3) GROUP BY hall_id`,
      [from, to, hallId ?? null, this.context.clock.now()],
    );
    const redirects = await database.query<{ reason: string; count: number }>(
      `SELECT reason, count(*)::int AS count FROM hall_redirects WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR hall_id = $3) GROUP BY reason ORDER BY count DESC`,
      [from, to, hallId ?? null],
    );
    const daily = await database.query<{ day: string; tickets: number; done: number; not_done: number }>(
      `SELECT day, count(*)::int AS tickets, count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'not_done')::int AS not_done
         FROM hall_tickets WHERE issued_at >= $1 AND issued_at < $2 AND ($3::text IS NULL OR hall_id = $3) GROUP BY day ORDER BY day`,
      [from, to, hallId ?? null],
    );
    const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
    const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);
    const aggregate = (rows: typeof perItem) => {
      const tickets = rows.reduce((sum, row) => sum + row.tickets, 0);
      const finished = rows.reduce((sum, row) => sum + row.done + row.not_done, 0);
      const notDone = rows.reduce((sum, row) => sum + row.not_done, 0);
      const ratings = rows.reduce((sum, row) => sum + row.ratings, 0);
      const bad = rows.reduce((sum, row) => sum + row.bad, 0);
      return { tickets, done: finished - notDone, notDone, notDoneRate: rate(notDone, finished), ratings, badRatings: bad, badRatingRate: rate(bad, ratings) };
    };
    const items = new Map<string, typeof perItem>();
    for (const row of perItem) items.set(row.service_id, [...(items.get(row.service_id) ?? []), row]);
    const itemRows = [...items.entries()].map(([serviceId, rows]) => {
      const item = this.#items.get(serviceId);
      const weighted = (pick: (row: (typeof rows)[number]) => number | null) => {
        const values = rows.filter((row) => pick(row) !== null);
        const weight = values.reduce((sum, row) => sum + row.tickets, 0);
        return weight === 0 ? null : round(values.reduce((sum, row) => sum + pick(row)! * row.tickets, 0) / weight);
      };
      const ratings = rows.reduce((sum, row) => sum + row.ratings, 0);
      return {
        serviceId,
        name: item?.name['zh-CN'] ?? serviceId,
        names: item?.name ?? { 'zh-CN': serviceId, en: serviceId },
        category: item?.category ?? null,
        ...aggregate(rows),
        averageRating: ratings === 0 ? null : round(rows.reduce((sum, row) => sum + (row.average ?? 0) * row.ratings, 0) / ratings),
        waitMinutesP50: weighted((row) => row.wait_p50),
        waitMinutesP90: weighted((row) => row.wait_p90),
        serviceMinutesP50: weighted((row) => row.service_p50),
        serviceMinutesP90: weighted((row) => row.service_p90),
      };
    }).sort((a, b) => b.tickets - a.tickets);
    const hallIds = [...new Set([...perItem.map((row) => row.hall_id), ...reviews.map((row) => row.hall_id)])].sort();
    const hallRows = hallIds.map((id) => {
      const review = reviews.find((row) => row.hall_id === id);
      const hall = this.#halls.get(id);
      return {
        hallId: id,
        name: hall?.name['zh-CN'] ?? id,
        names: hall?.name ?? { 'zh-CN': id, en: id },
        ...aggregate(perItem.filter((row) => row.hall_id === id)),
        reviews: { open: review?.open ?? 0, closed: review?.closed ?? 0, callbackOverdue: review?.callback_overdue ?? 0, rectifyOverdue: review?.rectify_overdue ?? 0, badRating: review?.bad_rating ?? 0, notDone: review?.not_done ?? 0 },
      };
    });
    return {
      from: input.from,
      to: input.to,
      hallId: hallId ?? null,
      totals: aggregate(perItem),
      mostRequested: itemRows.slice(0, 5).map((row) => ({ serviceId: row.serviceId, name: row.name, names: row.names, tickets: row.tickets })),
      mostNotDone: [...itemRows].filter((row) => row.notDone > 0).sort((a, b) => b.notDone - a.notDone).slice(0, 5).map((row) => ({ serviceId: row.serviceId, name: row.name, names: row.names, notDone: row.notDone, notDoneRate: row.notDoneRate })),
      items: itemRows,
      halls: hallRows,
      redirects,
      daily: daily.map((row) => ({ day: row.day, tickets: row.tickets, done: row.done, notDone: row.not_done })),
    };
  }

  // ---- lobby triage ---------------------------------------------------------------------------

  /** POL-15: the lobby officer sends a resident elsewhere (missing documents, another hall, online…). */
  async redirect(principal: Principal, hallId: string, input: { serviceId?: string | undefined; reason: string; missingDocuments?: string[] | undefined; toHallId?: string | undefined; note?: string | undefined }, requestId?: string) {
    const hall = await this.hall(hallId);
    this.assertHall(principal, hall.id);
    if (input.serviceId) await this.item(input.serviceId);
    if (input.toHallId) await this.hall(input.toHallId);
    const id = newId('rd');
    const now = this.context.clock.now();
    await this.context.database.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO hall_redirects (id, hall_id, service_id, reason, missing_documents, to_hall_id, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, hall.id, input.serviceId ?? null, input.reason, input.missingDocuments ?? [], input.toHallId ?? null, input.note?.trim() || null, principal.subject, now],
      );
      await appendAudit(tx, [{
        actor: actorOf(principal), action: 'halls.triage.redirect', entityType: 'hall', entityId: hall.id,
        summary: { redirectId: id, serviceId: input.serviceId ?? null, reason: input.reason, missingDocuments: input.missingDocuments ?? [], toHallId: input.toHallId ?? null }, requestId, occurredAt: now,
      }]);
    });
    return { id, hallId: hall.id, serviceId: input.serviceId ?? null, reason: input.reason, missingDocuments: input.missingDocuments ?? [], toHallId: input.toHallId ?? null, createdAt: formatCivil(now) };
  }

  // ---- entrance tags --------------------------------------------------------------------------

  /** The hall's current entrance tags to print as an NFC sticker and a QR poster (POL-19). */
  async tags(principal: Principal, hallId: string) {
    const hall = await this.hall(hallId);
    this.assertHall(principal, hall.id);
    await this.#refreshCatalogue(true);
    const current = this.#halls.get(hall.id)!;
    return TAG_KINDS.map((kind) => {
      const claims = { hallId: hall.id, kind, generation: current.tagGeneration };
      const token = signTag(this.#tagKey, claims);
      return { kind, token, url: tagUrl(this.context.config.publicUrl, claims, token), generation: current.tagGeneration };
    });
  }

  /** Voids every printed tag of the hall (a sticker was copied or removed) and returns the new ones. */
  async rotateTags(principal: Principal, hallId: string, requestId?: string) {
    const hall = await this.hall(hallId);
    this.assertHall(principal, hall.id);
    await this.context.database.transaction(async (tx) => {
      const [row] = await tx.query<{ tag_generation: number }>('UPDATE halls SET tag_generation = tag_generation + 1, updated_at = $2 WHERE id = $1 RETURNING tag_generation', [hall.id, this.context.clock.now()]);
      await appendAudit(tx, [{
        actor: actorOf(principal), action: 'halls.tags.rotate', entityType: 'hall', entityId: hall.id,
        summary: { before: { generation: row!.tag_generation - 1 }, after: { generation: row!.tag_generation } }, requestId, occurredAt: this.context.clock.now(),
      }]);
    });
    return this.tags(principal, hall.id);
  }

  // ---- administration: catalogue and halls ---------------------------------------------------

  async #writeService(tx: Queryable, item: ServiceItemInput, demo: boolean): Promise<'created' | 'updated'> {
    const [row] = await tx.query<{ created: boolean }>(
      `INSERT INTO hall_services (id, category, name_zh, name_en, documents, fee_yuan, fee_note, completion, window_minutes, active, demo, updated_at, sort)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, (SELECT coalesce(max(sort), 0) + 1 FROM hall_services))
       ON CONFLICT (id) DO UPDATE SET category = EXCLUDED.category, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, documents = EXCLUDED.documents,
         fee_yuan = EXCLUDED.fee_yuan, fee_note = EXCLUDED.fee_note, completion = EXCLUDED.completion, window_minutes = EXCLUDED.window_minutes,
         active = EXCLUDED.active, updated_at = EXCLUDED.updated_at
       RETURNING (xmax = 0) AS created`,
      [item.id, item.category, item.name['zh-CN'], item.name.en, JSON.stringify(item.documents), item.feeYuan, item.feeNote ? JSON.stringify(item.feeNote) : null,
        item.completion ? JSON.stringify(item.completion) : null, item.windowMinutes, item.active, demo, this.context.clock.now()],
    );
    return row!.created ? 'created' : 'updated';
  }

  async upsertService(item: ServiceItemInput, actor: Actor, requestId?: string): Promise<ServiceItem> {
    await this.context.database.transaction(async (tx) => {
      const result = await this.#writeService(tx, item, false);
      await appendAudit(tx, [{ actor, action: `halls.service.${result === 'created' ? 'create' : 'update'}`, entityType: 'hall_service', entityId: item.id, summary: { after: item }, requestId, occurredAt: this.context.clock.now() }]);
    });
    await this.#refreshCatalogue(true);
    return this.#items.get(item.id)!;
  }

  /** Imports items from CSV, all or nothing. */
  async importServices(csv: string, actor: Actor, requestId?: string) {
    const dictionary: Record<string, Text> = { ...readDocumentDictionary() };
    for (const item of await this.items()) for (const document of item.documents) dictionary[document.id] ??= document.name;
    const { items, problems } = servicesFromCsv(csv, dictionary);
    if (problems.length > 0 || items.length === 0) {
      throw new AppError('IMPORT_INVALID', problems.length > 0 ? `${problems.length} problem(s), first: ${problems[0]!.field} ${problems[0]!.message}` : 'The file has no rows', { errors: problems.slice(0, 50) });
    }
    const counts = { created: 0, updated: 0 };
    await this.context.database.transaction(async (tx) => {
      for (const item of items) counts[await this.#writeService(tx, item, false)] += 1;
      await appendAudit(tx, [{ actor, action: 'halls.services.import', entityType: 'hall_service', entityId: `${items.length} items`, summary: { ...counts, ids: items.map((item) => item.id) }, requestId, occurredAt: this.context.clock.now() }]);
    });
    await this.#refreshCatalogue(true);
    return counts;
  }

  async #writeHall(tx: Queryable, hall: HallInput, demo: boolean, windowsOpen: boolean): Promise<'created' | 'updated'> {
    const now = this.context.clock.now();
    const [row] = await tx.query<{ created: boolean }>(
      `INSERT INTO halls (id, type, name_zh, name_en, district_code, address, phone, lat, lng, hours, slot_minutes, slot_capacity, active, demo, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15)
       ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, district_code = EXCLUDED.district_code,
         address = EXCLUDED.address, phone = EXCLUDED.phone, lat = EXCLUDED.lat, lng = EXCLUDED.lng, hours = EXCLUDED.hours,
         slot_minutes = EXCLUDED.slot_minutes, slot_capacity = EXCLUDED.slot_capacity, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at
       RETURNING (xmax = 0) AS created`,
      [hall.id, hall.type, hall.name['zh-CN'], hall.name.en, hall.districtCode, hall.address, hall.phone, hall.location.lat, hall.location.lng,
        JSON.stringify(hall.hours), hall.slotMinutes, hall.slotCapacity, hall.active ?? true, demo, now],
    );
    // A new hall gets its counters row (the queue's lock); a changed one's status version moves on.
    await tx.execute(
      `INSERT INTO hall_counters (hall_id, status_changed_at) VALUES ($1, $2)
       ON CONFLICT (hall_id) DO UPDATE SET status_version = hall_counters.status_version + 1, status_changed_at = EXCLUDED.status_changed_at`,
      [hall.id, now],
    );
    // Future slots follow a changed capacity, never below what is booked.
    await tx.execute('UPDATE hall_slots SET capacity = GREATEST(booked, $2) WHERE hall_id = $1 AND starts_at > $3', [hall.id, hall.slotCapacity, now]);
    for (const [index, window] of hall.windows.entries()) {
      const [existing] = await tx.query<{ hall_id: string }>('SELECT hall_id FROM hall_windows WHERE id = $1', [window.id]);
      if (existing && existing.hall_id !== hall.id) throw new AppError('INVALID_REQUEST', `Window ${window.id} belongs to hall ${existing.hall_id}`, { errors: [{ field: `windows[${index}].id`, message: 'belongs to another hall' }] });
      await tx.execute(
        `INSERT INTO hall_windows (id, hall_id, name_zh, name_en, services, sort, open, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, services = EXCLUDED.services, sort = EXCLUDED.sort,
           active = EXCLUDED.active, updated_at = EXCLUDED.updated_at`,
        [window.id, hall.id, window.name['zh-CN'], window.name.en, window.services, index, windowsOpen, window.active ?? true, now],
      );
    }
    // Windows left out are retired (kept for the tickets that name them).
    await tx.execute('UPDATE hall_windows SET active = false, open = false, updated_at = $3 WHERE hall_id = $1 AND NOT (id = ANY ($2::text[]))', [hall.id, hall.windows.map((window) => window.id), now]);
    return row!.created ? 'created' : 'updated';
  }

  async upsertHall(hall: HallInput, actor: Actor, requestId?: string): Promise<Hall> {
    const known = new Set((await this.items()).map((item) => item.id));
    const problems = hallProblems(hall, known);
    if (problems.length > 0) throw new AppError('INVALID_REQUEST', `${problems[0]!.field} ${problems[0]!.message}`, { errors: problems });
    await this.context.database.transaction(async (tx) => {
      const result = await this.#writeHall(tx, hall, false, false);
      await appendAudit(tx, [{ actor, action: `halls.hall.${result === 'created' ? 'create' : 'update'}`, entityType: 'hall', entityId: hall.id, summary: { after: hall }, requestId, occurredAt: this.context.clock.now() }]);
    });
    await this.#refreshCatalogue(true);
    this.hub.changed(hall.id);
    return this.#halls.get(hall.id)!;
  }

  async importHalls(csv: string, actor: Actor, requestId?: string) {
    const known = new Set((await this.items()).map((item) => item.id));
    const { halls, problems } = hallsFromCsv(csv, known);
    if (problems.length > 0 || halls.length === 0) {
      throw new AppError('IMPORT_INVALID', problems.length > 0 ? `${problems.length} problem(s), first: ${problems[0]!.field} ${problems[0]!.message}` : 'The file has no rows', { errors: problems.slice(0, 50) });
    }
    const counts = { created: 0, updated: 0 };
    await this.context.database.transaction(async (tx) => {
      for (const hall of halls) counts[await this.#writeHall(tx, hall, false, false)] += 1;
      await appendAudit(tx, [{ actor, action: 'halls.halls.import', entityType: 'hall', entityId: `${halls.length} halls`, summary: { ...counts, ids: halls.map((hall) => hall.id) }, requestId, occurredAt: this.context.clock.now() }]);
    });
    await this.#refreshCatalogue(true);
    for (const hall of halls) this.hub.changed(hall.id);
    return counts;
  }

  /** Demo data (demo mode, empty database): the demo catalogue and halls, their windows open. */
  async loadDemo(): Promise<void> {
    const items = readDemoServices();
    const halls = readDemoHalls();
    await this.context.database.transaction(async (tx) => {
      for (const item of items) await this.#writeService(tx, item, true);
      for (const hall of halls) await this.#writeHall(tx, hall, true, true);
      await appendAudit(tx, [{
        actor: systemActor, action: 'halls.demo.load', entityType: 'hall', entityId: 'demo',
        summary: { items: items.length, halls: halls.length }, occurredAt: this.context.clock.now(),
      }]);
    });
    await this.#refreshCatalogue(true);
  }

  /** End of day: yesterday's waiting and called tickets expire; appointments past their window are missed. */
  async closeDay(): Promise<{ tickets: number; appointments: number }> {
    const now = this.context.clock.now();
    const policy = await this.policy();
    const result = await this.context.database.transaction(async (tx) => {
      // Every hall's counters row first, in id order (the lock order of all hall transactions).
      await tx.query('SELECT hall_id FROM hall_counters ORDER BY hall_id FOR UPDATE');
      const tickets = await tx.query<{ hall_id: string }>(
        `UPDATE hall_tickets SET status = 'expired' WHERE status IN ('waiting', 'called') AND day < $1 RETURNING hall_id`,
        [civilDate(now)],
      );
      const appointments = await tx.execute(
        `UPDATE hall_appointments SET status = 'missed', updated_at = $1 WHERE status = 'booked' AND slot_start < $2`,
        [now, new Date(now.getTime() - policy.appointment.lateMinutes * 60_000)],
      );
      const halls = [...new Set(tickets.map((row) => row.hall_id))].sort();
      for (const hallId of halls) await tx.execute('UPDATE hall_counters SET status_version = status_version + 1, status_changed_at = $2 WHERE hall_id = $1', [hallId, now]);
      if (tickets.length > 0 || appointments > 0) {
        await appendAudit(tx, [{ actor: systemActor, action: 'halls.day.close', entityType: 'hall', entityId: halls.join(',') || 'appointments', summary: { expiredTickets: tickets.length, missedAppointments: appointments }, occurredAt: now }]);
      }
      return { tickets: tickets.length, appointments, halls };
    });
    for (const hallId of result.halls) this.hub.changed(hallId);
    return { tickets: result.tickets, appointments: result.appointments };
  }
}
