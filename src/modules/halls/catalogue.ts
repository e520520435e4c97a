import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { districtMap } from '../../platform/geo.ts';
import { csvRecords, formatCsv } from './rules/csv.ts';
import { sessionsProblem, type Hours, type Sessions } from './rules/hours.ts';

/**
 * The catalogue of business items (POL-13: 4 categories, 人口 交管 治安 出入境) with their
 * pre-visit guidance (服务前指导, POL-16), and the halls (POL-21: police stations, traffic police
 * teams, government service halls) with their windows. Both ship as demo data files in
 * resources/halls/ and are edited in the console or imported from CSV.
 */
export const RESOURCES = path.resolve(import.meta.dirname, '../../../resources/halls');

export const CATEGORY_IDS = ['population', 'traffic', 'public_order', 'exit_entry'] as const;
export type CategoryId = (typeof CATEGORY_IDS)[number];
export const HALL_TYPES = ['police_station', 'traffic_police', 'service_hall'] as const;
export type HallType = (typeof HALL_TYPES)[number];

export const Text = Type.Object({ 'zh-CN': Type.String({ minLength: 1, maxLength: 200 }), en: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });
export type Text = Static<typeof Text>;

/** The four categories of POL-13 / R4, with the letter that starts their ticket numbers. */
export const CATEGORIES: readonly { id: CategoryId; name: Text; prefix: string }[] = [
  { id: 'population', name: { 'zh-CN': '人口', en: 'Population and household registration' }, prefix: 'A' },
  { id: 'traffic', name: { 'zh-CN': '交管', en: 'Traffic management' }, prefix: 'B' },
  { id: 'public_order', name: { 'zh-CN': '治安', en: 'Public order' }, prefix: 'C' },
  { id: 'exit_entry', name: { 'zh-CN': '出入境', en: 'Exit and entry' }, prefix: 'D' },
];

export const HALL_TYPE_NAMES: Record<HallType, Text> = {
  police_station: { 'zh-CN': '派出所', en: 'Police station' },
  traffic_police: { 'zh-CN': '交警队', en: 'Traffic police team' },
  service_hall: { 'zh-CN': '政务大厅', en: 'Government service hall' },
};

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,63}$' });
const Money = Type.String({ pattern: '^\\d{1,8}\\.\\d{2}$' });
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const SessionsSchema = Type.Array(Type.Tuple([Time, Time]), { maxItems: 6 });

export const DocumentSchema = Type.Object({ id: Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }), name: Text }, { additionalProperties: false });
export type DocumentItem = Static<typeof DocumentSchema>;

