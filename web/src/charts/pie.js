// Pie (donut) charts (render kind "piechart"): first non-numeric column labels, first numeric
// column sizes the slices.
import { mountChart } from './host.js';
import { seriesColor, toCategories } from './series.js';
import { tooltipBox } from './tooltip.js';
import { compactNumber, formatBytes } from '../format.js';

export function renderPie(container, table, opts = {}) {
  const data = toCategories(table);
  if (!data.valid) return null;
  const fmt = opts.unit === 'bytes' && !/IPs$/.test(data.series[0].name) ? formatBytes : compactNumber;
  const values = data.series[0].data;
  const sum = values.reduce((a, b) => a + b, 0);
  return mountChart(container, {
    sum,
    points: values.length,
    height: opts.height || 280,
    build: (p) => ({
      animation: false,
      legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
      tooltip: {
        trigger: 'item',
        formatter: (it) => tooltipBox(it.name, [[data.series[0].name, `${fmt(it.value)} (${it.percent}%)`, it.color]]),
      },
      series: [{
        type: 'pie', radius: ['42%', '72%'], center: ['36%', '50%'],
        label: { show: false }, labelLine: { show: false },
        itemStyle: { borderColor: p.bg, borderWidth: 2 },
        data: data.categories.map((name, i) => ({
          name, value: values[i], itemStyle: { color: seriesColor(name, p, i) },
        })),
      }],
    }),
  });
}
