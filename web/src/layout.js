// How each panel is laid out in the 12-column grid, and chart options that depend on the panel
// rather than on its data. Panels not listed get a default by render kind.
//
// Stacking: only series that are parts of one whole are stacked (allowed/denied × benign/
// malicious, directions, flow types). Time charts are lines by default; a comparison such as
// "Traffic vs Expected" must never be stacked.

const BY_KIND = { card: 12, table: 12, timechart: 6, barchart: 6, columnchart: 6, piechart: 4, map: 8, graph: 12 };

const BY_PANEL = {
  'overview.inbound': { stacked: true },
  'overview.outbound': { stacked: true },
  // Traffic (a line over a light area) against its expected level (a dashed line).
  'overview.baseline': {
    span: 5, stacked: false, styles: { Traffic: 'area', Expected: 'dashed' }, floorZero: true,
  },
  'overview.irregular': { span: 7, maxHeight: 300 },
  'geo.regions': { span: 4, height: 420 },
  'ips.by_type': { span: 6 },
  'ip.timeline': { span: 12, stacked: true },
  'ip.ports': { span: 6 },
  'ip.peers': { span: 6 },
  'ip.rules': { span: 6 },
  'ports.most_tried': { stacked: true },
  'dist.vnet': { stacked: true },
  'dist.subnet': { stacked: true },
  'dist.timeline': { span: 12, stacked: true },
  'rules.timeline': { span: 12, stacked: false },
  'rules.malicious': { span: 6 },
  'rules.never_hit': { span: 6 },
  'status.ingest_errors': { span: 12 },
  'status.freshness': { span: 12 },
};

/**
 * The order panels are drawn in, per view (the server's order otherwise). Panels the server
 * offers but this list does not name follow, in the server's order.
 */
const ORDER = {
  overview: [
    'overview.totals', 'overview.inbound', 'overview.outbound', 'overview.baseline', 'overview.irregular',
    'overview.top_pairs', 'overview.top_blocked',
  ],
};

/** {span, stacked, height, ...} for a panel of the given id and render kind. */
export function panelLayout(id, kind) {
  return { span: BY_KIND[kind] || 6, stacked: false, ...(BY_PANEL[id] || {}) };
}

/** The view's panel definitions in drawing order. */
export function orderPanels(viewId, panels) {
  const order = ORDER[viewId] || [];
  const rank = (def, i) => {
    const r = order.indexOf(def.id);
    return r >= 0 ? r : order.length + i;
  };
  return panels.map((def, i) => [rank(def, i), def]).sort((a, b) => a[0] - b[0]).map(([, def]) => def);
}