/** One business item as the console edits it and the API shows it. */
export const ServiceItemSchema = Type.Object(
  {
    id: Id,
    category: Type.Union([Type.Literal('population'), Type.Literal('traffic'), Type.Literal('public_order'), Type.Literal('exit_entry')]),
    name: Text,
    documents: Type.Array(DocumentSchema, { maxItems: 30 }),
    feeYuan: Money,
    feeNote: Type.Union([Text, Type.Null()]),
    completion: Type.Union([Text, Type.Null()]),
    windowMinutes: Type.Integer({ minimum: 1, maximum: 480 }),
    active: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ServiceItemInput = Static<typeof ServiceItemSchema>;
export interface ServiceItem extends ServiceItemInput {
  demo: boolean;
}

export const WindowSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,79}$' }),
    name: Text,
    /** '*' (every item, 一窗通办), 'category:<id>' or item ids. */
    services: Type.Array(Type.String({ pattern: '^(\\*|category:[a-z_]+|[a-z0-9][a-z0-9-]{1,63})$' }), { minItems: 1, maxItems: 200 }),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type WindowInput = Static<typeof WindowSchema>;

export const HoursSchema = Type.Object({ workingDays: SessionsSchema, restDays: SessionsSchema }, { additionalProperties: false });

export const HallInputSchema = Type.Object(
  {
    id: Id,
    type: Type.Union([Type.Literal('police_station'), Type.Literal('traffic_police'), Type.Literal('service_hall')]),
    name: Text,
    districtCode: Type.String({ pattern: '^\\d{6}$' }),
    address: Type.String({ minLength: 1, maxLength: 200 }),
    phone: Type.String({ minLength: 3, maxLength: 40 }),
    location: Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false }),
    hours: HoursSchema,
    slotMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
    slotCapacity: Type.Integer({ minimum: 0, maximum: 1000 }),
    windows: Type.Array(WindowSchema, { maxItems: 100 }),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type HallInput = Static<typeof HallInputSchema>;

export interface HallWindow {
  id: string;
  hallId: string;
  name: Text;
  services: string[];
  sort: number;
  active: boolean;
}

export interface Hall {
  id: string;
  type: HallType;
  name: Text;
  districtCode: string;
  address: string;
  phone: string;
  location: { lat: number; lng: number };
  hours: Hours;
  slotMinutes: number;
  slotCapacity: number;
  active: boolean;
  demo: boolean;
  tagGeneration: number;
  windows: HallWindow[];
}

const PolicySchema = Type.Object(
  {
    version: Type.String(),
    source: Type.String(),
    elderlyAge: Type.Integer({ minimum: 50, maximum: 120 }),
    priorityAdvanceMinutes: Type.Integer({ minimum: 0, maximum: 240 }),
    appointment: Type.Object(
      {
        earlyMinutes: Type.Integer({ minimum: 0, maximum: 240 }),
        lateMinutes: Type.Integer({ minimum: 0, maximum: 240 }),
        bookableDays: Type.Integer({ minimum: 1, maximum: 60 }),
        leadMinutes: Type.Integer({ minimum: 0, maximum: 24 * 60 }),
      },
      { additionalProperties: false },
    ),
    review: Type.Object(
      { callbackWorkingDays: Type.Integer({ minimum: 0, maximum: 30 }), rectifyWorkingDays: Type.Integer({ minimum: 0, maximum: 120 }) },
      { additionalProperties: false },
    ),
    estimate: Type.Object(
      {
        sampleSize: Type.Integer({ minimum: 5, maximum: 1000 }),
        minimumSamples: Type.Integer({ minimum: 1, maximum: 1000 }),
        lookbackDays: Type.Integer({ minimum: 1, maximum: 365 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export { PolicySchema };
export type Policy = Static<typeof PolicySchema>;

const ServicesFileSchema = Type.Object({
  version: Type.String(),
  demo: Type.Boolean(),
  source: Type.String(),
  categories: Type.Array(Type.Object({ id: Type.String(), name: Text, prefix: Type.String() })),
  documents: Type.Record(Type.String(), Text),
  items: Type.Array(
    Type.Object({
      id: Id,
      category: Type.String(),
      name: Text,
      documents: Type.Array(Type.String()),
      feeYuan: Money,
      feeNote: Type.Optional(Text),
      windowMinutes: Type.Integer({ minimum: 1, maximum: 480 }),
      completion: Type.Optional(Text),
    }),
  ),
});
type ServicesFile = Static<typeof ServicesFileSchema>;

const HallsFileSchema = Type.Object({
  version: Type.String(),
  demo: Type.Boolean(),
  source: Type.String(),
  halls: Type.Array(
    Type.Object({
      id: Id,
      type: Type.String(),
      name: Text,
      districtCode: Type.String(),
      address: Type.String(),
      phone: Type.String(),
      location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
      hours: HoursSchema,
      slots: Type.Object({ minutes: Type.Integer(), capacity: Type.Integer() }),
      windows: Type.Array(WindowSchema),
    }),
  ),
});

function readJson<T>(file: string, schema: TSchema): T {
  const data = JSON.parse(fs.readFileSync(path.join(RESOURCES, file), 'utf8')) as unknown;
  if (!Value.Check(schema, data)) {
    const first = [...Value.Errors(schema, data)][0];
    throw new Error(`resources/halls/${file} does not match its schema${first ? `: ${JSON.stringify(first)}` : ''}`);
  }
  return data as T;
}

/** The shipped policy defaults (priority age, appointment window, review deadlines, estimate samples). */
export function readPolicyFile(): Policy {
  return readJson<Policy>('policy.json', PolicySchema);
}

/** The shipped document names (ids used by the catalogue and its CSV import). */
export function readDocumentDictionary(): Record<string, Text> {
  return readJson<ServicesFile>('services.json', ServicesFileSchema).documents;
}

/** The demo catalogue, validated: every category known, every document named. */
export function readDemoServices(): ServiceItemInput[] {
  const file = readJson<ServicesFile>('services.json', ServicesFileSchema);
  return file.items.map((item) => {
    if (!(CATEGORY_IDS as readonly string[]).includes(item.category)) throw new Error(`item ${item.id}: unknown category ${item.category}`);
    return {
      id: item.id,
      category: item.category as CategoryId,
      name: item.name,
      documents: item.documents.map((id) => {
        const name = file.documents[id];
        if (!name) throw new Error(`item ${item.id}: unknown document ${id}`);
        return { id, name };
      }),
      feeYuan: item.feeYuan,
      feeNote: item.feeNote ?? null,
      completion: item.completion ?? null,
      windowMinutes: item.windowMinutes,
      active: true,
    };
  });
}

/** The demo halls, validated like an administrator's input. */
export function readDemoHalls(): HallInput[] {
  const file = readJson<Static<typeof HallsFileSchema>>('halls.json', HallsFileSchema);
  return file.halls.map((hall) => {
    const input: HallInput = {
      id: hall.id,
      type: hall.type as HallType,
      name: hall.name,
      districtCode: hall.districtCode,
      address: hall.address,
      phone: hall.phone,
      location: hall.location,
      hours: hall.hours,
      slotMinutes: hall.slots.minutes,
      slotCapacity: hall.slots.capacity,
      windows: hall.windows,
    };
    const problem = hallProblems(input)[0];
    if (problem) throw new Error(`demo hall ${hall.id}: ${problem.field} ${problem.message}`);
    return input;
  });
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** What is wrong with a hall beyond its schema: hours, location, window ids and services. */
export function hallProblems(hall: HallInput, knownServices?: ReadonlySet<string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!(HALL_TYPES as readonly string[]).includes(hall.type)) problems.push({ field: 'type', message: `must be one of ${HALL_TYPES.join(', ')}` });
  for (const key of ['workingDays', 'restDays'] as const) {
    const problem = sessionsProblem(hall.hours[key] as Sessions);
    if (problem) problems.push({ field: `hours.${key}`, message: problem });
  }
  const district = districtMap().districtAt(hall.location.lat, hall.location.lng);
  if (!district) problems.push({ field: 'location', message: 'is outside Tianjin' });
  if (!districtMap().name(hall.districtCode)) problems.push({ field: 'districtCode', message: 'is not one of Tianjin’s 16 districts' });
  const ids = new Set<string>();
  hall.windows.forEach((window, index) => {
    if (ids.has(window.id)) problems.push({ field: `windows[${index}].id`, message: 'is used twice' });
    ids.add(window.id);
    for (const spec of window.services) {
      if (spec.startsWith('category:') && !(CATEGORY_IDS as readonly string[]).includes(spec.slice(9))) {
        problems.push({ field: `windows[${index}].services`, message: `${spec} is not a category` });
      } else if (knownServices && spec !== '*' && !spec.startsWith('category:') && !knownServices.has(spec)) {
        problems.push({ field: `windows[${index}].services`, message: `${spec} is not an item of the catalogue` });
      }
    }
  });
  return problems;
}

/** Whether a window handles an item: '*' handles all, 'category:x' a category, else the item id. */
export function windowHandles(window: Pick<HallWindow, 'services'>, item: Pick<ServiceItem, 'id' | 'category'>): boolean {
  return window.services.some((spec) => spec === '*' || spec === `category:${item.category}` || spec === item.id);
}

// ---- CSV ------------------------------------------------------------------------------------

export const SERVICE_CSV_HEADER = [
  'id', 'category', 'name_zh', 'name_en', 'documents', 'fee_yuan', 'fee_note_zh', 'fee_note_en', 'completion_zh', 'completion_en', 'window_minutes', 'active',
] as const;

export const HALL_CSV_HEADER = [
  'id', 'type', 'name_zh', 'name_en', 'district_code', 'address', 'phone', 'lat', 'lng', 'working_day_hours', 'rest_day_hours',
  'slot_minutes', 'slot_capacity', 'windows', 'active',
] as const;

function documentId(name: string): string {
  return `doc-${crypto.createHash('sha256').update(name).digest('hex').slice(0, 10)}`;
}

function flag(value: string | undefined): boolean {
  return !value || !['0', 'false', 'no', '否', 'n'].includes(value.trim().toLowerCase());
}

function missingColumns(header: string[], wanted: readonly string[]): string[] {
  return wanted.filter((name) => !['active', 'fee_note_zh', 'fee_note_en', 'completion_zh', 'completion_en', 'rest_day_hours'].includes(name) && !header.includes(name));
}

/**
 * Items from CSV (header SERVICE_CSV_HEADER). `documents` lists document ids of the dictionary or
 * names, separated by '|'; a name may carry its English after '::' ("户口簿::Household booklet").
 */
export function servicesFromCsv(text: string, dictionary: Record<string, Text>): { items: ServiceItemInput[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  let parsed: ReturnType<typeof csvRecords>;
  try {
    parsed = csvRecords(text);
  } catch (error) {
    return { items: [], problems: [{ field: 'csv', message: (error as Error).message }] };
  }
  const missing = missingColumns(parsed.header, SERVICE_CSV_HEADER);
  if (missing.length > 0) return { items: [], problems: [{ field: 'csv', message: `missing columns: ${missing.join(', ')}` }] };
  const items: ServiceItemInput[] = [];
  parsed.records.forEach((record, index) => {
    const row = `row ${index + 2}`;
    const documents = (record.documents ?? '').split('|').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
      const known = dictionary[entry];
      if (known) return { id: entry, name: known };
      const [zh, en] = entry.split('::').map((part) => part.trim());
      return { id: documentId(zh!), name: { 'zh-CN': zh!, en: en || zh! } };
    });
    const text2 = (zh: string | undefined, en: string | undefined): Text | null => (zh ? { 'zh-CN': zh, en: en || zh } : null);
    const item = {
      id: record.id ?? '',
      category: record.category as CategoryId,
      name: { 'zh-CN': record.name_zh ?? '', en: record.name_en || record.name_zh || '' },
      documents,
      feeYuan: /^\d+$/.test(record.fee_yuan ?? '') ? `${record.fee_yuan}.00` : (record.fee_yuan ?? ''),
      feeNote: text2(record.fee_note_zh, record.fee_note_en),
      completion: text2(record.completion_zh, record.completion_en),
      windowMinutes: Number(record.window_minutes),
      active: flag(record.active),
    };
    if (!Value.Check(ServiceItemSchema, item)) {
      const error = [...Value.Errors(ServiceItemSchema, item)][0];
      problems.push({ field: `${row}${error ? ` ${error.instancePath}` : ''}`, message: error?.message ?? 'is not valid' });
      return;
    }
    items.push(item);
  });
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) problems.push({ field: `id ${item.id}`, message: 'appears twice' });
    seen.add(item.id);
  }
  return { items, problems };
}

function sessionsFrom(text: string | undefined): Sessions {
  return (text ?? '').split(';').map((part) => part.trim()).filter(Boolean).map((part) => part.split('-').map((time) => time.trim()) as [string, string]);
}

/**
 * Halls from CSV (header HALL_CSV_HEADER). Hours are "09:00-12:00;13:30-17:00". Windows are
 * "1号窗口=*;2号窗口=category:traffic|id-card-renewal" and get the ids <hall id>-w1, -w2, ….
 */
export function hallsFromCsv(text: string, knownServices: ReadonlySet<string>): { halls: HallInput[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  let parsed: ReturnType<typeof csvRecords>;
  try {
    parsed = csvRecords(text);
  } catch (error) {
    return { halls: [], problems: [{ field: 'csv', message: (error as Error).message }] };
  }
  const missing = missingColumns(parsed.header, HALL_CSV_HEADER);
  if (missing.length > 0) return { halls: [], problems: [{ field: 'csv', message: `missing columns: ${missing.join(', ')}` }] };
  const halls: HallInput[] = [];
  parsed.records.forEach((record, index) => {
    const row = `row ${index + 2}`;
    const id = record.id ?? '';
    const windows = (record.windows ?? '').split(';').map((part) => part.trim()).filter(Boolean).map((part, windowIndex) => {
      const [name, services] = part.split('=').map((piece) => piece.trim());
      return {
        id: `${id}-w${windowIndex + 1}`,
        name: { 'zh-CN': name || `${windowIndex + 1}号窗口`, en: `Window ${windowIndex + 1}` },
        services: (services || '*').split('|').map((spec) => spec.trim()).filter(Boolean),
      };
    });
    const hall = {
      id,
      type: record.type as HallType,
      name: { 'zh-CN': record.name_zh ?? '', en: record.name_en || record.name_zh || '' },
      districtCode: record.district_code ?? '',
      address: record.address ?? '',
      phone: record.phone ?? '',
      location: { lat: Number(record.lat), lng: Number(record.lng) },
      hours: { workingDays: sessionsFrom(record.working_day_hours), restDays: sessionsFrom(record.rest_day_hours) },
      slotMinutes: Number(record.slot_minutes || 30),
      slotCapacity: Number(record.slot_capacity || 3),
      windows,
      active: flag(record.active),
    };
    if (!Value.Check(HallInputSchema, hall)) {
      const error = [...Value.Errors(HallInputSchema, hall)][0];
      problems.push({ field: `${row}${error ? ` ${error.instancePath}` : ''}`, message: error?.message ?? 'is not valid' });
      return;
    }
    const more = hallProblems(hall, knownServices);
    for (const problem of more) problems.push({ field: `${row} ${problem.field}`, message: problem.message });
    if (more.length === 0) halls.push(hall);
  });
  return { halls, problems };
}

/** The catalogue as CSV (the import format), for editing in a spreadsheet. */
export function servicesToCsv(items: readonly ServiceItem[]): string {
  return formatCsv([
    [...SERVICE_CSV_HEADER],
    ...items.map((item) => [
      item.id, item.category, item.name['zh-CN'], item.name.en, item.documents.map((document) => document.id).join('|'), item.feeYuan,
      item.feeNote?.['zh-CN'] ?? '', item.feeNote?.en ?? '', item.completion?.['zh-CN'] ?? '', item.completion?.en ?? '', String(item.windowMinutes),
      item.active ? '1' : '0',
    ]),
  ]);
}

/** The halls as CSV (the import format). */
export function hallsToCsv(halls: readonly Hall[]): string {
  const sessions = (list: Sessions) => list.map(([from, to]) => `${from}-${to}`).join(';');
  return formatCsv([
    [...HALL_CSV_HEADER],
    ...halls.map((hall) => [
      hall.id, hall.type, hall.name['zh-CN'], hall.name.en, hall.districtCode, hall.address, hall.phone, String(hall.location.lat), String(hall.location.lng),
      sessions(hall.hours.workingDays), sessions(hall.hours.restDays), String(hall.slotMinutes), String(hall.slotCapacity),
      hall.windows.filter((window) => window.active).map((window) => `${window.name['zh-CN']}=${window.services.join('|')}`).join(';'),
      hall.active ? '1' : '0',
    ]),
  ]);
}
