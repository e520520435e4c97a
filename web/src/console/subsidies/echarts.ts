// The parts of ECharts the subsidy pages use, loaded on demand (its own chunk, only when a chart is shown).
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, registerMap, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
// Tianjin's district boundaries: the same file the server uses for the location check (one source of
// truth); the build copies it next to the scripts and the map fetches it when first shown.
import tianjinGeoUrl from '../../../../resources/geo/tianjin-districts.json?url';

use([BarChart, LineChart, MapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export { init };
export type { EChartsType } from 'echarts/core';

export const TIANJIN_MAP = 'tianjin';

let tianjin: Promise<void> | undefined;

/** Registers the Tianjin district map once (features are named by their Chinese district names). */
export function loadTianjinMap(): Promise<void> {
  tianjin ??= fetch(tianjinGeoUrl, { headers: { Accept: 'application/json' } })
    .then((res) => {
      if (!res.ok) throw new Error(`map ${res.status}`);
      return res.json() as Promise<Parameters<typeof registerMap>[1]>;
    })
    .then((geoJson) => registerMap(TIANJIN_MAP, geoJson))
    .catch((error: unknown) => {
      tianjin = undefined;
      throw error;
    });
  return tianjin;
}
