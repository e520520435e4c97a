import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLang } from '../../../i18n';
import { EChart } from './EChart';
import { pick } from './format';
import type { HallSummary, HallType } from './types';
import { tr } from './i18n';

const TYPE_COLOURS: Record<HallType, string> = {
  police_station: '#0958d9',
  traffic_police: '#ad4e00',
  service_hall: '#237804',
};

/**
 * The nearby-service-points map (附近网点, POL-20): Tianjin's district boundaries drawn from the
 * platform's own data (no tile server) with one point per hall, and the resident's position.
 */
export function HallsMapChart({
  halls,
  origin,
  height = 360,
  onSelect,
}: {
  halls: HallSummary[];
  origin?: { lat: number; lng: number } | undefined;
  height?: number;
  onSelect?: (hallId: string) => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const option = useMemo(
    () => ({
      aria: { enabled: false },
      tooltip: {
        trigger: 'item',
        formatter: (params: { data?: { name?: string; queue?: number; type?: HallType } }) =>
          params.data?.type ? `${params.data.name}<br/>${t('halls.status.queue', { count: params.data.queue ?? 0 })}` : (params.data?.name ?? ''),
      },
      geo: {
        map: 'tianjin',
        roam: true,
        // Only set when known: an undefined centre makes ECharts fail on the next resize.
        ...(origin ? { zoom: 4, center: [origin.lng, origin.lat] } : { zoom: 1.1 }),
        itemStyle: { areaColor: '#f0f5ff', borderColor: '#8c8c8c' },
        emphasis: { itemStyle: { areaColor: '#d6e4ff' }, label: { show: false } },
        label: { show: !origin, color: '#595959', fontSize: 10 },
      },
      series: [
        ...(['police_station', 'traffic_police', 'service_hall'] as HallType[]).map((type) => ({
          name: tr(t, `halls.types.${type}`),
          type: 'scatter',
          coordinateSystem: 'geo',
          symbolSize: 12,
          itemStyle: { color: TYPE_COLOURS[type], borderColor: '#fff', borderWidth: 1 },
          data: halls
            .filter((hall) => hall.type === type)
            .map((hall) => ({ id: hall.id, name: pick(hall.names, lang), value: [hall.location.lng, hall.location.lat], queue: hall.status.queueLength, type })),
        })),
        ...(origin
          ? [{ name: t('halls.map.you'), type: 'effectScatter', coordinateSystem: 'geo', symbolSize: 10, itemStyle: { color: '#c4161c' }, data: [{ name: t('halls.map.you'), value: [origin.lng, origin.lat] }] }]
          : []),
      ],
    }),
    [halls, origin, lang, t],
  );
  return (
    <EChart
      option={option}
      label={t('halls.map.label', { count: halls.length })}
      height={height}
      testId="halls-map"
      onPointClick={(data) => {
        const id = (data as { id?: string } | undefined)?.id;
        if (id) onSelect?.(id);
      }}
    />
  );
}
