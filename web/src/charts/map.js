// The world map (render kind "map"): columns Country (alpha-2), Total, Benign, Malicious, IPs.
// Countries are coloured by Total; clicking one calls opts.onCountry(code).
import { echarts } from './echarts.js';
import { mountChart } from './host.js';
import { tooltipBox } from './tooltip.js';
import { countryName, worldGeoJson } from '../countries.js';
import { compactNumber, formatBytes } from '../format.js';

let registered = false;

export function renderMap(container, table, opts = {}) {
  if (!registered) { echarts.registerMap('world', worldGeoJson()); registered = true; }
  const col = (name) => table.columns.findIndex((c) => c.name === name);
  const iCountry = col('Country');
  const iTotal = col('Total');
  if (iCountry < 0 || iTotal < 0) return null;
  const iBenign = col('Benign');
  const iMalicious = col('Malicious');
  const iIps = col('IPs');
  const fmt = opts.unit === 'bytes' ? formatBytes : compactNumber;
  const rows = table.rows.filter((r) => r[iCountry]);
  const data = rows.map((r) => ({
    name: String(r[iCountry]).toUpperCase(),
    value: r[iTotal] || 0,
    benign: iBenign >= 0 ? r[iBenign] : null,
    malicious: iMalicious >= 0 ? r[iMalicious] : null,
    ips: iIps >= 0 ? r[iIps] : null,
  }));
  const max = data.reduce((m, d) => Math.max(m, d.value), 0);
  return mountChart(container, {
    sum: data.reduce((a, d) => a + d.value, 0),
    points: data.length,
    height: opts.height || 420,
    onClick: (e) => { if (e.data && opts.onCountry) opts.onCountry(e.data.name); },
    build: (p) => ({
      animation: false,
      tooltip: {
        trigger: 'item',
        formatter: (it) => {
          const d = it.data;
          if (!d) return tooltipBox(countryName(it.name), [['', 'no traffic']]);
          const rowsOut = [['Total', fmt(d.value)]];
          if (d.benign !== null) rowsOut.push(['Benign', fmt(d.benign), p.benign]);
          if (d.malicious !== null) rowsOut.push(['Malicious', fmt(d.malicious), p.malicious]);
          if (d.ips !== null) rowsOut.push(['IPs', compactNumber(d.ips)]);
          return tooltipBox(`${countryName(d.name)} (${d.name})`, rowsOut);
        },
      },
      visualMap: {
        type: 'continuous', min: 0, max: max || 1, calculable: false, left: 8, bottom: 8,
        text: ['more', 'less'], textStyle: { color: p.muted }, itemHeight: 100,
        inRange: { color: [p.benign2, p.benign] },
        formatter: (v) => fmt(v),
      },
      series: [{
        type: 'map', map: 'world', roam: true, zoom: 1.15, aspectScale: 0.85,
        selectedMode: false, nameProperty: 'name',
        itemStyle: { areaColor: p.empty, borderColor: p.bg, borderWidth: 0.5 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: p.denied } },
        label: { show: false },
        data,
      }],
    }),
  });
}
