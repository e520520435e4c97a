import { describe, expect, it } from 'vitest';
import { distanceMetres, districtMap } from './geo.ts';

describe('Tianjin district boundaries (TI-05 location check)', () => {
  const map = districtMap();
  it('has the 16 districts', () => {
    expect(map.districts.map((d) => d.code).sort()).toHaveLength(16);
  });
  it.each([
    ['天津站 Tianjin railway station (Hedong)', 39.1365, 117.2108, '120102'],
    ['和平区 Binjiang Avenue', 39.1237, 117.2020, '120101'],
    ['下瓦房 (Hexi)', 39.1040, 117.2260, '120103'],
    ['滨海新区 TEDA', 39.0300, 117.7100, '120116'],
    ['蓟州区 town centre', 40.0450, 117.4070, '120119'],
  ])('%s is in %s', (_name, lat, lng, code) => {
    expect(map.districtAt(lat, lng)).toBe(code);
  });
  it.each([
    ['Beijing Tiananmen', 39.9087, 116.3975],
    ['Langfang (Hebei)', 39.5380, 116.6838],
    ['Bohai Sea', 38.9, 118.4],
    ['Shanghai', 31.2304, 121.4737],
  ])('%s is outside Tianjin', (_name, lat, lng) => {
    expect(map.districtAt(lat, lng)).toBeUndefined();
  });
  it('every district centre is inside its own district', () => {
    for (const district of map.districts) {
      expect(map.districtAt(district.center[1], district.center[0]), district.name).toBe(district.code);
    }
  });
  it('measures distances', () => {
    expect(distanceMetres({ lat: 39.1365, lng: 117.2108 }, { lat: 39.1040, lng: 117.2260 })).toBeGreaterThan(3500);
    expect(distanceMetres({ lat: 39.1365, lng: 117.2108 }, { lat: 39.1040, lng: 117.2260 })).toBeLessThan(4000);
  });
});
