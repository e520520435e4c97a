import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Text = Type.Object({ 'zh-CN': Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const TextList = Type.Object({ 'zh-CN': Type.Array(Type.String()), en: Type.Array(Type.String()) }, { additionalProperties: false });
const Money = Type.String({ pattern: '^\\d+\\.\\d{2}$' });
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' });
const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+08:00$' });
export const categoryIds = [
  'refrigerator', 'air_conditioner', 'washing_machine', 'water_heater', 'television', 'computer',
  'mobile_phone', 'tablet', 'smartwatch', 'smart_glasses',
] as const;
export type CategoryId = (typeof categoryIds)[number];
export const channels = ['offline', 'online'] as const;
export type Channel = (typeof channels)[number];
const ChannelSchema = Type.Union([Type.Literal('offline'), Type.Literal('online')]);

const ProgrammeSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]+$' }),
    kind: Type.Union([Type.Literal('appliances'), Type.Literal('digital')]),
    name: Text,
    summary: Text,
    startsAt: Instant, // TI-01
    endsAt: Instant, // TI-02 (exclusive end: the instant after the last day)
    rate: Type.String({ pattern: '^0\\.\\d+$' }), // TI-09, TI-11
    capPerItem: Money, // TI-09, TI-11
    priceLimit: Type.Union([Money, Type.Null()]), // TI-10
    efficiencyRequirement: Type.Union([Text, Type.Null()]), // TI-08
    quota: Type.Object({ month: Type.Integer({ minimum: 1 }), year: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), // TI-19, TI-20
    channels: Type.Array(ChannelSchema, { minItems: 1 }), // TI-16
    categories: Type.Array(
      Type.Object({ id: Type.Union(categoryIds.map((c) => Type.Literal(c))), name: Text, includes: TextList }, { additionalProperties: false }),
      { minItems: 1 },
    ), // R7
    release: Type.Object(
      { dayOfMonth: Type.Integer({ minimum: 1, maximum: 28 }), time: Type.String({ pattern: '^\\d{2}:\\d{2}$' }), months: Type.Array(Month) },
      { additionalProperties: false },
    ), // TI-17
    deliveryDeadlineDay: Type.Integer({ minimum: 1, maximum: 28 }), // TI-32, TI-33
    returnCutoffDay: Type.Integer({ minimum: 1, maximum: 28 }), // TI-38, TI-39
    activationPhotoRequired: Type.Boolean(), // TI-34
    fundingPlan: Type.Array(
      Type.Object({ month: Month, channel: ChannelSchema, stock: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    ), // TI-02
  },
  { additionalProperties: false },
);

export const ProgrammeFileSchema = Type.Object(
  {
    city: Type.String(),
    year: Type.Integer(),
    version: Type.String(),
    source: Type.String(),
    fundingPlanNote: Type.String(),
    programmes: Type.Array(ProgrammeSchema, { minItems: 1 }),
    platforms: Type.Array(Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' }), name: Text }, { additionalProperties: false })),
    platformsNote: Type.String(),
  },
  { additionalProperties: false },
);

export type Programme = Static<typeof ProgrammeSchema>;
export type ProgrammeFile = Static<typeof ProgrammeFileSchema>;

export const PROGRAMME_DIRECTORY = path.resolve(import.meta.dirname, '../../../resources/programmes');

/** Validates a programme file: schema, plus the cross-field facts a schema cannot say. */
export function validateProgrammeFile(data: unknown): ProgrammeFile {
  if (!Value.Check(ProgrammeFileSchema, data)) {
    const first = [...Value.Errors(ProgrammeFileSchema, data)][0];
    throw new Error(`programme file is not valid: ${first ? `${first.instancePath} ${first.message}` : 'schema mismatch'}`);
  }
  const file = data as ProgrammeFile;
  const ids = new Set<string>();
  for (const programme of file.programmes) {
    if (ids.has(programme.id)) throw new Error(`programme ${programme.id} appears twice`);
    ids.add(programme.id);
    if (programme.quota.month > programme.quota.year) throw new Error(`${programme.id}: the monthly quota exceeds the yearly one`);
    if (Date.parse(programme.endsAt) <= Date.parse(programme.startsAt)) throw new Error(`${programme.id} ends before it starts`);
    for (const entry of programme.fundingPlan) {
      if (!programme.channels.includes(entry.channel)) throw new Error(`${programme.id}: funding plan names channel ${entry.channel} the programme does not have`);
    }
  }
  const categories = file.programmes.flatMap((programme) => programme.categories.map((category) => category.id));
  if (new Set(categories).size !== categories.length) throw new Error('a category belongs to two programmes');
  return file;
}

/** Reads every programme file shipped in resources/programmes (another year or city is another file). */
export function readProgrammeFiles(directory = PROGRAMME_DIRECTORY): ProgrammeFile[] {
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => validateProgrammeFile(JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'))));
}
