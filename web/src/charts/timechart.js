// Time charts (render kind "timechart"): stacked areas for series that are parts of a whole
// (opts.stacked), lines otherwise. opts.styles names a style per series: 'area' (a line over a
// light area, not stacked) or 'dashed' (a thin dashed line, e.g. an expected level).
// Test hook besides data-sum/data-points: data-series-sums, {series name: sum} as JSON.
import { mountChart } from './host.js';
import { seriesColor, toTimeSeries } from './series.js';
import { tooltipBox } from './tooltip.js';
import { compactNumber, formatBytes, formatDateTime } from '../format.js';

/**
 * opts: {unit: 'flows'|'bytes'|'packets', stacked: bool, styles: {name: 'area'|'dashed'},
 * floorZero: bool (the value axis starts at 0 even if a series dips below)}.
 * Returns a chart handle or null.
 */
export function renderTimechart(container, table, opts = {}) {
  const data = toTimeSeries(table);
  if (!data.valid) return null;
  const fmt = opts.unit === 'bytes' ? formatBytes : compactNumber;
  const styles = opts.styles || {};
  const seriesSums = Object.fromEntries(data.series.map((s) => [s.name, s.data.reduce((a, [, v]) => a + v, 0)]));
  return mountChart(container, {
    sum: data.sum,
    points: data.points,
    seriesSums,
    height: opts.height || 260,
    build: (p) => ({
      animation: false,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: {
        type: 'scroll', top: 0, left: 0,
        // Long "group/rule" series names keep their last segment; the tooltip shows them whole.
        formatter: (n) => (n.length > 40 && n.includes('/') ? n.slice(n.lastIndexOf('/') + 1) : n),
      },
      tooltip: {
        trigger: 'axis',
        formatter: (items) => tooltipBox(formatDateTime(new Date(items[0].value[0]).toISOString()),
          items.map((it) => [it.seriesName, fmt(it.value[1]), it.color])),
      },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', min: opts.floorZero ? 0 : undefined, axisLabel: { formatter: (v) => fmt(v) } },
      series: data.series.map((s, i) => {
        const style = styles[s.name];
        const base = { name: s.name, type: 'line', data: s.data, showSymbol: false, emphasis: { focus: 'series' } };
        if (style === 'dashed') {
          return { ...base, color: p.muted, lineStyle: { width: 1.5, type: 'dashed' }, z: 3 };
        }
        if (style === 'area') {
          return { ...base, color: seriesColor(s.name, p, i), lineStyle: { width: 2 }, areaStyle: { opacity: 0.18 } };
        }
        return {
          ...base, color: seriesColor(s.name, p, i),
          stack: opts.stacked ? 'total' : undefined,
          areaStyle: opts.stacked ? { opacity: 0.55 } : undefined,
          lineStyle: { width: opts.stacked ? 1 : 2 },
        };
      }),
    }),
  });
}
