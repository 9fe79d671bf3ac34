// The global filter bar shown above every data view. It only reads the current filter state
// and reports a new one through onChange(filters); the caller turns that into the URL.
// Test hooks: buttons [data-filter="range"|"unit"][data-value], selects [data-filter=<key>],
// the flow-type checkboxes [data-filter="flowtype"][value], the note .data-note.
import { h } from './dom.js';
import { DEFAULT_FILTERS, RANGES, UNITS, toUtcInput } from './filters.js';
import { formatAgo, formatDateTime } from './format.js';

/**
 * opts: {filters, choices, window: {from, to, staleMs}, dataTo, onChange(filters)}.
 * Returns the bar element.
 */
export function renderFilterBar(opts) {
  const { filters, choices = {}, window: win, dataTo, onChange } = opts;
  const change = (patch) => onChange({ ...filters, ...patch });

  const rangeButtons = RANGES.filter((r) => r.id !== 'custom').map((r) => h('button', {
    type: 'button', class: 'seg', 'data-filter': 'range', 'data-value': r.id,
    'aria-pressed': String(filters.range === r.id),
    onclick: () => change({ range: r.id, from: '', to: '' }),
  }, r.label));

  const fromInput = h('input', { type: 'datetime-local', 'aria-label': 'from (UTC)', value: filters.from || toUtcInput(win.from) });
  const toInput = h('input', { type: 'datetime-local', 'aria-label': 'to (UTC)', value: filters.to || toUtcInput(win.to) });
  const custom = h('details', { class: 'custom-range', open: filters.range === 'custom' },
    h('summary', { class: 'seg', 'aria-pressed': String(filters.range === 'custom'), 'data-filter': 'range', 'data-value': 'custom' }, 'custom'),
    h('div', { class: 'popover' },
      h('label', null, 'from (UTC)', fromInput),
      h('label', null, 'to (UTC)', toInput),
      h('button', {
        type: 'button', class: 'primary',
        onclick: () => {
          if (fromInput.value && toInput.value && fromInput.value < toInput.value) {
            change({ range: 'custom', from: fromInput.value.slice(0, 16), to: toInput.value.slice(0, 16) });
          }
        },
      }, 'Apply')));

  const unitButtons = UNITS.map((u) => h('button', {
    type: 'button', class: 'seg', 'data-filter': 'unit', 'data-value': u,
    'aria-pressed': String(filters.unit === u), onclick: () => change({ unit: u }),
  }, u));

  const bar = h('div', { class: 'filter-bar', role: 'toolbar', 'aria-label': 'Filters' },
    h('div', { class: 'group' }, h('span', { class: 'group-label' }, 'Time'), rangeButtons, custom),
    h('div', { class: 'group' }, h('span', { class: 'group-label' }, 'Unit'), unitButtons),
    flowTypePicker(filters, choices.flow_types || [], change),
    select('vnet', 'VNet', choices.vnets, filters, change, (v) => ({ vnet: v, subnet: '' })),
    select('subnet', 'Subnet', (choices.subnets || []).filter((s) => !filters.vnet || s.startsWith(`${filters.vnet}/`)), filters, change),
    select('direction', 'Direction', choices.directions, filters, change),
    select('status', 'Status', choices.statuses, filters, change),
    select('protocol', 'Protocol', choices.protocols, filters, change),
    isFiltered(filters)
      ? h('button', { type: 'button', class: 'link-btn', onclick: () => onChange({ ...DEFAULT_FILTERS, flowtype: [] }) }, 'Reset')
      : null);

  const windowText = `${formatDateTime(win.from.toISOString())} → ${formatDateTime(win.to.toISOString())}`;
  const note = h('div', { class: 'data-note' }, h('span', { class: 'window' }, windowText));
  if (dataTo && win.staleMs > 3600e3 && filters.range !== 'custom') {
    note.appendChild(h('span', { class: 'stale' },
      `latest data ${formatDateTime(dataTo)}, ${formatAgo(win.staleMs / 1000)}; ranges end there`));
  }
  return h('div', { class: 'filters' }, bar, note);
}

function isFiltered(f) {
  return f.range !== DEFAULT_FILTERS.range || f.unit !== DEFAULT_FILTERS.unit || f.flowtype.length > 0 ||
    ['vnet', 'subnet', 'direction', 'status', 'protocol'].some((k) => f[k]);
}

/** A labelled <select> with "all" plus the choices; keeps an unknown current value selectable. */
function select(key, label, choices = [], filters, change, patchFor = (v) => ({ [key]: v })) {
  const values = [...(choices || [])];
  if (filters[key] && !values.includes(filters[key])) values.push(filters[key]);
  const el = h('select', {
    'data-filter': key, 'aria-label': label, class: filters[key] ? 'active' : null,
    onchange: (e) => change(patchFor(e.target.value)),
  },
  h('option', { value: '' }, `${label}: all`),
  values.map((v) => h('option', { value: v, selected: v === filters[key] }, v)));
  return el;
}

/** Flow type multi-select: a dropdown of checkboxes, applied when the dropdown closes. */
function flowTypePicker(filters, types, change) {
  const all = [...types];
  for (const t of filters.flowtype) if (!all.includes(t)) all.push(t);
  const boxes = all.map((t) => h('input', { type: 'checkbox', value: t, 'data-filter': 'flowtype', checked: filters.flowtype.includes(t) }));
  const summary = filters.flowtype.length === 0 ? 'Flow type: all'
    : filters.flowtype.length === 1 ? `Flow type: ${filters.flowtype[0]}` : `Flow types: ${filters.flowtype.length}`;
  const details = h('details', { class: `multi${filters.flowtype.length ? ' active' : ''}` },
    h('summary', null, summary),
    h('div', { class: 'popover' },
      boxes.map((b, i) => h('label', { class: 'check' }, b, all[i])),
      h('div', { class: 'popover-actions' },
        h('button', { type: 'button', onclick: () => change({ flowtype: [] }) }, 'All'),
        h('button', {
          type: 'button', class: 'primary', 'data-filter': 'flowtype-apply',
          onclick: () => change({ flowtype: boxes.filter((b) => b.checked).map((b) => b.value) }),
        }, 'Apply'))));
  return details;
}
