/**
 * Decodes the Tianjin district boundaries shipped by echarts@4.9.0 (map/json/province/tianjin.json,
 * Apache-2.0; ECharts' compressed "UTF8Encoding") into plain GeoJSON at
 * resources/geo/tianjin-districts.json. Run once: `npm pack echarts@4.9.0`, extract the file, then
 * `tsx scripts/extract-tianjin-geojson.ts path/to/tianjin.json`.
 */
import fs from 'node:fs';
import path from 'node:path';

interface EncodedGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: string[] | string[][];
  encodeOffsets: number[][] | number[][][];
}

function decodeRing(encoded: string, offsets: number[], scale: number): [number, number][] {
  const ring: [number, number][] = [];
  let previousX = offsets[0]!;
  let previousY = offsets[1]!;
  for (let index = 0; index < encoded.length; index += 2) {
    let x = encoded.charCodeAt(index) - 64;
    let y = encoded.charCodeAt(index + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += previousX;
    y += previousY;
    previousX = x;
    previousY = y;
    ring.push([Number((x / scale).toFixed(6)), Number((y / scale).toFixed(6))]);
  }
  return ring;
}

const source = process.argv[2];
if (!source) throw new Error('usage: tsx scripts/extract-tianjin-geojson.ts tianjin.json');
const data = JSON.parse(fs.readFileSync(source, 'utf8')) as {
  UTF8Scale?: number;
  features: { id: string; geometry: EncodedGeometry; properties: { name: string; cp: number[] } }[];
};
const scale = data.UTF8Scale ?? 1024;
const features = data.features.map((feature) => {
  const geometry = feature.geometry;
  const coordinates =
    geometry.type === 'Polygon'
      ? (geometry.coordinates as string[]).map((ring, index) => decodeRing(ring, (geometry.encodeOffsets as number[][])[index]!, scale))
      : (geometry.coordinates as string[][]).map((polygon, polygonIndex) =>
          polygon.map((ring, index) => decodeRing(ring, (geometry.encodeOffsets as number[][][])[polygonIndex]![index]!, scale)),
        );
  return {
    type: 'Feature',
    id: feature.id,
    properties: { code: feature.id, name: feature.properties.name, center: feature.properties.cp },
    geometry: { type: geometry.type, coordinates },
  };
});
const output = {
  type: 'FeatureCollection',
  source: 'echarts@4.9.0 map/json/province/tianjin.json (Apache-2.0), decoded; schematic boundaries (~100 m), not a surveyed border',
  features,
};
const target = path.resolve(import.meta.dirname, '../resources/geo/tianjin-districts.json');
fs.writeFileSync(target, JSON.stringify(output));
console.log(`wrote ${features.length} districts to ${target}`);
