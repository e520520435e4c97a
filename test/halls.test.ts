import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokens } from '../src/modules/identity/demo.ts';
import { makeIdNumber, type IdentityService } from '../src/modules/identity/index.ts';
import type { HallsService } from '../src/modules/halls/index.ts';
import { systemActor, verifyAudit } from '../src/platform/audit.ts';
import { districtMap } from '../src/platform/geo.ts';
import { databaseKinds } from './support/databases.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const HALL = 'hall-hexi-xiawafang';
const OTHER_HALL = 'hall-hexi-youyilu';
const SERVICE_HALL = 'hall-service-hexi';
const MONDAY_10 = '2026-03-02T10:00:00+08:00';

interface Person {
  subject: string;
  token: string;
  idNumber?: string;
}

/**
 * Service halls, rule by rule (systems.md S1: POL-13–POL-23; reference.md 好差评 and working days;
 * api-contract.md "Service halls"), on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 */
describe.each(databaseKinds())('service halls (systems.md S1) on %s', (database) => {
  let server: TestServer;
  let halls: HallsService;
  let identity: IdentityService;
  /** Residents under 70 (no priority), handed out one per use so tests never share a person. */
  let residents: Person[];
  /** Residents aged 70 or more (demo residents born 1940-01-01). */
  let elderly: Person[];
  let next = 0;
  let officer: string;
  let lobby: string;
  let manager: string;
  let otherHallOfficer: string;
  let admin: string;
  let qrTag: string;
  let nfcTag: string;

  const resident = () => residents[next++]!;
  const inject = (options: InjectOptions) => server.platform.app.inject(options);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = (token: string | undefined, url: string) => inject({ method: 'GET', url, headers: token ? auth(token) : {} });
  const post = (token: string, url: string, payload: object = {}) => inject({ method: 'POST', url, headers: auth(token), payload });
  const at = (instant: string) => server.clock.set(instant);
  const take = (person: Person, body: object = {}, hallId = HALL, tag = qrTag) =>
    post(person.token, `/api/v1/halls/${hallId}/tickets`, { serviceId: 'id-card-renewal', via: 'qr', tagToken: tag, ...body });
  const windowsOf = async (hallId = HALL) => (await get(officer, `/api/v1/staff/halls/${hallId}/windows`)).json() as { id: string; open: boolean }[];
  const callNext = (windowId: string, token = officer) => post(token, `/api/v1/staff/windows/${windowId}/call-next`);
  const finish = (ticketId: string, outcome: 'done' | 'not_done' = 'done', reason?: string) =>
    post(officer, `/api/v1/staff/tickets/${ticketId}/finish`, reason === undefined ? { outcome } : { outcome, reason });
  /** Calls until the window has nobody left, finishing each, so a test starts with an empty queue. */
  const drain = async () => {
    for (const window of await windowsOf()) {
      const serving = (await get(officer, `/api/v1/staff/halls/${HALL}/windows`)).json().find((w: { id: string }) => w.id === window.id)?.serving;
      if (serving) await finish(serving.id);
    }
    const first = (await windowsOf())[0]!.id;
    for (;;) {
      const response = await callNext(first);
      if (response.statusCode === 204) break;
      await finish(response.json().ticket.id);
    }
  };

  beforeAll(async () => {
    server = await startTestServer({ database, demo: true, now: MONDAY_10 });
    halls = server.platform.services.get<HallsService>('halls');
    identity = server.platform.services.get<IdentityService>('identity');
    const year = 365 * 24 * 3600;
    const people = await demoTokens(server.platform.context, identity, 'citizen', 160, year);
    const born = (person: Person) => person.idNumber!.slice(6, 14);
    elderly = people.filter((person) => born(person) <= '19550101');
    residents = people.filter((person) => born(person) > '19600101');
    officer = (await demoTokens(server.platform.context, identity, 'hall-staff', 1, year))[0]!.token;
    const staff = await server.platform.context.database.transaction(async (tx) => ({
      lobby: await identity.createStaff(tx, { login: 'test-lobby', name: '测试大堂', roles: ['lobby_officer'], hallId: HALL }, systemActor),
      manager: await identity.createStaff(tx, { login: 'test-manager', name: '测试所长', roles: ['hall_manager'], hallId: HALL }, systemActor),
      other: await identity.createStaff(tx, { login: 'test-other', name: '他所民警', roles: ['window_officer'], hallId: OTHER_HALL }, systemActor),
      admin: await identity.createStaff(tx, { login: 'test-halls-admin', name: '网点管理员', roles: ['admin_halls'] }, systemActor),
    }));
    lobby = identity.issuePersonToken(staff.lobby, year).token;
    manager = identity.issuePersonToken(staff.manager, year).token;
    otherHallOfficer = identity.issuePersonToken(staff.other, year).token;
    admin = identity.issuePersonToken(staff.admin, year).token;
    const tags = (await get(officer, `/api/v1/staff/halls/${HALL}/tags`)).json() as { kind: string; token: string; url: string }[];
    qrTag = tags.find((tag) => tag.kind === 'qr')!.token;
    nfcTag = tags.find((tag) => tag.kind === 'nfc')!.token;
  });
  afterAll(async () => server?.close());

  it('POL-13, POL-16: the catalogue has the 4 categories, each item with documents, fee, time and the halls that handle it (demo data, marked)', async () => {
    const response = await get(undefined, '/api/v1/services');
    expect(response.statusCode).toBe(200);
    const catalogue = response.json();
    expect(catalogue.demo).toBe(true);
    expect(catalogue.categories.map((c: { name: string }) => c.name)).toEqual(['人口', '交管', '治安', '出入境']);
    expect(catalogue.items.length).toBeGreaterThanOrEqual(30);
    for (const category of catalogue.categories) {
      expect(catalogue.items.filter((item: { category: string }) => item.category === category.id).length, category.id).toBeGreaterThanOrEqual(5);
    }
    for (const item of catalogue.items) {
      expect(item.documents.length, item.id).toBeGreaterThan(0);
      expect(item.feeYuan).toMatch(/^\d+\.\d{2}$/);
      expect(item.windowMinutes).toBeGreaterThan(0);
      expect(item.halls.length, item.id).toBeGreaterThan(0);
    }
    // 一窗通办: the police station handles every item; the traffic police team only traffic items.
    const renewal = catalogue.items.find((item: { id: string }) => item.id === 'id-card-renewal');
    expect(renewal.halls).toContain(HALL);
    expect(renewal.halls).not.toContain('hall-traffic-hexi');
    expect(renewal.documents.map((d: { name: string }) => d.name)).toContain('居民身份证');
  });

  it('POL-01, POL-21: demo halls of the three types across the districts; 下瓦房派出所 lies in Hexi', async () => {
    const list = (await get(undefined, '/api/v1/halls')).json() as { id: string; type: string; districtCode: string; location: { lat: number; lng: number }; demo: boolean }[];
    expect(new Set(list.map((hall) => hall.type))).toEqual(new Set(['police_station', 'traffic_police', 'service_hall']));
    expect(new Set(list.map((hall) => hall.districtCode)).size).toBe(16);
    const xiawafang = list.find((hall) => hall.id === HALL)!;
    expect(xiawafang).toMatchObject({ type: 'police_station', districtCode: '120103', demo: true });
    expect(districtMap().districtAt(xiawafang.location.lat, xiawafang.location.lng)).toBe('120103');
    for (const hall of list) expect(districtMap().districtAt(hall.location.lat, hall.location.lng), hall.id).toBe(hall.districtCode);
  });

  it('POL-20, POL-22, POL-23: halls sorted by distance with name, address, phone, distance, navigation link and live status; filtered by type', async () => {
    const response = await get(undefined, '/api/v1/halls?lat=39.1036&lng=117.2197');
    expect(response.statusCode).toBe(200);
    const list = response.json() as { id: string; name: string; address: string; phone: string; distanceM: number; navigationUrl: string; status: Record<string, unknown> }[];
    expect(list[0]!.id).toBe(HALL);
    const distances = list.map((hall) => hall.distanceM);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(list[0]).toMatchObject({ name: '下瓦房派出所', address: expect.any(String), phone: expect.stringMatching(/^022-/) });
    expect(list[0]!.navigationUrl).toMatch(/^https:\/\/uri\.amap\.com\/marker\?position=117\.221,39\.1045&name=/);
    expect(list[0]!.status).toMatchObject({ queueLength: expect.any(Number), windowsOpen: expect.any(Number), nextBookableSlots: expect.any(Array) });
    const traffic = (await get(undefined, '/api/v1/halls?lat=39.1036&lng=117.2197&type=traffic_police')).json() as { type: string }[];
    expect(traffic.length).toBeGreaterThan(0);
    expect(traffic.every((hall) => hall.type === 'traffic_police')).toBe(true);
    expect((await get(undefined, '/api/v1/halls?lat=39.1')).statusCode).toBe(400);
    expect((await get(undefined, '/api/v1/halls?type=bank')).json().code).toBe('INVALID_REQUEST');
  });

  it('POL-19: a resident takes a ticket by the QR poster or the NFC sticker of the hall; number, position and an estimated wait range', async () => {
    await drain();
    const person = resident();
    const response = await take(person);
    expect(response.statusCode).toBe(201);
    const { ticket } = response.json();
    expect(ticket).toMatchObject({ number: expect.stringMatching(/^A\d{3}$/), hallId: HALL, serviceId: 'id-card-renewal', status: 'waiting', via: 'qr', position: 1 });
    expect(ticket.estimatedWaitMinutes).toEqual(expect.any(Number));
    expect(ticket.estimatedWaitRange.low).toBeLessThanOrEqual(ticket.estimatedWaitMinutes);
    expect(ticket.estimatedWaitRange.high).toBeGreaterThanOrEqual(ticket.estimatedWaitMinutes);
    const second = await take(resident(), { via: 'nfc', tagToken: nfcTag, serviceId: 'vehicle-transfer' });
    expect(second.statusCode).toBe(201);
    expect(second.json().ticket).toMatchObject({ number: expect.stringMatching(/^B\d{3}$/), position: 2 });
    const mine = (await get(person.token, '/api/v1/me/tickets')).json();
    expect(mine[0]).toMatchObject({ id: ticket.id, position: 1 });
  });

  it('POL-19: a forged, foreign, wrong-kind or rotated tag is TAG_INVALID', async () => {
    const person = resident();
    const forged = `${qrTag.slice(0, -4)}AAAA`;
    expect((await take(person, { tagToken: forged })).json().code).toBe('TAG_INVALID');
    expect((await take(person, { via: 'nfc' })).json().code).toBe('TAG_INVALID');
    const other = (await get(otherHallOfficer, `/api/v1/staff/halls/${OTHER_HALL}/tags`)).json()[1].token;
    const foreign = await take(person, { tagToken: other });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('TAG_INVALID');
    expect((await take(person, {}, OTHER_HALL, other)).statusCode).toBe(201);
    // Staff of another hall cannot read this hall's tags.
    expect((await get(otherHallOfficer, `/api/v1/staff/halls/${HALL}/tags`)).statusCode).toBe(403);
    // Rotating voids the printed tags; the new ones work.
    const rotated = (await post(manager, `/api/v1/staff/halls/${HALL}/tags/rotate`)).json() as { kind: string; token: string; url: string; generation: number }[];
    expect(rotated[0]!.generation).toBe(2);
    expect(rotated[1]!.url).toContain(`/citizen/halls/${HALL}/take?via=qr&tag=`);
    expect((await take(person, { tagToken: qrTag })).json().code).toBe('TAG_INVALID');
    qrTag = rotated.find((tag) => tag.kind === 'qr')!.token;
    nfcTag = rotated.find((tag) => tag.kind === 'nfc')!.token;
    expect((await take(person)).statusCode).toBe(201);
  });

  it('one active ticket per person and hall: a second is TICKET_ALREADY_ACTIVE naming the first; after it is finished a new one may be taken', async () => {
    await drain();
    const person = resident();
    const first = (await take(person)).json().ticket;
    const again = await take(person, { serviceId: 'passport-first' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'TICKET_ALREADY_ACTIVE', ticketId: first.id });
    const windowId = (await windowsOf())[0]!.id;
    const called = (await callNext(windowId)).json().ticket;
    expect(called.id).toBe(first.id);
    expect((await take(person)).json().code).toBe('TICKET_ALREADY_ACTIVE');
    await finish(first.id);
    expect((await take(person)).statusCode).toBe(201);
    await drain();
  });

  it('ticket numbers restart each day and keep counting past 999 without repeating', async () => {
    await drain();
    const db = server.platform.context.database;
    await db.execute(`UPDATE hall_counters SET ticket_seq = 998, ticket_day = '2026-03-02' WHERE hall_id = $1`, [OTHER_HALL]);
    const otherTag = (await get(otherHallOfficer, `/api/v1/staff/halls/${OTHER_HALL}/tags`)).json()[1].token;
    const numbers = [];
    for (let index = 0; index < 3; index += 1) numbers.push((await take(resident(), {}, OTHER_HALL, otherTag)).json().ticket.number);
    expect(numbers).toEqual(['A999', 'A1000', 'A1001']);
  });

  it('HALL_CLOSED outside opening hours; the official calendar decides: make-up Saturday open, Spring Festival closed, service halls closed on weekends', async () => {
    const person = resident();
    at('2026-03-02T08:30:00+08:00');
    expect((await take(person)).json().code).toBe('HALL_CLOSED');
    at('2026-03-02T17:00:00+08:00');
    expect((await take(person)).json().code).toBe('HALL_CLOSED');
    at('2026-02-17T10:00:00+08:00');
    const holiday = await take(person);
    expect(holiday.statusCode).toBe(409);
    expect(holiday.json().code).toBe('HALL_CLOSED');
    // Sat 2026-02-14 is a make-up working day (调休): working-day hours, open in the afternoon too.
    at('2026-02-14T15:00:00+08:00');
    const makeUp = await take(person);
    expect(makeUp.statusCode).toBe(201);
    await post(person.token, `/api/v1/me/tickets/${makeUp.json().ticket.id}/cancel`);
    // An ordinary Saturday: the police station opens in the morning only; the service hall not at all.
    at('2026-03-07T10:00:00+08:00');
    const saturday = await take(person);
    expect(saturday.statusCode).toBe(201);
    await post(person.token, `/api/v1/me/tickets/${saturday.json().ticket.id}/cancel`);
    at('2026-03-07T14:00:00+08:00');
    expect((await take(person)).json().code).toBe('HALL_CLOSED');
    const serviceHallTag = (await get(admin, `/api/v1/staff/halls/${SERVICE_HALL}/tags`)).json()[1].token;
    at('2026-03-07T10:00:00+08:00');
    expect((await take(person, {}, SERVICE_HALL, serviceHallTag)).json().code).toBe('HALL_CLOSED');
    at(MONDAY_10);
    // The lunch break does not turn arriving residents away.
    at('2026-03-02T12:30:00+08:00');
    const lunch = await take(person);
    expect(lunch.statusCode).toBe(201);
    await post(person.token, `/api/v1/me/tickets/${lunch.json().ticket.id}/cancel`);
    at(MONDAY_10);
  });

  it('POL-15: the lobby officer issues a ticket by identity number; the resident sees it as theirs; identity numbers are never stored in the hall tables', async () => {
    await drain();
    const person = residents.pop()!;
    const response = await post(lobby, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'lobby', idNumber: person.idNumber! });
    expect(response.statusCode).toBe(201);
    const { ticket } = response.json();
    expect(ticket).toMatchObject({ via: 'lobby', number: expect.stringMatching(/^A\d{3}$/) });
    expect((await get(person.token, `/api/v1/me/tickets/${ticket.id}`)).json()).toMatchObject({ id: ticket.id, status: 'waiting' });
    // Someone else's ticket is forbidden.
    expect((await get(resident().token, `/api/v1/me/tickets/${ticket.id}`)).statusCode).toBe(403);
    const again = await post(lobby, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'passport-first', via: 'lobby', idNumber: person.idNumber!.toLowerCase() });
    expect(again.json().code).toBe('TICKET_ALREADY_ACTIVE');
    const invalid = await post(lobby, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'lobby', idNumber: '120103199001011234' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('INVALID_ID_NUMBER');
    // A first visitor needs a name; then they are registered through the identity module.
    const newcomer = makeIdNumber('120104', '1950-06-01', 123);
    expect((await post(lobby, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'lobby', idNumber: newcomer })).json().code).toBe('NAME_REQUIRED');
    const created = await post(lobby, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'lobby', idNumber: newcomer, name: '新市民' });
    expect(created.statusCode).toBe(201);
    expect(created.json().ticket.priority).toBe('elderly');
    // Residents cannot use the lobby path, staff cannot use the tag path.
    expect((await post(resident().token, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'lobby', idNumber: newcomer })).statusCode).toBe(403);
    expect((await post(lobby, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'qr', tagToken: qrTag })).statusCode).toBe(403);
    expect((await post(otherHallOfficer, `/api/v1/halls/${HALL}/tickets`, { serviceId: 'hukou-move-in', via: 'lobby', idNumber: newcomer })).statusCode).toBe(403);
    // No hall table holds an identity number, and the audit log does not either.
    const db = server.platform.context.database;
    for (const table of ['hall_tickets', 'hall_appointments', 'hall_ratings', 'hall_reviews', 'hall_redirects']) {
      const [row] = await db.query<{ found: number }>(`SELECT count(*)::int AS found FROM ${table} t WHERE t::text LIKE $1 OR t::text LIKE $2`, [`%${person.idNumber}%`, `%${newcomer}%`]);
      expect(row!.found, table).toBe(0);
    }
    const [audit] = await db.query<{ found: number }>(`SELECT count(*)::int AS found FROM audit_log WHERE summary::text LIKE $1 OR summary::text LIKE $2`, [`%${person.idNumber}%`, `%${newcomer}%`]);
    expect(audit!.found).toBe(0);
    await drain();
  });

  it('POL-15: the lobby officer redirects a resident with missing documents; the redirect is counted in the quality report', async () => {
    const response = await post(lobby, `/api/v1/staff/halls/${HALL}/redirects`, { serviceId: 'hukou-move-in', reason: 'missing_documents', missingDocuments: ['move_in_basis'] });
    expect(response.statusCode).toBe(201);
    expect((await post(officer, `/api/v1/staff/halls/${HALL}/redirects`, { reason: 'online' })).statusCode).toBe(403);
    const report = (await get(manager, '/api/v1/staff/quality-report')).json();
    expect(report.redirects).toContainEqual({ reason: 'missing_documents', count: 1 });
  });

  it('the one fair queue: walk-ins in arrival order; an elderly resident (70+, from the identity number) moves ahead by the advance, and no further', async () => {
    await drain();
    const young = [resident(), resident(), resident()];
    const order: string[] = [];
    const issue = async (person: Person, instant: string, label: string) => {
      at(instant);
      const response = await take(person);
      expect(response.statusCode, label).toBe(201);
      order.push(label);
      return response.json().ticket;
    };
    const a = await issue(young[0]!, '2026-03-02T10:00:00+08:00', 'A walk-in 10:00');
    const b = await issue(young[1]!, '2026-03-02T10:05:00+08:00', 'B walk-in 10:05');
    const c = await issue(elderly[0]!, '2026-03-02T10:10:00+08:00', 'C elderly 10:10');
    expect(c.priority).toBe('elderly');
    expect(c.position).toBe(1); // key 09:50 is before A's 10:00
    const e = await issue(young[2]!, '2026-03-02T10:15:00+08:00', 'E walk-in 10:15');
    const d = await issue(elderly[1]!, '2026-03-02T10:40:00+08:00', 'D elderly 10:40');
    expect(d.position).toBe(5); // key 10:20: after E (10:15), the advance is 20 minutes and no more
    const windowId = (await windowsOf())[0]!.id;
    const called: string[] = [];
    for (;;) {
      const response = await callNext(windowId);
      if (response.statusCode === 204) break;
      called.push(response.json().ticket.id);
      await finish(response.json().ticket.id);
    }
    expect(called).toEqual([c.id, a.id, b.id, e.id, d.id]);
    at(MONDAY_10);
  });

  it('places in the two lanes of the queue (walk-ins; priority visitors and appointments): every new ticket is told the place the windows will call it in', async () => {
    await drain();
    // An appointment keyed after the elderly residents who come later (its slot is at 10:45).
    at('2026-03-02T09:00:00+08:00');
    const holder = resident();
    const appointment = (await post(holder.token, `/api/v1/halls/${HALL}/appointments`, { serviceId: 'id-card-renewal', slotStart: '2026-03-02T10:30:00+08:00' })).json();
    const elders = elderly.slice(2);
    let elder = 0;
    // Walk-ins every few minutes, elderly residents whose keys (arrival - 20 min) fall at the front,
    // in the middle and near the end of the walk-ins, and the appointment holder (key 10:30).
    const arrivals: [string, 'walk-in' | 'elderly' | 'appointment'][] = [
      ['10:00', 'walk-in'], ['10:03', 'walk-in'], ['10:06', 'elderly'], ['10:08', 'walk-in'], ['10:11', 'walk-in'],
      ['10:14', 'walk-in'], ['10:17', 'walk-in'], ['10:19', 'elderly'], ['10:21', 'appointment'], ['10:22', 'walk-in'],
      ['10:25', 'walk-in'], ['10:29', 'elderly'], ['10:31', 'walk-in'], ['10:40', 'elderly'], ['10:41', 'walk-in'], ['10:48', 'elderly'],
      ['10:49', 'walk-in'], ['10:58', 'elderly'],
    ];
    const issued: { id: string; position: number; label: string }[] = [];
    for (const [time, kind] of arrivals) {
      at(`2026-03-02T${time}:00+08:00`);
      const person = kind === 'appointment' ? holder : kind === 'elderly' ? elders[elder++]! : resident();
      const response = await take(person, kind === 'appointment' ? { appointmentId: appointment.id } : {});
      expect(response.statusCode, `${kind} ${time}`).toBe(201);
      const ticket = response.json().ticket as { id: string; position: number };
      issued.push({ id: ticket.id, position: ticket.position, label: `${kind} ${time}` });
      // The place told equals the place in the calling order now (the staff's queue view) and the place the ticket page shows.
      const queue = ((await get(officer, `/api/v1/staff/halls/${HALL}/queue`)).json() as { id: string; status: string }[]).filter((row) => row.status === 'waiting');
      expect(ticket.position, `${kind} ${time}`).toBe(queue.findIndex((row) => row.id === ticket.id) + 1);
      expect((await get(person.token, `/api/v1/me/tickets/${ticket.id}`)).json().position).toBe(ticket.position);
    }
    const positions = Object.fromEntries(issued.map((ticket) => [ticket.label, ticket.position]));
    // E 10:06 (key 09:46) first; A (key 10:30) after the eight before it; E 10:29 (key 10:09) after the
    // two elderly and the walk-ins of 10:00-10:08; E 10:40 (key 10:20) also after those of 10:11-10:17.
    expect(positions).toMatchObject({ 'elderly 10:06': 1, 'elderly 10:19': 2, 'appointment 10:21': 9, 'elderly 10:29': 6, 'elderly 10:40': 10 });
    // The windows call the two lanes as one queue: by key, then by number.
    const windowId = (await windowsOf())[0]!.id;
    const called: string[] = [];
    for (;;) {
      const response = await callNext(windowId);
      if (response.statusCode === 204) break;
      called.push(response.json().ticket.id);
      await finish(response.json().ticket.id);
    }
    expect(called).toHaveLength(arrivals.length);
    at(MONDAY_10);
  });

  it('appointments: book a slot; SLOT_FULL at capacity; SLOT_NOT_BOOKABLE off the grid or too late; APPOINTMENT_LIMIT_REACHED for a second one; cancel frees the place; reschedule', async () => {
    at(MONDAY_10);
    const slot = '2026-03-03T09:30:00+08:00';
    const book = (person: Person, body: object) => post(person.token, `/api/v1/halls/${HALL}/appointments`, { serviceId: 'passport-first', slotStart: slot, ...body });
    const people = [resident(), resident(), resident(), resident()];
    const booked = [];
    for (const person of people.slice(0, 3)) {
      const response = await book(person, {});
      expect(response.statusCode).toBe(201);
      booked.push(response.json());
    }
    expect(booked[0]).toMatchObject({ hallId: HALL, serviceId: 'passport-first', slotStart: slot, status: 'booked' });
    const full = await book(people[3]!, {});
    expect(full.statusCode).toBe(409);
    expect(full.json().code).toBe('SLOT_FULL');
    expect((await book(people[3]!, { slotStart: '2026-03-03T09:31:00+08:00' })).json().code).toBe('SLOT_NOT_BOOKABLE');
    expect((await book(people[3]!, { slotStart: '2026-03-02T10:00:00+08:00' })).json().code).toBe('SLOT_NOT_BOOKABLE');
    expect((await book(people[3]!, { slotStart: '2026-03-20T09:30:00+08:00' })).json().code).toBe('SLOT_NOT_BOOKABLE');
    expect((await book(people[3]!, { slotStart: '2026-03-07T14:00:00+08:00' })).json().code).toBe('SLOT_NOT_BOOKABLE');
    expect((await book(people[0]!, { slotStart: '2026-03-04T09:30:00+08:00' })).json().code).toBe('APPOINTMENT_LIMIT_REACHED');
    // Another item is another appointment.
    expect((await book(people[0]!, { serviceId: 'hk-macau-permit', slotStart: '2026-03-04T09:30:00+08:00' })).statusCode).toBe(201);
    const slots = (await get(undefined, `/api/v1/halls/${HALL}/slots?date=2026-03-03`)).json() as { start: string; remaining: number }[];
    expect(slots.find((s) => s.start === slot)!.remaining).toBe(0);
    const cancelled = await post(people[1]!.token, `/api/v1/me/appointments/${booked[1].id}/cancel`);
    expect(cancelled.json().status).toBe('cancelled');
    expect((await post(people[1]!.token, `/api/v1/me/appointments/${booked[1].id}/cancel`)).json().code).toBe('APPOINTMENT_NOT_ACTIVE');
    expect((await book(people[3]!, {})).statusCode).toBe(201);
    // Reschedule to a full slot fails and keeps the old place; to a free slot moves it.
    const moved = await post(people[2]!.token, `/api/v1/me/appointments/${booked[2].id}/reschedule`, { slotStart: '2026-03-03T10:00:00+08:00' });
    expect(moved.json()).toMatchObject({ slotStart: '2026-03-03T10:00:00+08:00', status: 'booked' });
    const refill = await book(resident(), {});
    expect(refill.statusCode).toBe(201);
    const back = await post(people[2]!.token, `/api/v1/me/appointments/${booked[2].id}/reschedule`, { slotStart: slot });
    expect(back.json().code).toBe('SLOT_FULL');
    expect((await get(people[2]!.token, '/api/v1/me/appointments')).json()[0]).toMatchObject({ slotStart: '2026-03-03T10:00:00+08:00' });
    expect((await post(people[3]!.token, `/api/v1/me/appointments/${booked[2].id}/cancel`)).statusCode).toBe(403);
    const db = server.platform.context.database;
    const [row] = await db.query<{ booked: number; capacity: number }>('SELECT booked, capacity FROM hall_slots WHERE hall_id = $1 AND starts_at = $2', [HALL, slot]);
    expect(row).toEqual({ booked: 3, capacity: 3 });
  });

  it('an appointment counts from its booked time within the early/late window; outside it the ticket is a walk-in', async () => {
    await drain();
    at('2026-03-02T09:00:00+08:00');
    const holder = resident();
    const late = resident();
    const appointment = (await post(holder.token, `/api/v1/halls/${HALL}/appointments`, { serviceId: 'id-card-renewal', slotStart: '2026-03-02T10:30:00+08:00' })).json();
    const lateAppointment = (await post(late.token, `/api/v1/halls/${HALL}/appointments`, { serviceId: 'id-card-renewal', slotStart: '2026-03-02T09:30:00+08:00' })).json();
    at('2026-03-02T10:20:00+08:00');
    const walkInBefore = (await take(resident())).json().ticket;
    at('2026-03-02T10:25:00+08:00');
    const early = await take(holder, { appointmentId: appointment.id });
    expect(early.statusCode).toBe(201);
    expect(early.json()).toMatchObject({ appointmentApplied: true, ticket: { queuedAt: '2026-03-02T10:30:00+08:00', appointmentId: appointment.id } });
    at('2026-03-02T10:28:00+08:00');
    const walkInAfter = (await take(resident())).json().ticket;
    // Arriving 60 minutes late: the appointment no longer counts, the ticket is a walk-in.
    at('2026-03-02T10:30:00+08:00');
    const tooLate = await take(late, { appointmentId: lateAppointment.id });
    expect(tooLate.json()).toMatchObject({ appointmentApplied: false, ticket: { appointmentId: null, queuedAt: '2026-03-02T10:30:00+08:00' } });
    at('2026-03-02T10:31:00+08:00');
    const walkInLast = (await take(resident())).json().ticket;
    expect((await get(holder.token, '/api/v1/me/appointments')).json()[0]).toMatchObject({ status: 'checked_in', ticketId: early.json().ticket.id });
    const windowId = (await windowsOf())[0]!.id;
    const called: string[] = [];
    for (;;) {
      const response = await callNext(windowId);
      if (response.statusCode === 204) break;
      called.push(response.json().ticket.id);
      await finish(response.json().ticket.id);
    }
    // 10:20 walk-in, 10:28 walk-in, the 10:30 appointment (counts from 10:30), the late one (10:30, issued later), 10:31.
    expect(called).toEqual([walkInBefore.id, walkInAfter.id, early.json().ticket.id, tooLate.json().ticket.id, walkInLast.id]);
    at(MONDAY_10);
  });

  it('window console: call-next answers 204 on an empty queue; WINDOW_BUSY; recall; no-show; transfer keeps the place; finish; REASON_REQUIRED', async () => {
    await drain();
    const [first, second] = await windowsOf();
    expect((await callNext(first!.id)).statusCode).toBe(204);
    const one = (await take(resident())).json().ticket;
    const two = (await take(resident())).json().ticket;
    const three = (await take(resident(), { serviceId: 'passport-first' })).json().ticket;
    const called = await callNext(first!.id);
    expect(called.statusCode).toBe(200);
    expect(called.json().ticket).toMatchObject({ id: one.id, status: 'called', window: { id: first!.id } });
    expect((await callNext(first!.id)).json().code).toBe('WINDOW_BUSY');
    const status = (await get(undefined, `/api/v1/halls/${HALL}/status`)).json();
    expect(status.calling).toMatchObject({ number: one.number, windowId: first!.id });
    const recalled = await post(officer, `/api/v1/staff/tickets/${one.id}/recall`);
    expect(recalled.json().ticket.status).toBe('called');
    expect((await post(officer, `/api/v1/staff/tickets/${one.id}/no-show`)).json().ticket.status).toBe('no_show');
    // Transfer the next one to another item and to the second window: it keeps its place and only that window calls it.
    const two2 = (await callNext(first!.id)).json().ticket;
    expect(two2.id).toBe(two.id);
    const transferred = await post(officer, `/api/v1/staff/tickets/${two.id}/transfer`, { serviceId: 'passport-renewal', windowId: second!.id });
    expect(transferred.statusCode).toBe(200);
    expect(transferred.json().ticket).toMatchObject({ status: 'waiting', serviceId: 'passport-renewal', position: 1 });
    expect((await post(officer, `/api/v1/staff/tickets/${two.id}/transfer`, {})).statusCode).toBe(400);
    expect((await callNext(first!.id)).json().ticket.id).toBe(three.id);
    expect((await callNext(second!.id)).json().ticket.id).toBe(two.id);
    // 不能办理 needs a reason.
    const noReason = await finish(three.id, 'not_done');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().code).toBe('REASON_REQUIRED');
    expect((await finish(three.id, 'not_done', '   ')).json().code).toBe('REASON_REQUIRED');
    const notDone = await finish(three.id, 'not_done', '缺少户口簿原件');
    expect(notDone.statusCode).toBe(200);
    expect(notDone.json()).toMatchObject({ ticket: { status: 'not_done', reason: '缺少户口簿原件' }, reviewId: expect.any(String) });
    expect((await finish(two.id)).json().ticket.status).toBe('done');
    expect((await finish(two.id)).json().code).toBe('TICKET_NOT_CALLED');
    // Staff of another hall cannot touch this hall's windows or tickets.
    expect((await callNext(first!.id, otherHallOfficer)).statusCode).toBe(403);
    expect((await get(otherHallOfficer, `/api/v1/staff/halls/${HALL}/windows`)).statusCode).toBe(403);
    // Closing a window is shown in the status.
    const closed = await inject({ method: 'PATCH', url: `/api/v1/staff/windows/${second!.id}`, headers: auth(officer), payload: { open: false } });
    expect(closed.json().open).toBe(false);
    expect((await get(undefined, `/api/v1/halls/${HALL}/status`)).json().windowsOpen).toBe(status.windowsOpen - 1);
    await inject({ method: 'PATCH', url: `/api/v1/staff/windows/${second!.id}`, headers: auth(officer), payload: { open: true } });
  });

  it('好差评: one rating of five levels after a finished ticket; NOT_FINISHED before; ALREADY_RATED after; bad ratings open a review', async () => {
    await drain();
    const person = resident();
    const ticket = (await take(person)).json().ticket;
    const rate = (level: number, token = person.token) => post(token, `/api/v1/me/tickets/${ticket.id}/rating`, { level, comment: '等候时间长' });
    expect((await rate(5)).json().code).toBe('NOT_FINISHED');
    const windowId = (await windowsOf())[0]!.id;
    await callNext(windowId);
    expect((await rate(5)).json().code).toBe('NOT_FINISHED');
    await finish(ticket.id);
    expect((await rate(6)).statusCode).toBe(400);
    expect((await rate(2, resident().token)).statusCode).toBe(403);
    const rated = await rate(2);
    expect(rated.statusCode).toBe(201);
    expect(rated.json()).toMatchObject({ level: 2, reviewId: expect.any(String) });
    const again = await rate(5);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_RATED');
    expect((await get(person.token, `/api/v1/me/tickets/${ticket.id}`)).json()).toMatchObject({ rated: true, ratingLevel: 2 });
    const reviews = (await get(manager, `/api/v1/staff/reviews?hallId=${HALL}`)).json() as { ticketId: string; kind: string; status: string }[];
    expect(reviews).toContainEqual(expect.objectContaining({ ticketId: ticket.id, kind: 'bad_rating', status: 'open' }));
    // A good rating opens nothing.
    const happy = resident();
    const good = (await take(happy)).json().ticket;
    await callNext(windowId);
    await finish(good.id);
    expect((await post(happy.token, `/api/v1/me/tickets/${good.id}/rating`, { level: 4 })).json().reviewId).toBeNull();
  });

  it('POL-17, 好差评 deadlines in official working days: a bad rating on Fri 2026-02-13 is called back by the end of Sat 2026-02-14 (make-up day); on Sat 2026-02-14 by the end of Tue 2026-02-24', async () => {
    const rateAt = async (issuedAt: string, ratedAt: string) => {
      at(issuedAt);
      const person = resident();
      const ticket = (await take(person)).json().ticket;
      const windowId = (await windowsOf())[0]!.id;
      for (;;) {
        const response = await callNext(windowId);
        expect(response.statusCode).toBe(200);
        await finish(response.json().ticket.id);
        if (response.json().ticket.id === ticket.id) break;
      }
      at(ratedAt);
      const rated = await post(person.token, `/api/v1/me/tickets/${ticket.id}/rating`, { level: 1 });
      expect(rated.statusCode).toBe(201);
      return (await get(manager, `/api/v1/staff/reviews/${rated.json().reviewId}`)).json();
    };
    const friday = await rateAt('2026-02-13T10:00:00+08:00', '2026-02-13T16:30:00+08:00');
    expect(friday).toMatchObject({ kind: 'bad_rating', openedAt: '2026-02-13T16:30:00+08:00', callbackDueAt: '2026-02-15T00:00:00+08:00', rectifyDueAt: '2026-03-13T00:00:00+08:00' });
    const saturday = await rateAt('2026-02-14T10:00:00+08:00', '2026-02-14T11:00:00+08:00');
    expect(saturday).toMatchObject({ callbackDueAt: '2026-02-25T00:00:00+08:00', rectifyDueAt: '2026-03-14T00:00:00+08:00' });
    // Past the call-back deadline without a call-back, the item shows as overdue.
    at('2026-02-25T00:00:01+08:00');
    expect((await get(manager, `/api/v1/staff/reviews/${saturday.id}`)).json()).toMatchObject({ callbackOverdue: true, rectifyOverdue: false });
    // The deadlines are configurable (in working days).
    const policy = (await get(admin, '/api/v1/admin/halls/policy')).json();
    expect(policy.review).toEqual({ callbackWorkingDays: 1, rectifyWorkingDays: 15 });
    const changed = await inject({ method: 'PUT', url: '/api/v1/admin/halls/policy', headers: auth(admin), payload: { ...policy, review: { callbackWorkingDays: 2, rectifyWorkingDays: 5 } } });
    expect(changed.statusCode).toBe(200);
    const configured = await rateAt('2026-02-13T09:30:00+08:00', '2026-02-13T16:00:00+08:00');
    expect(configured).toMatchObject({ callbackDueAt: '2026-02-25T00:00:00+08:00', rectifyDueAt: '2026-02-28T00:00:00+08:00' });
    await inject({ method: 'PUT', url: '/api/v1/admin/halls/policy', headers: auth(admin), payload: policy });
    at(MONDAY_10);
  });

  it('the review console: call back, rectify, close; an appeal is decided by the halls administrator; steps out of order are refused', async () => {
    const [item] = (await get(manager, `/api/v1/staff/reviews?hallId=${HALL}&status=open&kind=bad_rating`)).json() as { id: string; allowedActions: string[] }[];
    expect(item!.allowedActions).toEqual(['callback']);
    expect((await post(manager, `/api/v1/staff/reviews/${item!.id}/rectify`, { note: '整改' })).json().code).toBe('REVIEW_ACTION_NOT_ALLOWED');
    expect((await post(manager, `/api/v1/staff/reviews/${item!.id}/callback`, { note: '' })).statusCode).toBe(400);
    const calledBack = await post(officer, `/api/v1/staff/reviews/${item!.id}/callback`, { note: '已电话回访，群众反映等候时间长' });
    expect(calledBack.json()).toMatchObject({ status: 'called_back', calledBackAt: expect.any(String) });
    expect((await post(manager, `/api/v1/staff/reviews/${item!.id}/rectify`, { note: '高峰时段增开窗口' })).json().status).toBe('rectifying');
    expect((await post(officer, `/api/v1/staff/reviews/${item!.id}/close`, { note: '已整改' })).statusCode).toBe(403);
    const closed = await post(manager, `/api/v1/staff/reviews/${item!.id}/close`, { note: '已整改并反馈', resolution: 'rectified' });
    expect(closed.json()).toMatchObject({ status: 'closed', resolution: 'rectified' });
    // An appeal (申诉复核) of another item.
    const [other] = (await get(manager, `/api/v1/staff/reviews?hallId=${HALL}&status=open`)).json() as { id: string }[];
    await post(manager, `/api/v1/staff/reviews/${other!.id}/callback`, { note: '回访' });
    expect((await post(manager, `/api/v1/staff/reviews/${other!.id}/appeal`, { note: '评价与办理无关' })).json().status).toBe('appealed');
    expect((await post(manager, `/api/v1/staff/reviews/${other!.id}/close`, { note: '维持', resolution: 'appeal_upheld' })).statusCode).toBe(403);
    expect((await post(admin, `/api/v1/staff/reviews/${other!.id}/close`, { note: '申诉成立', resolution: 'appeal_upheld' })).json()).toMatchObject({ status: 'closed', resolution: 'appeal_upheld' });
    // Staff of another hall see none of this hall's items.
    expect((await get(otherHallOfficer, `/api/v1/staff/reviews?hallId=${HALL}`)).statusCode).toBe(403);
    expect((await get(otherHallOfficer, '/api/v1/staff/reviews')).json().every((r: { hallId: string }) => r.hallId === OTHER_HALL)).toBe(true);
  });

  it('POL-17, POL-18: the quality report per hall and item: most requested, most often not done, bad-rating rate, waiting and service times', async () => {
    const report = (await get(admin, '/api/v1/staff/quality-report?from=2026-02-01&to=2026-03-31')).json();
    expect(report.totals.tickets).toBeGreaterThan(10);
    expect(report.mostRequested[0].serviceId).toBe('id-card-renewal');
    expect(report.mostNotDone[0]).toMatchObject({ serviceId: 'passport-first', notDone: 1 });
    const renewal = report.items.find((item: { serviceId: string }) => item.serviceId === 'id-card-renewal');
    expect(renewal.badRatings).toBeGreaterThanOrEqual(3);
    expect(renewal.badRatingRate).toBeGreaterThan(0);
    expect(renewal).toHaveProperty('waitMinutesP50');
    expect(renewal).toHaveProperty('serviceMinutesP90');
    const hall = report.halls.find((row: { hallId: string }) => row.hallId === HALL);
    expect(hall.reviews.closed).toBe(2);
    expect(report.daily.length).toBeGreaterThan(1);
    // Hall staff see their own hall only.
    expect((await get(officer, `/api/v1/staff/quality-report?hallId=${OTHER_HALL}`)).statusCode).toBe(403);
    expect((await get(officer, '/api/v1/staff/quality-report')).json().hallId).toBe(HALL);
  });

  it('the estimate comes from observed service times: with enough finished tickets it follows them', async () => {
    await drain();
    const policy = (await get(admin, '/api/v1/admin/halls/policy')).json();
    await inject({ method: 'PUT', url: '/api/v1/admin/halls/policy', headers: auth(admin), payload: { ...policy, estimate: { ...policy.estimate, sampleSize: 8 } } });
    const windows = await windowsOf();
    for (const window of windows.slice(1)) await inject({ method: 'PATCH', url: `/api/v1/staff/windows/${window.id}`, headers: auth(officer), payload: { open: false } });
    // Eight tickets served in 6 minutes each.
    for (let index = 0; index < 8; index += 1) {
      at(`2026-03-02T11:${String(index * 6).padStart(2, '0')}:00+08:00`);
      const ticket = (await take(resident())).json().ticket;
      await callNext(windows[0]!.id);
      at(`2026-03-02T11:${String(index * 6 + 6).padStart(2, '0')}:00+08:00`);
      await finish(ticket.id);
    }
    at('2026-03-02T11:50:00+08:00');
    const waiting = [];
    for (let index = 0; index < 4; index += 1) waiting.push((await take(resident())).json().ticket);
    const last = waiting[3]!;
    // One window, three ahead of it, 6 minutes each: about 18 + 3 (half the ticket at the window) minutes.
    expect(last.position).toBe(4);
    expect(last.estimatedWaitRange.low).toBeLessThanOrEqual(18);
    expect(last.estimatedWaitMinutes).toBeGreaterThanOrEqual(15);
    expect(last.estimatedWaitMinutes).toBeLessThanOrEqual(24);
    for (const window of windows.slice(1)) await inject({ method: 'PATCH', url: `/api/v1/staff/windows/${window.id}`, headers: auth(officer), payload: { open: true } });
    await inject({ method: 'PUT', url: '/api/v1/admin/halls/policy', headers: auth(admin), payload: policy });
    await drain();
    at(MONDAY_10);
  });

  it('administrators edit the catalogue and halls, import them from CSV (all or nothing) and export them', async () => {
    const item = {
      id: 'residence-certificate', category: 'population', name: { 'zh-CN': '居住证明', en: 'Certificate of residence' },
      documents: [{ id: 'id_card', name: { 'zh-CN': '居民身份证', en: 'Resident identity card' } }], feeYuan: '0.00', feeNote: null, completion: null, windowMinutes: 5, active: true,
    };
    const put = await inject({ method: 'PUT', url: '/api/v1/admin/halls/services/residence-certificate', headers: auth(admin), payload: item });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id: 'residence-certificate', demo: false, halls: expect.arrayContaining([HALL]) });
    expect((await inject({ method: 'PUT', url: '/api/v1/admin/halls/services/residence-certificate', headers: auth(officer), payload: item })).statusCode).toBe(403);
    const csv = (await get(admin, '/api/v1/admin/halls/services.csv')).body;
    expect(csv.split('\r\n')[0]).toBe('id,category,name_zh,name_en,documents,fee_yuan,fee_note_zh,fee_note_en,completion_zh,completion_en,window_minutes,active');
    const imported = await post(admin, '/api/v1/admin/halls/services/import', {
      csv: 'id,category,name_zh,name_en,documents,fee_yuan,window_minutes\r\nfirearm-record,public_order,"枪支备案, 演示",Firearm record,id_card|单位证明::Company letter,0,15\r\nid-card-renewal,population,居民身份证到期换领,Renewing an ID card,id_card|standard_photo,20.00,9\r\n',
    });
    expect(imported.json()).toEqual({ created: 1, updated: 1 });
    const firearm = (await get(undefined, '/api/v1/services/firearm-record')).json();
    expect(firearm).toMatchObject({ name: '枪支备案, 演示', documents: [{ id: 'id_card' }, { name: '单位证明', names: { en: 'Company letter' } }] });
    const bad = await post(admin, '/api/v1/admin/halls/services/import', { csv: 'id,category,name_zh,name_en,documents,fee_yuan,window_minutes\r\nok-item,population,好,Good,id_card,0,5\r\nBAD ID,nowhere,坏,Bad,,x,0\r\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('IMPORT_INVALID');
    expect((await get(undefined, '/api/v1/services/ok-item')).statusCode).toBe(404);

    const hallCsv = [
      'id,type,name_zh,name_en,district_code,address,phone,lat,lng,working_day_hours,rest_day_hours,slot_minutes,slot_capacity,windows',
      'hall-nankai-test,police_station,测试派出所,Test Police Station,120104,南开区测试路1号,022-12345678,39.1330,117.1650,09:00-12:00;13:30-17:00,09:00-12:00,30,2,1号窗口=*;2号窗口=category:traffic|id-card-renewal',
    ].join('\r\n');
    expect((await post(admin, '/api/v1/admin/halls/import', { csv: hallCsv })).json()).toEqual({ created: 1, updated: 0 });
    const detail = (await get(undefined, '/api/v1/halls/hall-nankai-test')).json();
    expect(detail.windows).toEqual([
      { id: 'hall-nankai-test-w1', name: '1号窗口', names: expect.any(Object), services: ['*'] },
      { id: 'hall-nankai-test-w2', name: '2号窗口', names: expect.any(Object), services: ['category:traffic', 'id-card-renewal'] },
    ]);
    const outside = hallCsv.replace('39.1330,117.1650', '39.9087,116.3975');
    expect((await post(admin, '/api/v1/admin/halls/import', { csv: outside })).json().code).toBe('IMPORT_INVALID');
    const exported = (await get(admin, '/api/v1/admin/halls.csv')).body;
    expect(exported).toContain('hall-nankai-test,police_station,测试派出所');
    // A hall edited in the console: fewer windows retires the others.
    const edited = { ...detail, windows: [detail.windows[0]] };
    const body = {
      id: edited.id, type: edited.type, name: edited.names, districtCode: edited.districtCode, address: edited.address, phone: edited.phone,
      location: edited.location, hours: edited.hours, slotMinutes: edited.slotMinutes, slotCapacity: edited.slotCapacity,
      windows: [{ id: 'hall-nankai-test-w1', name: { 'zh-CN': '1号窗口', en: 'Window 1' }, services: ['*'] }],
    };
    const updated = await inject({ method: 'PUT', url: '/api/v1/admin/halls/hall-nankai-test', headers: auth(admin), payload: body });
    expect(updated.statusCode).toBe(200);
    expect((await get(undefined, '/api/v1/halls/hall-nankai-test')).json().windows).toHaveLength(1);
  });

  it('every state change is in the audit log', async () => {
    const rows = await server.platform.context.database.query<{ action: string }>(`SELECT DISTINCT action FROM audit_log WHERE action LIKE 'halls.%'`);
    const actions = new Set(rows.map((row) => row.action));
    for (const action of [
      'halls.demo.load', 'halls.tickets.issue', 'halls.ticket.call', 'halls.ticket.recall', 'halls.ticket.no_show', 'halls.ticket.transfer', 'halls.ticket.done',
      'halls.ticket.not_done', 'halls.ticket.cancel', 'halls.window.open', 'halls.window.close', 'halls.appointment.book', 'halls.appointment.cancel',
      'halls.appointment.reschedule', 'halls.rating.create', 'halls.review.open', 'halls.review.callback', 'halls.review.rectify', 'halls.review.appeal',
      'halls.review.close', 'halls.tags.rotate', 'halls.triage.redirect', 'halls.policy.set', 'halls.service.create', 'halls.services.import', 'halls.halls.import', 'halls.hall.update',
    ]) {
      expect(actions.has(action), action).toBe(true);
    }
    // The chain, ticket batches' entries (appended in the database) included, verifies.
    const verification = await verifyAudit(server.platform.context.database);
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
  });

  it('end of day: waiting tickets expire and stop blocking; booked appointments past their window are missed', async () => {
    at('2026-03-02T16:00:00+08:00');
    const person = resident();
    const ticket = (await take(person)).json().ticket;
    at('2026-03-03T00:05:00+08:00');
    const closed = await halls.closeDay();
    expect(closed.tickets).toBeGreaterThanOrEqual(1);
    expect((await get(person.token, `/api/v1/me/tickets/${ticket.id}`)).json().status).toBe('expired');
    at('2026-03-03T09:10:00+08:00');
    expect((await take(person)).statusCode).toBe(201);
    at(MONDAY_10);
  });

  it('POL-19: a ticket left from an earlier day (the end-of-day job did not run) does not block, is expired by the next ticket and named in its audit entry', async () => {
    at('2026-03-02T16:00:00+08:00');
    const person = resident();
    const old = (await take(person)).json().ticket;
    expect((await take(person)).statusCode).toBe(409); // still the same day: TICKET_ALREADY_ACTIVE
    at('2026-03-03T09:20:00+08:00');
    const next = await take(person);
    expect(next.statusCode).toBe(201);
    expect((await get(person.token, `/api/v1/me/tickets/${old.id}`)).json().status).toBe('expired');
    const [entry] = await server.platform.context.database.query<{ summary: { expired?: string[]; fields: string; tickets: string[]; requestIds: string[] } }>(
      `SELECT summary FROM audit_log WHERE action = 'halls.tickets.issue' AND summary::text LIKE $1 ORDER BY position DESC LIMIT 1`,
      [`%${next.json().ticket.id}%`],
    );
    expect(entry!.summary.expired).toEqual([old.id]);
    // POL-19: the batch's entry names every ticket with its number, hall, item, person, channel and issuer.
    expect(entry!.summary.fields).toBe('ticket|number|hall|service|person|via|issuedBy|priority|appointment');
    const issued = next.json().ticket;
    expect(entry!.summary.tickets).toContain(`${issued.id}|${issued.number}|${HALL}|id-card-renewal|${person.subject}|qr|${person.subject}||`);
    expect(entry!.summary.tickets).toHaveLength(entry!.summary.requestIds.length);
    at(MONDAY_10);
  });

  it('the elderly priority comes from the birth date the signed token carries; a token without one reads the identity number', async () => {
    at(MONDAY_10);
    const tag = ((await get(otherHallOfficer, `/api/v1/staff/halls/${OTHER_HALL}/tags`)).json() as { kind: string; token: string }[]).find((t) => t.kind === 'qr')!.token;
    const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { birthDate?: string };
    const takeThere = (token: string) => post(token, `/api/v1/halls/${OTHER_HALL}/tickets`, { serviceId: 'id-card-renewal', via: 'qr', tagToken: tag });
    const old = elderly[elderly.length - 1]!;
    const young = resident();
    const idBirth = (person: Person) => person.idNumber!.replace(/^\d{6}(\d{4})(\d{2})(\d{2}).*$/, '$1-$2-$3');
    // Issued tokens carry the birth date of the identity number.
    expect(payload(old.token).birthDate).toBe(idBirth(old));
    expect(payload(young.token).birthDate).toBe(idBirth(young));
    // The ticket takes the token's birth date: a resident under 70 whose token says 1940 is elderly ...
    const youngRow = (await identity.findPerson(young.subject))!;
    const said1940 = identity.signer.sign({ ...identity.claimsForPerson(youngRow, 3600), birthDate: '1940-01-01' });
    const first = await takeThere(said1940);
    expect(first.statusCode).toBe(201);
    expect(first.json().ticket.priority).toBe('elderly');
    // ... and a token without one (issued before tokens carried it) falls back to the identity number.
    const { birthDate: _dropped, ...withoutBirthDate } = identity.claimsForPerson((await identity.findPerson(old.subject))!, 3600);
    expect(_dropped).toBe(idBirth(old));
    const second = await takeThere(identity.signer.sign(withoutBirthDate));
    expect(second.statusCode).toBe(201);
    expect(second.json().ticket.priority).toBe('elderly');
  });

  it('the waiting counts behind every place (hall_queue_counts) equal the waiting tickets after all of the above: walk-ins, priority, appointments, calls, transfers, cancellations, expiry', async () => {
    const db = server.platform.context.database;
    const counted = await db.query<{ k: string; waiting: number }>(
      `SELECT hall_id || '|' || day || '|' || service_id || '|' || advanced AS k, waiting FROM hall_queue_counts WHERE waiting <> 0 ORDER BY 1`,
    );
    const actual = await db.query<{ k: string; waiting: number }>(
      `SELECT hall_id || '|' || day || '|' || service_id || '|' || (priority IS NOT NULL OR appointment_id IS NOT NULL) AS k, count(*)::int AS waiting
         FROM hall_tickets WHERE status = 'waiting' GROUP BY 1 ORDER BY 1`,
    );
    expect(actual.some((row) => row.k.endsWith('|true'))).toBe(true);
    expect(actual.some((row) => row.k.endsWith('|false'))).toBe(true);
    expect(counted).toEqual(actual);
    // The key bounds kept with the counts contain every waiting ticket's key.
    const outside = await db.query(
      `SELECT t.id FROM hall_tickets t JOIN hall_queue_counts q
          ON q.hall_id = t.hall_id AND q.day = t.day AND q.service_id = t.service_id AND q.advanced = (t.priority IS NOT NULL OR t.appointment_id IS NOT NULL)
        WHERE t.status = 'waiting' AND (q.first_key IS NULL OR q.last_key IS NULL OR t.queue_key < q.first_key OR t.queue_key > q.last_key)`,
    );
    expect(outside).toEqual([]);
  });

  it('a ticket batch naming an item outside the catalogue is refused whole, as the foreign key did; items and appointments are never deleted', async () => {
    const db = server.platform.context.database;
    const [before] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM hall_tickets');
    const batch = (services: string[]) =>
      db.query(
        'SELECT hall_take_tickets($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], ' +
          '$9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[], $14::date, $15::timestamptz) AS result',
        [
          services.map((_, i) => `tk_fk_${i}`), services.map(() => SERVICE_HALL), services, services.map((_, i) => `px_fk_${i}`), services.map(() => 'qr'),
          services.map(() => null), services.map(() => null), services.map(() => '2026-03-02T02:00:00Z'), services.map(() => '2026-03-02T02:00:00Z'),
          services.map(() => 'A'), services.map(() => null), services.map((_, i) => `px_fk_${i}`), services.map(() => 'r'), '2026-03-02', '2026-03-02T02:00:00Z',
        ],
      );
    await expect(batch(['passport-first', 'no-such-item'])).rejects.toMatchObject({ code: '23503' });
    const [after] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM hall_tickets');
    expect(after!.count).toBe(before!.count);
    await expect(db.execute(`DELETE FROM hall_services WHERE id = 'passport-first'`)).rejects.toThrow(/never deleted/);
    await expect(db.execute('DELETE FROM hall_appointments')).rejects.toThrow(/never deleted/);
    await expect(db.execute('DELETE FROM hall_windows')).rejects.toThrow(/never deleted/);
  });

  it("a ticket's item, appointment and windows must exist when staff change them (checked on update, as the foreign keys did)", async () => {
    const db = server.platform.context.database;
    const [ticket] = await db.query<{ id: string }>('SELECT id FROM hall_tickets ORDER BY issued_at LIMIT 1');
    for (const [column, value] of [['service_id', 'no-such-item'], ['appointment_id', 'ap_none'], ['window_id', 'win-none'], ['target_window_id', 'win-none']]) {
      await expect(db.execute(`UPDATE hall_tickets SET ${column} = $2 WHERE id = $1`, [ticket!.id, value]), column).rejects.toMatchObject({ code: '23503' });
    }
    const [window] = await db.query<{ id: string }>('SELECT id FROM hall_windows ORDER BY id LIMIT 1');
    expect(await db.execute('UPDATE hall_tickets SET target_window_id = $2 WHERE id = $1', [ticket!.id, window!.id])).toBe(1);
    expect(await db.execute('UPDATE hall_tickets SET target_window_id = NULL WHERE id = $1', [ticket!.id])).toBe(1);
  });
});
