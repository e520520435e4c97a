import fs from 'node:fs';
import path from 'node:path';

/**
 * Tianjin's district boundaries (reference.md: decoded from echarts@4.9.0, schematic, about 100 m
 * precision): which district a point falls in, for the coarse location check of TI-05. Only the
 * district code is ever kept, never the coordinates (PIPL: store a district rather than a position).
 */
type Ring = [number, number][];

interface District {
  code: string;
  name: string;
  center: [number, number];
  rings: Ring[];
  box: { minLng: number; maxLng: number; minLat: number; maxLat: number };
}

export const DISTRICTS_FILE = path.resolve(import.meta.dirname, '../../resources/geo/tianjin-districts.json');

function ringContains(ring: Ring, lng: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export class DistrictMap {
  readonly districts: District[];
  readonly geojson: unknown;
  constructor(file = DISTRICTS_FILE) {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      features: { id: string; properties: { name: string; center: [number, number] }; geometry: { type: string; coordinates: unknown } }[];
    };
    this.geojson = data;
    this.districts = data.features.map((feature) => {
      const rings: Ring[] = feature.geometry.type === 'Polygon'
        ? (feature.geometry.coordinates as Ring[])
        : (feature.geometry.coordinates as Ring[][]).flat();
      const points = rings.flat();
      return {
        code: feature.id,
        name: feature.properties.name,
        center: feature.properties.center,
        rings,
        box: {
          minLng: Math.min(...points.map((p) => p[0])),
          maxLng: Math.max(...points.map((p) => p[0])),
          minLat: Math.min(...points.map((p) => p[1])),
          maxLat: Math.max(...points.map((p) => p[1])),
        },
      };
    });
  }

  /** The district code at a point (even-odd rule over the district's rings), or undefined outside Tianjin. */
  districtAt(lat: number, lng: number): string | undefined {
    for (const district of this.districts) {
      const box = district.box;
      if (lng < box.minLng || lng > box.maxLng || lat < box.minLat || lat > box.maxLat) continue;
      let inside = false;
      for (const ring of district.rings) if (ringContains(ring, lng, lat)) inside = !inside;
      if (inside) return district.code;
    }
    return undefined;
  }

  name(code: string): string | undefined {
    return this.districts.find((district) => district.code === code)?.name;
  }
}

/** Great-circle distance in metres (haversine), for "nearby" lists. */
export function distanceMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const radians = Math.PI / 180;
  const dLat = (b.lat - a.lat) * radians;
  const dLng = (b.lng - a.lng) * radians;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * radians) * Math.cos(b.lat * radians) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * 6_371_000 * Math.asin(Math.sqrt(h)));
}

let shared: DistrictMap | undefined;
/** The district map, loaded once per process. */
export function districtMap(): DistrictMap {
  shared ??= new DistrictMap();
  return shared;
}
