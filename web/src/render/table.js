// Result tables: a real <table> with one <th> per column (text = the column name), sortable
// by clicking a header (numbers numerically, others as text; click again to reverse).
// Numbers are right-aligned and formatted (exact value in title and data-value); IPs and
// countries link (links.js). At most `limit` rows are drawn; the caller says how many exist.
import { clear, h } from '../dom.js';
import { cellLink } from '../links.js';
import { isNumericType } from '../charts/series.js';
import { exactNumber, formatCell, formatDateTime } from '../format.js';
import { countryName } from '../countries.js';

/** opts: {unit, filterQuery, limit (default 500), maxHeight (px)}. Returns a wrapper element. */
export function renderTable(table, opts = {}) {
  const limit = opts.limit || 500;
  const cols = table.columns;
  const wrap = h('div', { class: 'table-wrap' });
  if (opts.maxHeight) wrap.style.maxHeight = `${opts.maxHeight}px`;
  const note = h('div', { class: 'table-note' });
  const tbody = h('tbody');
  let sortCol = -1;
  let sortDir = 1;
  let rows = table.rows;

  const headers = cols.map((c, i) => h('th', {
    class: isNumericType(c.type) ? 'num' : null, scope: 'col', title: `${c.name} (${c.type}) — click to sort`,
    onclick: () => {
      sortDir = sortCol === i ? -sortDir : (isNumericType(c.type) ? -1 : 1);
      sortCol = i;
      rows = sortRows(table.rows, i, sortDir, isNumericType(c.type));
      headers.forEach((th, j) => {
        if (j === i) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      });
      drawBody();
    },
  }, c.name));

  function drawBody() {
    clear(tbody);
    const frag = document.createDocumentFragment();
    for (const row of rows.slice(0, limit)) {
      frag.appendChild(h('tr', null, cols.map((c, i) => cell(c, row[i], opts))));
    }
    tbody.appendChild(frag);
    note.textContent = rows.length > limit
      ? `Showing the first ${exactNumber(limit)} of ${exactNumber(rows.length)} rows.` : '';
  }

  drawBody();
  wrap.appendChild(h('table', { class: 'data' }, h('thead', null, h('tr', null, headers)), tbody));
  wrap.appendChild(note);
  return wrap;
}

const TAGS = new Set(['spike', 'dip']);
const GUID_PATH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\//i;

function cell(col, v, opts) {
  if (v === null || v === undefined) return h('td', { class: 'null' }, '');
  if (isNumericType(col.type) && typeof v === 'number') {
    return h('td', { class: 'num', title: exactNumber(v), 'data-value': String(v) }, formatCell(v, col.name, opts.unit));
  }
  if (col.type === 'datetime') return h('td', { class: 'time', title: v }, formatDateTime(v, true));
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Anomaly kinds (overview.irregular) read at a glance: spikes red-ish, dips blue-ish.
  if (col.name === 'Kind' && TAGS.has(text)) return h('td', null, h('span', { class: `tag tag-${text}` }, text));
  const link = cellLink(col.name, text, opts.filterQuery);
  // NSG paths start with the subscription id ("0ee3369d-…-8b2f46/rg-app/nsg-web"): shown as
  // "0ee3369d…/rg-app/nsg-web" so the NSG name stays visible; the title has it all.
  const shown = GUID_PATH.test(text) ? text.replace(GUID_PATH, (m) => `${m.slice(0, 8)}…/`) : text;
  const title = /Country$/.test(col.name) && text ? countryName(text) : (shown !== text || text.length > 40 ? text : null);
  return h('td', { title }, link ? h('a', { href: link }, shown) : shown);
}

function sortRows(rows, i, dir, numeric) {
  const copy = [...rows];
  copy.sort((a, b) => {
    const x = a[i];
    const y = b[i];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (numeric) return (x - y) * dir;
    return String(x).localeCompare(String(y)) * dir;
  });
  return copy;
}
