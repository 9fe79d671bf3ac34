// Mounts ECharts instances into panel containers and keeps them in step with the theme and
// the container size.
//
// Contract (test hooks): after ECharts' first `finished` event the container gets
// data-sum (the sum of every plotted number, as given by the spec) and data-points (the number
// of plotted data points). Callers pass both; the chart modules compute them from the rows.
// Charts that pass seriesSums ({name: sum}) also get data-series-sums (that object as JSON).
import { echarts, PALETTES } from './echarts.js';
import { currentTheme, onThemeChange } from '../theme.js';

const mounted = new Set();

/**
 * spec: {build(palette) -> ECharts option, sum, points, seriesSums?, onClick?(params), height?}
 * Returns a handle with dispose().
 */
export function mountChart(container, spec) {
  container.classList.add('chart');
  if (spec.height) container.style.height = `${spec.height}px`;
  const entry = { container, spec, chart: null, observer: null };
  draw(entry);
  entry.observer = new ResizeObserver(() => { if (entry.chart) entry.chart.resize(); });
  entry.observer.observe(container);
  mounted.add(entry);
  return { dispose: () => disposeEntry(entry) };
}

function draw(entry) {
  const theme = currentTheme();
  const chart = echarts.init(entry.container, `flowlens-${theme}`, { renderer: 'canvas' });
  entry.chart = chart;
  chart.on('finished', () => {
    entry.container.dataset.sum = String(entry.spec.sum);
    entry.container.dataset.points = String(entry.spec.points);
    if (entry.spec.seriesSums) entry.container.dataset.seriesSums = JSON.stringify(entry.spec.seriesSums);
  });
  if (entry.spec.onClick) chart.on('click', entry.spec.onClick);
  chart.setOption(entry.spec.build(PALETTES[theme]));
}

function disposeEntry(entry) {
  if (entry.observer) entry.observer.disconnect();
  if (entry.chart) entry.chart.dispose();
  entry.chart = null;
  mounted.delete(entry);
}

/** Disposes every chart (called when a view is torn down). */
export function disposeAllCharts() {
  for (const entry of [...mounted]) disposeEntry(entry);
}

// A theme change redraws every mounted chart with the other theme's colours.
onThemeChange(() => {
  for (const entry of mounted) {
    if (entry.chart) entry.chart.dispose();
    draw(entry);
  }
});
