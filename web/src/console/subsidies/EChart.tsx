import { useEffect, useRef, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { useTranslation } from 'react-i18next';

type EChartsModule = typeof import('./echarts');
let echartsModule: Promise<EChartsModule> | undefined;
const loadECharts = () => (echartsModule ??= import('./echarts'));

/**
 * An ECharts chart (SVG). It is decorative for assistive technology: every chart on these pages
 * has its figures in text or a table next to it. `map` waits for the Tianjin district map first.
 */
export function EChart({ option, height, testId, map = false }: { option: EChartsCoreOption; height: number; testId?: string; map?: boolean }) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<EChartsModule['init']> | undefined>(undefined);
  const latest = useRef(option);
  latest.current = option;
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    loadECharts()
      .then(async (echarts) => {
        if (map) await echarts.loadTianjinMap();
        if (disposed || !container.current) return;
        const instance = echarts.init(container.current, undefined, { renderer: 'svg' });
        chart.current = instance;
        instance.setOption(latest.current);
        observer = new ResizeObserver(() => instance.resize());
        observer.observe(container.current);
      })
      .catch(() => {
        if (!disposed) setFailed(true);
      });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = undefined;
    };
  }, [map]);

  useEffect(() => {
    chart.current?.setOption(option);
  }, [option]);

  if (failed) return <p className="chart-failed">{t('console.subsidies.chartFailed')}</p>;
  return <div ref={container} className="echart" style={{ height }} aria-hidden="true" data-testid={testId} />;
}
