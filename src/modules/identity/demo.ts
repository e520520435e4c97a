import type { Role } from '../../platform/access.ts';
import { systemActor } from '../../platform/audit.ts';
import { appendAudit } from '../../platform/audit.ts';
import { addDays } from '../../platform/civil-time.ts';
import type { PlatformContext } from '../../platform/module.ts';
import { makeIdNumber, TIANJIN_DISTRICT_CODES } from './rules/id-number.ts';
import type { ClientRow, IdentityService, NewStaff } from './service.ts';

/**
 * Demo data (marked `demo` in the tables): residents across the 16 districts with valid identity
 * numbers, staff for every role, merchants' tills, e-commerce platforms, a kiosk and a verifier.
 * Resident number i is always the same person, so `demo-tokens --count N` is repeatable.
 */
const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽'];
const BIRTH_START = '1940-01-01';
const BIRTH_SPAN_DAYS = 24_000;

export interface DemoResident {
  index: number;
  name: string;
  idNumber: string;
  phone: string;
  districtCode: string;
}

/** The i-th demo resident (pure: same input, same person). */
export function demoResident(index: number): DemoResident {
  const districtCode = TIANJIN_DISTRICT_CODES[index % TIANJIN_DISTRICT_CODES.length]!;
  const dayOffset = Math.floor(index / TIANJIN_DISTRICT_CODES.length) % BIRTH_SPAN_DAYS;
  const sequence = Math.floor(index / (TIANJIN_DISTRICT_CODES.length * BIRTH_SPAN_DAYS)) % 1000;
  const birthDate = addDays(BIRTH_START, (dayOffset * 7919) % BIRTH_SPAN_DAYS);
  const surname = SURNAMES[(index * 31) % SURNAMES.length]!;
  const given = GIVEN[(index * 17) % GIVEN.length]! + (index % 3 === 0 ? '' : GIVEN[(index * 13 + 7) % GIVEN.length]!);
  return {
    index,
    name: surname + given,
    idNumber: makeIdNumber(districtCode, birthDate, sequence * 2 + 1 + (index % 2)),
    phone: `13${String(800_000_000 + index).padStart(9, '0')}`,
    districtCode,
  };
}

/** Demo hall ids (the halls module creates these halls). */
export const DEMO_HALL_ID = 'hall-hexi-xiawafang';

export const demoStaff: (NewStaff & { title: string })[] = [
  { login: 'admin', name: '系统管理员', title: 'Platform administrator', roles: ['admin_platform'] },
  { login: 'subsidy-admin', name: '商务局管理员', title: 'Subsidy administrator', roles: ['admin_subsidies'] },
  { login: 'halls-admin', name: '窗口服务管理员', title: 'Halls administrator', roles: ['admin_halls'] },
  { login: 'officer-xiawafang', name: '毛警官', title: 'Window officer', roles: ['window_officer'], hallId: DEMO_HALL_ID },
  { login: 'lobby-xiawafang', name: '赵警官', title: 'Lobby officer', roles: ['lobby_officer'], hallId: DEMO_HALL_ID },
  { login: 'manager-xiawafang', name: '孙所长', title: 'Hall manager', roles: ['hall_manager'], hallId: DEMO_HALL_ID },
  { login: 'cashier-heping', name: '钱收银', title: 'Merchant cashier', roles: ['merchant'], organisationId: 'merchant-heping-appliances' },
  { login: 'verifier-hotel', name: '周前台', title: 'Verifier (hotel front desk)', roles: ['verifier'] },
  { login: 'cases-city', name: '吴办理', title: 'City case handler', roles: ['case_handler_city'] },
  { login: 'cases-hexi', name: '郑办理', title: 'District case handler (Hexi)', roles: ['case_handler_district'], districtCode: '120103' },
];

/** Demo staff sign in to the built-in provider with this password (demo mode only). */
export const DEMO_PASSWORD = 'demo1234';

export const demoClients: { id: string; name: string; kind: ClientRow['kind']; organisationId?: string; hallId?: string }[] = [
  { id: 'till-heping-01', name: '和平家电城 1号收银台', kind: 'merchant', organisationId: 'merchant-heping-appliances' },
  { id: 'till-nankai-01', name: '南开数码广场 1号收银台', kind: 'merchant', organisationId: 'merchant-nankai-digital' },
  { id: 'platform-haihe-mall', name: '海河商城（演示）', kind: 'platform' },
  { id: 'platform-jinmen-buy', name: '津门购（演示）', kind: 'platform' },
  { id: 'kiosk-xiawafang', name: '下瓦房派出所 取号机', kind: 'kiosk', hallId: DEMO_HALL_ID },
  { id: 'verifier-hotel-demo', name: '演示酒店 前台核验', kind: 'verifier' },
];

/** Demo client secrets are derived from the id, so demos and docs can show a working curl. */
export function demoClientSecret(id: string): string {
  return `demo-secret-${id}`;
}

export const DEMO_RESIDENTS_AT_START = 200;

