// The slice of ECharts the dashboard uses (tree-shaken), and the two chart themes. Charts are
// drawn on canvas, so labels from flow logs are never parsed as HTML; tooltips are built from
// DOM nodes (see tooltip.js), never from HTML strings.
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, LineChart, MapChart, PieChart } from 'echarts/charts';
import {
  GeoComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, GraphChart, LineChart, MapChart, PieChart,
  GeoComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
  CanvasRenderer,
]);

/** Colours with a meaning, per theme: benign blue, malicious red, denied orange. */
export const PALETTES = {
  light: {
    text: '#1f2328', muted: '#59636e', line: '#d1d9e0', split: '#eef1f4', bg: '#ffffff',
    benign: '#1f6feb', benign2: '#6ea8fe', malicious: '#d1242f', malicious2: '#8e1519',
    denied: '#e16f24', denied2: '#b35900', empty: '#e6eaef',
    series: ['#1f6feb', '#1a7f37', '#8250df', '#bf8700', '#0a7f8c', '#cf222e', '#e16f24', '#57606a', '#bf3989', '#3d8b40'],
  },
  dark: {
    text: '#e6edf3', muted: '#9198a1', line: '#3d444d', split: '#262c36', bg: '#151b23',
    benign: '#4493f8', benign2: '#8cc0ff', malicious: '#f85149', malicious2: '#b62324',
    denied: '#f0883e', denied2: '#c46b1b', empty: '#2a313c',
    series: ['#4493f8', '#3fb950', '#ab7df8', '#d29922', '#39c5cf', '#f85149', '#f0883e', '#9198a1', '#db61a2', '#7ee787'],
  },
};

function themeFor(p) {
  return {
    color: p.series,
    backgroundColor: 'transparent',
    textStyle: { color: p.text, fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    legend: { textStyle: { color: p.muted } },
    categoryAxis: {
      axisLine: { lineStyle: { color: p.line } }, axisTick: { lineStyle: { color: p.line } },
      axisLabel: { color: p.muted }, splitLine: { lineStyle: { color: p.split } },
    },
    valueAxis: {
      axisLine: { lineStyle: { color: p.line } }, axisLabel: { color: p.muted },
      splitLine: { lineStyle: { color: p.split } },
    },
    timeAxis: {
      axisLine: { lineStyle: { color: p.line } }, axisLabel: { color: p.muted },
      splitLine: { show: false },
    },
    tooltip: {
      backgroundColor: p.bg, borderColor: p.line, textStyle: { color: p.text },
    },
  };
}

echarts.registerTheme('flowlens-light', themeFor(PALETTES.light));
echarts.registerTheme('flowlens-dark', themeFor(PALETTES.dark));

export { echarts };
