// Cards (render kind "card"): the first row of a result as labelled tiles. Numbers are shown
// big and compact in the chosen unit ("1.2 M flows", "3.4 GB") with the exact number in the
// title; text values (VM, NIC, subnet, dates) are smaller and wrap, with the full text in the
// title; empty values show a muted "—".
// Test hooks: each value element has data-field="<column>" and, for numbers, data-value="<raw>".
import { h } from '../dom.js';
import { cellLink } from '../links.js';
import { isNumericType } from '../charts/series.js';
import {
  compactNumber, exactNumber, formatDateTime, humanize, isCountColumn, measureParts,
} from '../format.js';
import { countryName } from '../countries.js';

/** opts: {unit, filterQuery}. Returns the card grid element. */
export function renderCard(table, opts = {}) {
  const row = table.rows[0];
  const grid = h('div', { class: 'cards' });
  table.columns.forEach((col, i) => {
    const v = row[i];
    let shown;
    let title = null;
    let suffix = '';
    let kind = 'text';
    const attrs = { 'data-field': col.name };
    if (isNumericType(col.type) && typeof v === 'number') {
      const [num, word] = isCountColumn(col.name) ? [compactNumber(v), ''] : measureParts(v, opts.unit);
      shown = num;
      suffix = word;
      title = isCountColumn(col.name) || !opts.unit || opts.unit === 'plain' ? exactNumber(v) : `${exactNumber(v)} ${opts.unit}`;
      attrs['data-value'] = String(v);
      kind = 'number';
    } else if (v === null || v === undefined || v === '') {
      shown = '—';
      kind = 'none';
    } else if (col.type === 'datetime') {
      shown = formatDateTime(v, true);
      title = v;
    } else {
      shown = String(v);
      title = /Country$/.test(col.name) ? `${countryName(v)} (${shown})` : shown;
    }
    attrs.class = `card-value ${kind}`;
    attrs.title = title;
    const link = typeof v === 'string' ? cellLink(col.name, v, opts.filterQuery) : null;
    // Resource paths ("rg-app/vm-web-02") may break after a slash rather than mid-name.
    const text = kind === 'text' ? breakable(shown) : shown;
    const value = h('div', attrs, link ? h('a', { href: link }, text) : text,
      suffix ? h('span', { class: 'card-unit' }, ` ${suffix}`) : null);
    // Long text gets two grid columns so it wraps over fewer lines.
    const wide = kind === 'text' && shown.length > 24;
    grid.appendChild(h('div', { class: `card card-${kind}${wide ? ' wide' : ''}` },
      h('div', { class: 'card-label' }, humanize(col.name)), value));
  });
  return grid;
}

/** Text nodes with a <wbr> after every "/" (the text content is unchanged). */
function breakable(text) {
  const parts = text.split('/');
  return parts.flatMap((p, i) => (i < parts.length - 1 ? [`${p}/`, h('wbr')] : [p]));
}
