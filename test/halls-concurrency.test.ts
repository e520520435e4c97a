import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlatform, type Platform } from '../src/app.ts';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import { SettableClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { databaseKinds, freshDatabase, type TestDatabase } from './support/databases.ts';

const HALL = 'hall-hexi-xiawafang';

interface Answer {
  status: number;
  body: Record<string, any>;
}

/**
 * The invariants of docs/modules/halls.md under concurrency: a slot never holds more bookings
 * than its capacity, one active appointment per person and item, one active ticket per person and
 * hall, ticket numbers unique and without gaps, every ticket called once, and live status across
 * processes. On PostgreSQL two platform instances (two "processes") share one database.
 */
describe.each(databaseKinds())('hall invariants under concurrency on %s', (kind) => {
  let database: TestDatabase;
  const platforms: Platform[] = [];
  const extraHandles: Database[] = [];
  const urls: string[] = [];
  let residents: { subject: string; token: string }[];
  let officer: string;
  let tag: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haihe-halls-concurrency-'));

  const send = (index: number, method: 'GET' | 'POST', url: string, token: string, payload?: object): Promise<Answer> =>
    platforms[index % platforms.length]!.app
      .inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
      .then((response) => ({ status: response.statusCode, body: response.body ? response.json() : {} }));
  const tally = (answers: Answer[]) => {
    const counts: Record<string, number> = {};
    for (const answer of answers) {
      const key = answer.status >= 400 ? `${answer.status} ${answer.body.code}` : String(answer.status);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  beforeAll(async () => {
    database = await freshDatabase(kind, 16);
    const clock = new SettableClock('2026-03-02T10:00:00+08:00');
    const instances = kind === 'postgres' ? 2 : 1;
    for (let index = 0; index < instances; index += 1) {
      const config = loadConfig({ DATA_DIR: dataDir, HAIHE_DEMO: index === 0 ? '1' : '0', HAIHE_JOBS: '0', LOG_LEVEL: 'silent' });
      // A second process on PostgreSQL opens its own pool on the same database.
      let own = database.database;
      if (index > 0) {
        own = await openDatabase({ databaseUrl: database.url, dataDir: '', poolSize: 8 });
        extraHandles.push(own);
      }
      const platform = await buildPlatform({ config, clock, database: own, logger: createLogger('silent'), serveWeb: false, startJobs: false });
      platforms.push(platform);
      urls.push(await platform.app.listen({ port: 0, host: '127.0.0.1' }));
    }
    const identity = platforms[0]!.services.get<IdentityService>('identity');
    residents = await demoTokens(platforms[0]!.context, identity, 'citizen', 300, 3600);
    officer = (await demoTokens(platforms[0]!.context, identity, 'hall-staff', 1, 3600))[0]!.token;
    tag = (await send(0, 'GET', `/api/v1/staff/halls/${HALL}/tags`, officer)).body.find((entry: { kind: string }) => entry.kind === 'qr').token;
  });
  afterAll(async () => {
    for (const platform of platforms.reverse()) await platform.close();
    for (const handle of extraHandles) await handle.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('capacity: 60 residents booking one slot of capacity 3 at once get exactly 3 places; the rest SLOT_FULL', async () => {
    const slotStart = '2026-03-03T09:00:00+08:00';
    const answers = await Promise.all(
      residents.slice(0, 60).map((person, index) => send(index, 'POST', `/api/v1/halls/${HALL}/appointments`, person.token, { serviceId: 'passport-first', slotStart })),
    );
    expect(tally(answers)).toEqual({ 201: 3, '409 SLOT_FULL': 57 });
    const db = database.database;
    const [slot] = await db.query<{ booked: number; capacity: number }>('SELECT booked, capacity FROM hall_slots WHERE hall_id = $1 AND starts_at = $2', [HALL, slotStart]);
    expect(slot).toEqual({ booked: 3, capacity: 3 });
    const [stored] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM hall_appointments WHERE slot_start = $1 AND status = 'booked'`, [slotStart]);
    expect(stored!.count).toBe(3);
  });

  it('one active appointment per person and item: 12 concurrent bookings of different slots by one person leave exactly one', async () => {
    const person = residents[60]!;
    const starts = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00'].map((time) => `2026-03-04T${time}:00+08:00`);
    const answers = await Promise.all(starts.map((slotStart, index) => send(index, 'POST', `/api/v1/halls/${HALL}/appointments`, person.token, { serviceId: 'hk-macau-permit', slotStart })));
    expect(tally(answers)).toEqual({ 201: 1, '409 APPOINTMENT_LIMIT_REACHED': 11 });
    const db = database.database;
    const [booked] = await db.query<{ total: number }>(`SELECT coalesce(sum(booked), 0)::int AS total FROM hall_slots WHERE hall_id = $1 AND starts_at >= '2026-03-04' AND starts_at < '2026-03-05'`, [HALL]);
    expect(booked!.total).toBe(1);
  });

  it('one active ticket per person and hall: 20 concurrent requests by one person give one ticket; 100 people × 3 requests give 100 numbers without gaps', async () => {
    const take = (index: number, token: string, serviceId = 'id-card-renewal') =>
      send(index, 'POST', `/api/v1/halls/${HALL}/tickets`, token, { serviceId, via: 'qr', tagToken: tag });
    const one = residents[61]!;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => take(index, one.token, index % 2 ? 'passport-first' : 'id-card-renewal')));
    expect(tally(answers)).toEqual({ 201: 1, '409 TICKET_ALREADY_ACTIVE': 19 });
    const crowd = residents.slice(100, 200);
    const many = await Promise.all(crowd.flatMap((person, index) => [take(index, person.token), take(index + 1, person.token), take(index, person.token, 'passport-renewal')]));
    expect(tally(many)).toEqual({ 201: 100, '409 TICKET_ALREADY_ACTIVE': 200 });
    const db = database.database;
    const rows = await db.query<{ person_id: string; seq: number; number: string }>(`SELECT person_id, seq, number FROM hall_tickets WHERE hall_id = $1 AND status = 'waiting'`, [HALL]);
    expect(rows.length).toBe(101);
    expect(new Set(rows.map((row) => row.person_id)).size).toBe(101);
    expect(rows.map((row) => row.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, index) => index + 1));
    expect(new Set(rows.map((row) => row.number)).size).toBe(101);
    // Positions handed out are the queue order.
    const positions = many.filter((answer) => answer.status === 201).map((answer) => answer.body.ticket.position as number).sort((a, b) => a - b);
    expect(new Set(positions).size).toBe(100);
  });

  it('windows calling at once (on every instance) call every waiting ticket exactly once, one ticket per window at a time', async () => {
    const windows = (await send(0, 'GET', `/api/v1/staff/halls/${HALL}/windows`, officer)).body as { id: string }[];
    expect(windows.length).toBe(4);
    const called: string[] = [];
    await Promise.all(
      windows.map(async (window, index) => {
        for (;;) {
          const answer = await send(index, 'POST', `/api/v1/staff/windows/${window.id}/call-next`, officer);
          if (answer.status === 204) return;
          expect(answer.status).toBe(200);
          called.push(answer.body.ticket.id);
          const finished = await send(index + 1, 'POST', `/api/v1/staff/tickets/${answer.body.ticket.id}/finish`, officer, { outcome: 'done' });
          expect(finished.status).toBe(200);
        }
      }),
    );
    expect(called.length).toBe(101);
    expect(new Set(called).size).toBe(101);
    const db = database.database;
    const [left] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM hall_tickets WHERE hall_id = $1 AND status IN ('waiting', 'called')`, [HALL]);
    expect(left!.count).toBe(0);
  });

  it('POL-23: the live status is pushed as server-sent events within a second of a change, also when the change is made by another instance', async () => {
    const subscriberUrl = urls[urls.length - 1]!;
    const controller = new AbortController();
    const response = await fetch(`${subscriberUrl}/api/v1/halls/${HALL}/status`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const statuses: { queueLength: number; at: number }[] = [];
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((line) => line.startsWith('data: '));
          if (data) statuses.push({ ...JSON.parse(data.slice(6)), at: Date.now() });
        }
      }
    })();
    const waitFor = async (predicate: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      return predicate();
    };
    expect(await waitFor(() => statuses.length >= 1, 2000)).toBe(true);
    const before = statuses[statuses.length - 1]!.queueLength;
    const changedAt = Date.now();
    const taken = await send(0, 'POST', `/api/v1/halls/${HALL}/tickets`, residents[250]!.token, { serviceId: 'id-card-renewal', via: 'qr', tagToken: tag });
    expect(taken.status).toBe(201);
    expect(await waitFor(() => statuses.some((status) => status.queueLength === before + 1), 1000)).toBe(true);
    const delivered = statuses.find((status) => status.queueLength === before + 1)!;
    expect(delivered.at - changedAt).toBeLessThan(1000);
    controller.abort();
    await pump;
  });
});
