// ECharts, loaded on demand with only the parts the hall pages use (map, scatter, bar, line), and
// Tianjin's district boundaries (resources/geo, schematic, from echarts@4.9.0) registered once.
import type { EChartsType } from 'echarts/core';

let loading: Promise<typeof import('echarts/core')> | undefined;

/** The echarts core with the charts the hall pages draw; the district map is registered as "tianjin". */
export function loadEcharts(): Promise<typeof import('echarts/core')> {
  loading ??= (async () => {
    const [core, charts, components, renderers, geo] = await Promise.all([
      import('echarts/core'),
      import('echarts/charts'),
      import('echarts/components'),
      import('echarts/renderers'),
      import('../../../../../resources/geo/tianjin-districts.json'),
    ]);
    core.use([
      charts.MapChart,
      charts.ScatterChart,
      charts.EffectScatterChart,
      charts.BarChart,
      charts.LineChart,
      components.GeoComponent,
      components.TooltipComponent,
      components.GridComponent,
      components.LegendComponent,
      components.AriaComponent,
      renderers.CanvasRenderer,
    ]);
    core.registerMap('tianjin', (geo as { default?: unknown }).default as never ?? (geo as never));
    return core;
  })();
  return loading;
}

export type { EChartsType };
