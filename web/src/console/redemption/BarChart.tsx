import { useEffect, useRef } from 'react';
import { BarChart as Bars } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([Bars, GridComponent, TooltipComponent, SVGRenderer]);

export interface BarDatum {
  label: string;
  /** Yuan. */
  value: number;
}

/**
 * One bar chart (ECharts, SVG). The picture is one image for assistive technology, named by `summary`;
 * the figures themselves are in the table next to it.
 */
export default function BarChart({
  data,
  summary,
  horizontal = false,
  height = 280,
  testId,
}: {
  data: readonly BarDatum[];
  summary: string;
  horizontal?: boolean;
  height?: number;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // Redrawn only when the figures change, not on every render of the page around it.
  const figures = JSON.stringify(data);
  useEffect(() => {
    const points = JSON.parse(figures) as BarDatum[];
    const element = ref.current;
    if (!element) return undefined;
    const chart = echarts.init(element, undefined, { renderer: 'svg' });
    const labels = points.map((d) => d.label);
    const axisLabel = { color: '#434343', fontSize: 12 };
    const category = { type: 'category' as const, data: labels, axisLabel: { ...axisLabel, interval: horizontal ? 0 : 'auto' }, axisLine: { lineStyle: { color: '#767676' } } };
    const value = { type: 'value' as const, axisLabel, splitLine: { lineStyle: { color: '#e5e5e5' } } };
    chart.setOption({
      animation: false,
      aria: { enabled: false },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? { ...category, inverse: true } : value,
      series: [{ type: 'bar', data: points.map((d) => d.value), itemStyle: { color: '#0958d9' }, barMaxWidth: 32 }],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [figures, horizontal]);
  return <div ref={ref} className="redemption-chart" style={{ height }} role="img" aria-label={summary} data-testid={testId} />;
}
