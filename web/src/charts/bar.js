// Bar and column charts (render kinds "barchart": horizontal bars, "columnchart": vertical).
import { mountChart } from './host.js';
import { seriesColor, toCategories } from './series.js';
import { tooltipBox } from './tooltip.js';
import { compactNumber, formatBytes } from '../format.js';

/** opts: {unit, horizontal, stacked}. Returns a chart handle or null. */
export function renderBar(container, table, opts = {}) {
  const data = toCategories(table);
  if (!data.valid) return null;
  const fmt = opts.unit === 'bytes' ? formatBytes : compactNumber;
  const horizontal = opts.horizontal !== false;
  const rows = data.categories.length;
  const height = opts.height || (horizontal ? Math.max(220, Math.min(560, 40 + rows * 24)) : 280);
  // Horizontal bars read top-down: ECharts draws the first category at the bottom, so reverse.
  const cats = horizontal ? [...data.categories].reverse() : data.categories;
  const values = (arr) => (horizontal ? [...arr].reverse() : arr);
  const catAxis = {
    type: 'category', data: cats,
    axisLabel: {
      width: 150, overflow: 'truncate', interval: 0, rotate: horizontal || rows < 8 ? 0 : 30,
      // Long resource paths ("rg/vnet/subnet") keep their last segment; the tooltip has it all.
      formatter: (v) => (v.length > 22 && v.includes('/') ? v.slice(v.lastIndexOf('/') + 1) : v),
    },
  };
  const valAxis = { type: 'value', axisLabel: { formatter: (v) => fmt(v) } };
  return mountChart(container, {
    sum: data.sum,
    points: data.points,
    height,
    build: (p) => ({
      animation: false,
      grid: { left: 8, right: 24, top: data.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      legend: data.series.length > 1 ? { top: 0, left: 0 } : undefined,
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'shadow' },
        formatter: (items) => tooltipBox(items[0].name, items.map((it) => [it.seriesName, fmt(it.value), it.color])),
      },
      xAxis: horizontal ? valAxis : catAxis,
      yAxis: horizontal ? catAxis : valAxis,
      series: data.series.map((s, i) => ({
        name: s.name, type: 'bar', data: values(s.data), color: seriesColor(s.name, p, i),
        stack: opts.stacked ? 'total' : undefined, barMaxWidth: 28,
      })),
    }),
  });
}
