import { useEffect, useRef, useState } from 'react';
import { loadEcharts, type EChartsType } from './echarts';

/**
 * One ECharts chart. The chart is a picture (role="img" with a label); every figure it shows is
 * also on the page as text or a table, which is what screen readers use.
 */
export function EChart({
  option,
  label,
  height = 320,
  onPointClick,
  testId,
}: {
  option: Record<string, unknown>;
  label: string;
  height?: number;
  onPointClick?: (data: unknown) => void;
  testId?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const [ready, setReady] = useState(false);
  const resizing = useRef<ResizeObserver | null>(null);
  const click = useRef(onPointClick);
  click.current = onPointClick;

  useEffect(() => {
    let disposed = false;
    void loadEcharts().then((echarts) => {
      if (disposed || !element.current) return;
      chart.current = echarts.init(element.current, undefined, { renderer: 'canvas' });
      chart.current.on('click', (params) => click.current?.((params as { data?: unknown }).data));
      setReady(true);
    });
    return () => {
      disposed = true;
      resizing.current?.disconnect();
      resizing.current = null;
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!ready || !chart.current) return;
    chart.current.setOption(option, { notMerge: true });
    // Resizing starts once the chart has its option (large-text mode and rotation change the size).
    if (!resizing.current && element.current) {
      resizing.current = new ResizeObserver(() => {
        const box = element.current;
        if (!chart.current || !box || !box.isConnected || box.clientWidth === 0 || box.clientHeight === 0) return;
        try {
          chart.current.resize();
        } catch {
          // ECharts can fail on a resize in the middle of a re-layout; the next resize redraws the chart.
        }
      });
      resizing.current.observe(element.current);
    }
  }, [ready, option]);

  useEffect(() => () => resizing.current?.disconnect(), []);

  return <div ref={element} role="img" aria-label={label} className="halls-chart" style={{ height }} data-testid={testId} data-ready={ready ? 'true' : 'false'} />;
}