/** Creates demo residents 0…count-1 that do not exist yet, in batches, with one audit entry per batch. */
export async function ensureDemoResidents(context: PlatformContext, identity: IdentityService, count: number): Promise<void> {
  const [{ existing } = { existing: 0 }] = await context.database.query<{ existing: number }>(
    `SELECT count(*)::int AS existing FROM people WHERE demo AND kind = 'resident'`,
  );
  const batchSize = 2000;
  for (let start = existing; start < count; start += batchSize) {
    const residents = Array.from({ length: Math.min(batchSize, count - start) }, (_, offset) => demoResident(start + offset));
    const sealed = residents.map((resident) => identity.sealResident(resident));
    await context.database.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO people (id, kind, name, id_number_sealed, id_number_hash, phone_sealed, phone_hash, district_code, roles, demo, created_at)
         SELECT 'p_demo_' || lpad(i::text, 7, '0'), 'resident', n, s, h, ps, ph, d, '{citizen}', true, $8::timestamptz + (i || ' microseconds')::interval
           FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(i, n, s, h, ps, ph, d)
         ON CONFLICT DO NOTHING`,
        [
          residents.map((r) => r.index),
          residents.map((r) => r.name),
          sealed.map((s) => s.idNumberSealed),
          sealed.map((s) => s.idNumberHash),
          sealed.map((s) => s.phoneSealed),
          sealed.map((s) => s.phoneHash),
          residents.map((r) => r.districtCode),
          new Date('2026-01-01T00:00:00+08:00'),
        ],
      );
      await appendAudit(tx, [{
        actor: systemActor, action: 'identity.demo.residents.create', entityType: 'person', entityId: `p_demo_${start}..${start + residents.length - 1}`,
        summary: { count: residents.length, keyId: identity.cipher.activeKeyId }, occurredAt: context.clock.now(),
      }]);
    });
  }
}

/** Loads the demo staff, clients and the first residents (demo mode, empty database). */
export async function loadIdentityDemo(context: PlatformContext, identity: IdentityService): Promise<void> {
  await context.database.transaction(async (tx) => {
    for (const staff of demoStaff) {
      await identity.createStaff(tx, { ...staff, password: DEMO_PASSWORD, demo: true }, systemActor);
    }
    for (const client of demoClients) {
      const [exists] = await tx.query('SELECT 1 FROM clients WHERE id = $1', [client.id]);
      if (!exists) await identity.registerClient(tx, { ...client, demo: true, secret: demoClientSecret(client.id) }, systemActor);
    }
  });
  await ensureDemoResidents(context, identity, DEMO_RESIDENTS_AT_START);
}

export type DemoRole = 'citizen' | 'admin' | 'merchant' | 'platform' | 'hall-staff';
export const demoRoles: DemoRole[] = ['citizen', 'admin', 'merchant', 'platform', 'hall-staff'];

export interface DemoToken {
  subject: string;
  token: string;
  name: string;
  idNumber?: string;
  role: string;
  hallId?: string;
  organisationId?: string;
}

const roleStaff: Record<'admin' | 'hall-staff', Role> = { admin: 'admin_platform', 'hall-staff': 'window_officer' };

/**
 * Tokens for N distinct demo subjects of a role (api-contract.md, Demo mode). Residents, tills and
 * hall staff are created when fewer exist; platforms are the designated ones, so at most that many.
 */
export async function demoTokens(context: PlatformContext, identity: IdentityService, role: DemoRole, count: number, ttlSeconds: number): Promise<DemoToken[]> {
  if (role === 'citizen') {
    await ensureDemoResidents(context, identity, count);
    const rows = await context.database.query<Parameters<IdentityService['personDto']>[0]>(
      `SELECT * FROM people WHERE demo AND kind = 'resident' ORDER BY id LIMIT $1`, [count],
    );
    return rows.map((person) => ({
      subject: person.id,
      token: identity.issuePersonToken(person, ttlSeconds).token,
      name: person.name,
      idNumber: identity.revealIdNumber(person)!,
      role: 'citizen',
    }));
  }
  if (role === 'admin' || role === 'hall-staff') {
    const staffRole = roleStaff[role];
    const existing = await context.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM people WHERE demo AND kind = 'staff' AND $1 = ANY (roles)`, [staffRole],
    );
    const missing = count - (existing[0]?.count ?? 0);
    if (missing > 0) {
      await context.database.transaction(async (tx) => {
        for (let index = 0; index < missing; index += 1) {
          const number = (existing[0]?.count ?? 0) + index + 1;
          await identity.createStaff(tx, {
            login: `${role}-demo-${String(number).padStart(4, '0')}`,
            name: role === 'admin' ? `管理员${number}` : `窗口民警${number}`,
            roles: [staffRole],
            hallId: role === 'hall-staff' ? DEMO_HALL_ID : undefined,
            demo: true,
          }, systemActor);
        }
      });
    }
    const rows = await context.database.query<Parameters<IdentityService['personDto']>[0]>(
      `SELECT * FROM people WHERE demo AND kind = 'staff' AND $1 = ANY (roles) ORDER BY created_at, id LIMIT $2`, [staffRole, count],
    );
    return rows.map((person) => ({
      subject: person.id,
      token: identity.issuePersonToken(person, ttlSeconds).token,
      name: person.name,
      role,
      ...(person.hall_id ? { hallId: person.hall_id } : {}),
    }));
  }
  const kind = role === 'merchant' ? 'merchant' : 'platform';
  if (kind === 'merchant') {
    const existing = await context.database.query<{ id: string }>(`SELECT id FROM clients WHERE kind = 'merchant' AND status = 'active' AND demo`);
    await context.database.transaction(async (tx) => {
      for (let number = existing.length + 1; number <= count; number += 1) {
        const id = `till-demo-${String(number).padStart(4, '0')}`;
        await identity.registerClient(tx, { id, name: `演示商户收银台 ${number}`, kind: 'merchant', organisationId: `merchant-demo-${String(number).padStart(4, '0')}`, demo: true, secret: demoClientSecret(id) }, systemActor);
      }
    });
  }
  const clients = await context.database.query<ClientRow>(
    `SELECT * FROM clients WHERE kind = $1 AND status = 'active' AND demo ORDER BY created_at, id LIMIT $2`, [kind, count],
  );
  return clients.map((client) => ({
    subject: client.id,
    token: identity.signer.sign(identity.clientClaims(client, ttlSeconds)),
    name: client.name,
    role,
    ...(client.organisation_id ? { organisationId: client.organisation_id } : {}),
  }));
}
