import { afterEach, describe, expect, it, vi } from 'vitest';
import zhCN from '../i18n/zh-CN.json';
import en from '../i18n/en.json';
import { districtName, findDistrict, TIANJIN_DISTRICTS } from './districts';
import { formatDateTime } from './format';
import { IdempotencyKeys } from './idempotency';
import { canManageClients, isAdmin, isHallStaff, isResident, isStaff, ROLE_IDS, sortRoles } from './roles';
import { fetchSession, safeReturnTo, signInUrl } from './session';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('districts', () => {
  it('lists the 16 districts with unique codes under 1201', () => {
    expect(TIANJIN_DISTRICTS).toHaveLength(16);
    expect(new Set(TIANJIN_DISTRICTS.map((d) => d.code)).size).toBe(16);
    for (const d of TIANJIN_DISTRICTS) expect(d.code).toMatch(/^1201\d\d$/);
  });

  it('names a district in either language and shows unknown codes as they are', () => {
    expect(districtName('120101', 'zh-CN')).toBe('和平区');
    expect(districtName('120116', 'en')).toBe('Binhai New Area');
    expect(districtName('120119', 'zh-CN')).toBe('蓟州区');
    expect(districtName('120107', 'zh-CN')).toBe('120107');
    expect(findDistrict(undefined)).toBeUndefined();
  });
});

describe('roles', () => {
  it('has plain words for every role in both languages', () => {
    for (const role of ROLE_IDS) {
      expect(typeof (zhCN.roles as Record<string, string>)[role]).toBe('string');
      expect(typeof (en.roles as Record<string, string>)[role]).toBe('string');
    }
  });

  it('tells residents, hall staff and administrators apart', () => {
    expect(isResident(['citizen'])).toBe(true);
    expect(isStaff(['citizen'])).toBe(false);
    expect(isHallStaff(['lobby_officer'])).toBe(true);
    expect(isHallStaff(['verifier'])).toBe(false);
    expect(isAdmin(['admin_transparency'])).toBe(true);
    expect(isAdmin(['citizen', 'window_officer'])).toBe(false);
    expect(isAdmin(undefined)).toBe(false);
    expect(canManageClients(['admin_credentials'])).toBe(true);
    expect(canManageClients(['admin_cases'])).toBe(false);
  });

  it('sorts roles in the platform order and keeps unknown ones at the end', () => {
    expect(sortRoles(['admin_platform', 'mystery', 'citizen', 'citizen'])).toEqual(['citizen', 'admin_platform', 'mystery']);
  });
});

describe('session', () => {
  it('accepts only paths on this site as the return address', () => {
    expect(safeReturnTo('/citizen/me')).toBe('/citizen/me');
    expect(safeReturnTo('//evil.example/x')).toBe('/');
    expect(safeReturnTo('/\\evil.example')).toBe('/');
    expect(safeReturnTo('https://evil.example/')).toBe('/');
    expect(safeReturnTo(undefined)).toBe('/');
    expect(signInUrl('/citizen/me?x=1')).toBe('/auth/login?returnTo=%2Fcitizen%2Fme%3Fx%3D1');
  });

  it('is signed out without asking the server when there is no CSRF cookie', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('document', { cookie: 'other=1' });
    expect(await fetchSession()).toEqual({ status: 'signedOut' });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('reads /me, and treats 401 as signed out but other failures as errors', async () => {
    vi.stubGlobal('document', { cookie: 'haihe_csrf=abc' });
    const me = { subject: 'p1', kind: 'person', roles: ['citizen'], idNumberMasked: '110105********002X' };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(me), { status: 200, headers: { 'content-type': 'application/json' } })));
    expect(await fetchSession()).toEqual({ status: 'signedIn', me });

    const problem = (status: number, code: string) =>
      new Response(JSON.stringify({ type: 'about:blank', title: code, status, code }), { status, headers: { 'content-type': 'application/problem+json' } });
    vi.stubGlobal('fetch', vi.fn(async () => problem(401, 'UNAUTHENTICATED')));
    expect(await fetchSession()).toEqual({ status: 'signedOut' });
    vi.stubGlobal('fetch', vi.fn(async () => problem(503, 'INTERNAL')));
    await expect(fetchSession()).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('idempotency keys', () => {
  it('reuses the key for a retry of the same body and not after a success or a change', () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `k${++n}`);
    expect(keys.keyFor({ id: 'a' })).toBe('k1');
    expect(keys.keyFor({ id: 'a' })).toBe('k1');
    expect(keys.keyFor({ id: 'b' })).toBe('k2');
    expect(keys.keyFor({ id: 'b' }, 'rotate')).toBe('k3');
    keys.done();
    expect(keys.keyFor({ id: 'b' }, 'rotate')).toBe('k4');
  });
});

describe('formatDateTime', () => {
  it('shows Tianjin time', () => {
    expect(formatDateTime('2026-03-01T16:30:00Z', 'zh-CN')).toContain('00:30');
    expect(formatDateTime('2026-03-01T16:30:00Z', 'en')).toMatch(/03\/02\/2026/);
    expect(formatDateTime(null, 'en')).toBe('');
  });
});
