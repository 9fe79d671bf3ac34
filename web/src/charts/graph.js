// The topology graph (render kind "graph"): columns Source, SourceKind, Target, TargetKind,
// Total, Denied, Malicious. Nodes are drawn from the edges (node id = name), coloured by kind
// with a legend; edge width grows with Total; edges with Malicious > 0 are red. Force layout,
// draggable and zoomable. data-points counts edges, data-sum sums their Total.
import { mountChart } from './host.js';
import { tooltipBox } from './tooltip.js';
import { compactNumber, formatBytes } from '../format.js';

const KINDS = ['subnet', 'vnet', 'internet', 'azure', 'onprem'];
const KIND_COLOURS = { subnet: 'benign', vnet: 1, internet: 2, azure: 3, onprem: 4 };

function kindColour(kind, p) {
  const c = KIND_COLOURS[kind];
  if (c === undefined) return p.muted;
  return typeof c === 'string' ? p[c] : p.series[c];
}

export function renderGraph(container, table, opts = {}) {
  const col = (name) => table.columns.findIndex((c) => c.name === name);
  const [iS, iSK, iT, iTK, iTotal, iDenied, iMal] =
    ['Source', 'SourceKind', 'Target', 'TargetKind', 'Total', 'Denied', 'Malicious'].map(col);
  if (iS < 0 || iT < 0 || iTotal < 0) return null;
  const fmt = opts.unit === 'bytes' ? formatBytes : compactNumber;
  const kinds = [...KINDS];
  const nodes = new Map();
  const addNode = (name, kind, total) => {
    const k = kind || 'other';
    if (!kinds.includes(k)) kinds.push(k);
    const n = nodes.get(name) || { name, kind: k, total: 0 };
    n.total += total;
    nodes.set(name, n);
  };
  let sum = 0;
  const edges = table.rows.map((r) => {
    const total = r[iTotal] || 0;
    sum += total;
    addNode(String(r[iS]), iSK >= 0 ? r[iSK] : null, total);
    addNode(String(r[iT]), iTK >= 0 ? r[iTK] : null, total);
    return {
      source: String(r[iS]), target: String(r[iT]), total,
      denied: iDenied >= 0 ? r[iDenied] || 0 : 0, malicious: iMal >= 0 ? r[iMal] || 0 : 0,
    };
  });
  const maxEdge = Math.max(1, ...edges.map((e) => e.total));
  const maxNode = Math.max(1, ...[...nodes.values()].map((n) => n.total));
  const shortName = (name) => { const parts = name.split('/'); return parts[parts.length - 1]; };
  return mountChart(container, {
    sum,
    points: edges.length,
    height: opts.height || 560,
    build: (p) => ({
      animation: false,
      color: p.series,
      legend: { data: kinds, top: 0, left: 0 },
      tooltip: {
        trigger: 'item',
        formatter: (it) => (it.dataType === 'edge'
          ? tooltipBox(`${it.data.source} → ${it.data.target}`, [
            ['Total', fmt(it.data.total)], ['Denied', fmt(it.data.denied), p.denied],
            ['Malicious', fmt(it.data.malicious), p.malicious]])
          : tooltipBox(it.data.name, [['Kind', it.data.kind], ['Traffic', fmt(it.data.total)]])),
      },
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        // No layout animation: the layout settles before the first frame, so `finished` means
        // the final picture (nodes can still be dragged).
        force: { repulsion: 900, edgeLength: [110, 240], gravity: 0.06, friction: 0.2, layoutAnimation: false },
        categories: kinds.map((name) => ({ name, itemStyle: { color: kindColour(name, p) } })),
        label: { show: true, position: 'right', color: p.text, fontSize: 11, formatter: (it) => shortName(it.data.name) },
        labelLayout: { hideOverlap: true },
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 6,
        emphasis: { focus: 'adjacency' },
        data: [...nodes.values()].map((n) => ({
          name: n.name, kind: n.kind, total: n.total, category: kinds.indexOf(n.kind),
          symbolSize: 10 + 26 * Math.sqrt(n.total / maxNode),
        })),
        links: edges.map((e) => ({
          ...e,
          lineStyle: {
            width: 1 + 7 * Math.sqrt(e.total / maxEdge),
            color: e.malicious > 0 ? p.malicious : p.line,
            opacity: 0.85, curveness: 0.12,
          },
        })),
      }],
    }),
  });
}
