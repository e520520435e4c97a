import { afterEach, describe, expect, it } from 'vitest';
import { demoTokens } from '../src/modules/identity/demo.ts';
import type { IdentityService } from '../src/modules/identity/index.ts';
import type { SubsidyService } from '../src/modules/subsidies/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const TIANJIN = { location: { lat: 39.1237, lng: 117.202 } };

/** Fairness under overload: a place in line instead of a timeout; per-person and per-address limits. */
describe('the claim line under overload', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function setUp(env: Record<string, string>, people: number) {
    server = await startTestServer({ demo: true, now: '2026-03-01T11:00:05+08:00', env });
    await server.platform.services.get<SubsidyService>('subsidies').planReleases('2026-03');
    const identity = server.platform.services.get<IdentityService>('identity');
    return demoTokens(server.platform.context, identity, 'citizen', people, 3600);
  }

  it('when the wait would be long, people get their place in line (202) and later their coupon, in order', async () => {
    const residents = await setUp({ HAIHE_CLAIM_HOLD_MS: '0' }, 30);
    const app = server!.platform.app;
    const answers = await Promise.all(residents.map((resident) => app.inject({
      method: 'POST', url: '/api/v1/subsidies/releases/appliances-2026-offline-2026-03/claims', headers: { authorization: `Bearer ${resident.token}` }, payload: TIANJIN,
    })));
    expect(answers.every((answer) => answer.statusCode === 202)).toBe(true);
    const bodies = answers.map((answer) => answer.json() as { status: string; ticketId: string; position: number; estimatedWaitSeconds: number });
    expect(bodies[0]).toMatchObject({ status: 'queued' });
    expect(bodies.map((body) => body.position)).toEqual([...bodies.map((body) => body.position)].sort((a, b) => a - b));
    expect(answers[0]!.headers['retry-after']).toBe('2');
    const coupons: string[] = [];
    for (const [index, body] of bodies.entries()) {
      let poll;
      for (let attempt = 0; attempt < 50; attempt += 1) {
        poll = await app.inject({ method: 'GET', url: `/api/v1/subsidies/claims/${body.ticketId}`, headers: { authorization: `Bearer ${residents[index]!.token}` } });
        if (poll.statusCode !== 202) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(poll!.statusCode).toBe(200);
      coupons.push(poll!.json().coupon.id);
    }
    expect(new Set(coupons).size).toBe(30);
    // Someone else's place in line is not visible.
    const other = await app.inject({ method: 'GET', url: `/api/v1/subsidies/claims/${bodies[0]!.ticketId}`, headers: { authorization: `Bearer ${residents[1]!.token}` } });
    expect(other.json().code).toBe('CLAIM_TICKET_NOT_FOUND');
    expect(await server!.platform.services.get<SubsidyService>('subsidies').checkInvariants()).toEqual([]);
  });

  it('per-address and per-person limits answer RATE_LIMITED and issue nothing', async () => {
    const residents = await setUp({ HAIHE_CLAIMS_PER_ADDRESS_PER_SECOND: '3', HAIHE_CLAIMS_PER_PERSON_PER_MINUTE: '2' }, 5);
    const app = server!.platform.app;
    const claim = (token: string, address: string) => app.inject({
      method: 'POST', url: '/api/v1/subsidies/releases/digital-2026-offline-2026-03/claims', headers: { authorization: `Bearer ${token}` }, payload: TIANJIN, remoteAddress: address,
    });
    const fromOneAddress = [];
    for (const resident of residents.slice(0, 4)) fromOneAddress.push((await claim(resident.token, '10.0.0.1')).statusCode);
    expect(fromOneAddress).toEqual([201, 201, 201, 429]);
    const person = residents[4]!;
    const own = [];
    for (let attempt = 0; attempt < 3; attempt += 1) own.push((await claim(person.token, `10.0.1.${attempt}`)).statusCode);
    expect(own).toEqual([201, 201, 429]);
  });
});
