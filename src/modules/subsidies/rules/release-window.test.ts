import { describe, expect, it } from 'vitest';
import { readProgrammeFiles, validateProgrammeFile } from '../programmes.ts';
import { checkReleaseWindow, effectiveOpening, releaseCloses, scheduledOpening } from './release-window.ts';

const [file] = readProgrammeFiles();
const appliances = file!.programmes.find((p) => p.id === 'appliances-2026')!;
const digital = file!.programmes.find((p) => p.id === 'digital-2026')!;

describe('programme data (systems.md S2)', () => {
  it('TI-01/TI-02: the programme runs from 2026-02-01 11:00 to the end of 2026-12-31', () => {
    expect(new Date(appliances.startsAt).toISOString()).toBe('2026-02-01T03:00:00.000Z');
    expect(new Date(appliances.endsAt).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
  it('TI-09/TI-11: 15% with caps of 1,500 and 500 yuan; TI-10: digital price limit 6,000 yuan', () => {
    expect([appliances.rate, appliances.capPerItem, appliances.priceLimit]).toEqual(['0.15', '1500.00', null]);
    expect([digital.rate, digital.capPerItem, digital.priceLimit]).toEqual(['0.15', '500.00', '6000.00']);
  });
  it('TI-19/TI-20: quotas 3 a month and 12 a year for appliances, 2 and 8 for digital', () => {
    expect(appliances.quota).toEqual({ month: 3, year: 12 });
    expect(digital.quota).toEqual({ month: 2, year: 8 });
  });
  it('R7: six appliance categories and four digital ones', () => {
    expect(appliances.categories.map((c) => c.id)).toEqual(['refrigerator', 'air_conditioner', 'washing_machine', 'water_heater', 'television', 'computer']);
    expect(digital.categories.map((c) => c.id)).toEqual(['mobile_phone', 'tablet', 'smartwatch', 'smart_glasses']);
  });
  it('TI-16: two channels, online and offline', () => {
    expect([...appliances.channels].sort()).toEqual(['offline', 'online']);
  });
  it('refuses a file whose monthly quota exceeds the yearly one, or with an unknown field', () => {
    const broken = structuredClone(file!);
    broken.programmes[0]!.quota = { month: 13, year: 12 };
    expect(() => validateProgrammeFile(broken)).toThrow(/monthly quota/);
    const extra = structuredClone(file!) as unknown as Record<string, unknown>;
    extra.surprise = true;
    expect(() => validateProgrammeFile(extra)).toThrow(/not valid/);
  });
});

describe('release window (TI-17, TI-18)', () => {
  it('TI-17: a month’s coupons are issued from 11:00 on the 1st (Asia/Shanghai)', () => {
    expect(scheduledOpening(appliances, '2026-03').toISOString()).toBe('2026-03-01T03:00:00.000Z');
  });
  it('TI-17/TI-18: the release closes and its coupons expire at the end of the month', () => {
    expect(releaseCloses('2026-03').toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(releaseCloses('2026-12').toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
  it('TI-01/TI-02: a release month must fall within the programme', () => {
    expect(checkReleaseWindow(appliances, '2026-01', new Date('2026-01-01T03:00:00Z'))).toBe('outside_programme');
    expect(checkReleaseWindow(appliances, '2027-01', new Date('2027-01-01T03:00:00Z'))).toBe('outside_programme');
    expect(checkReleaseWindow(appliances, '2026-02', new Date('2026-02-01T03:00:00Z'))).toBeUndefined();
  });
  it('the opening must fall within the release month', () => {
    expect(checkReleaseWindow(appliances, '2026-03', new Date('2026-02-28T15:59:59Z'))).toBe('opens_outside_month');
    expect(checkReleaseWindow(appliances, '2026-03', new Date('2026-03-31T16:00:00Z'))).toBe('opens_outside_month');
    expect(checkReleaseWindow(appliances, '2026-03', new Date('2026-03-15T02:00:00Z'))).toBeUndefined();
  });
  it('TI-01: nothing opens before 2026-02-01 11:00', () => {
    expect(effectiveOpening(appliances, new Date('2026-02-01T00:00:00+08:00')).toISOString()).toBe('2026-02-01T03:00:00.000Z');
  });
});
