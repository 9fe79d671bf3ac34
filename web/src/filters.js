// The global filters: their state, their URL form and the API parameters they become.
//
// URL form (the hash query, shareable): range=30m|1h|12h|24h|7d|14d|30d|custom, from/to (only
// for custom, UTC "YYYY-MM-DDTHH:MM"), unit=flows|bytes|packets, flowtype=A,B, vnet, subnet,
// direction, status, protocol. Defaults are left out of the URL.
// API form (GET /api/panels/<id>): from/to as ISO instants, unit, flowtype=A,B, vnet, subnet,
// direction, status, protocol, plus the view parameters ip and country.

export const RANGES = [
  { id: '30m', label: '30 min', ms: 30 * 60e3 },
  { id: '1h', label: '1 h', ms: 3600e3 },
  { id: '12h', label: '12 h', ms: 12 * 3600e3 },
  { id: '24h', label: '24 h', ms: 24 * 3600e3 },
  { id: '7d', label: '7 d', ms: 7 * 86400e3 },
  { id: '14d', label: '14 d', ms: 14 * 86400e3 },
  { id: '30d', label: '30 d', ms: 30 * 86400e3 },
  { id: 'custom', label: 'custom', ms: null },
];
export const UNITS = ['flows', 'bytes', 'packets'];
export const SINGLE_KEYS = ['vnet', 'subnet', 'direction', 'status', 'protocol'];

export const DEFAULT_FILTERS = Object.freeze({
  range: '24h', from: '', to: '', unit: 'flows', flowtype: [],
  vnet: '', subnet: '', direction: '', status: '', protocol: '',
});

/** URLSearchParams -> filter state (unknown or invalid values fall back to the defaults). */
export function parseFilters(query) {
  const f = { ...DEFAULT_FILTERS, flowtype: [] };
  const range = query.get('range');
  if (RANGES.some((r) => r.id === range)) f.range = range;
  if (f.range === 'custom') {
    f.from = query.get('from') || '';
    f.to = query.get('to') || '';
    if (!isValidUtc(f.from) || !isValidUtc(f.to)) { f.range = DEFAULT_FILTERS.range; f.from = ''; f.to = ''; }
  }
  const unit = query.get('unit');
  if (UNITS.includes(unit)) f.unit = unit;
  const types = query.get('flowtype');
  if (types) f.flowtype = types.split(',').filter(Boolean);
  for (const key of SINGLE_KEYS) f[key] = query.get(key) || '';
  return f;
}

/** Filter state -> URL query entries (defaults omitted), in a stable order. */
export function filtersToQuery(f) {
  const q = new URLSearchParams();
  if (f.range !== DEFAULT_FILTERS.range) q.set('range', f.range);
  if (f.range === 'custom') { q.set('from', f.from); q.set('to', f.to); }
  if (f.unit !== DEFAULT_FILTERS.unit) q.set('unit', f.unit);
  if (f.flowtype.length) q.set('flowtype', f.flowtype.join(','));
  for (const key of SINGLE_KEYS) if (f[key]) q.set(key, f[key]);
  return q;
}

/** True for "YYYY-MM-DDTHH:MM" (optionally with seconds), read as UTC. */
function isValidUtc(s) {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(s) && !Number.isNaN(Date.parse(`${s}Z`));
}

/** "YYYY-MM-DDTHH:MM" from a Date (UTC), for the custom range inputs. */
export function toUtcInput(date) {
  return date.toISOString().slice(0, 16);
}

/**
 * The time window the filters select: {from: Date, to: Date, anchor: Date|null, staleMs}.
 * Relative ranges end at min(now, dataTo) so a store whose data stopped long ago still shows
 * its last day; staleMs is how far that end lies behind now (0 when the data is current).
 */
export function timeWindow(f, dataTo, now = Date.now()) {
  const end = dataTo ? Math.min(now, Date.parse(dataTo)) : now;
  if (f.range === 'custom') {
    return { from: new Date(`${f.from}Z`), to: new Date(`${f.to}Z`), anchor: null, staleMs: now - end };
  }
  const range = RANGES.find((r) => r.id === f.range);
  return { from: new Date(end - range.ms), to: new Date(end), anchor: new Date(end), staleMs: now - end };
}

/** Query parameters for GET /api/panels/<id>; extras are view parameters such as ip, country. */
export function apiParams(f, window, extras = {}) {
  const p = new URLSearchParams();
  p.set('from', window.from.toISOString());
  p.set('to', window.to.toISOString());
  p.set('unit', f.unit);
  if (f.flowtype.length) p.set('flowtype', f.flowtype.join(','));
  for (const key of SINGLE_KEYS) if (f[key]) p.set(key, f[key]);
  for (const [key, value] of Object.entries(extras)) if (value) p.set(key, value);
  return p;
}
