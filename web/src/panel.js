// One dashboard panel: a container with a title, a "KQL" button and a body that shows loading,
// the result, "No flows match these filters." or the API's error.
//
// Test hooks: the container has data-panel="<panel id>" and data-state="loading|ready|empty|
// error"; the state turns ready only after the body (table, card or chart) is in the DOM.
import { h, clear } from './dom.js';
import { getPanel } from './api.js';
import { buildHash } from './router.js';
import { panelLayout } from './layout.js';
import { renderCard } from './render/card.js';
import { renderTable } from './render/table.js';
import { renderTimechart } from './charts/timechart.js';
import { renderBar } from './charts/bar.js';
import { renderPie } from './charts/pie.js';
import { renderMap } from './charts/map.js';
import { renderGraph } from './charts/graph.js';
import { formatElapsed } from './format.js';

export const EMPTY_TEXT = 'No flows match these filters.';

/** Creates the panel container for a panel definition {id, title, description, render}. */
export function createPanel(def) {
  const layout = panelLayout(def.id, def.render);
  const kql = h('a', { class: 'kql-btn', 'aria-disabled': 'true', title: "Open this panel's KQL in the console" }, 'KQL');
  const meta = h('span', { class: 'panel-meta' });
  const body = h('div', { class: 'panel-body' });
  const el = h('section', {
    class: `panel span-${layout.span} kind-${def.render}`, 'data-panel': def.id, 'data-state': 'loading',
  },
  h('header', { class: 'panel-head' },
    h('h3', { title: def.description || null }, def.title || def.id), meta, kql),
  def.description ? h('p', { class: 'panel-desc' }, def.description) : null,
  body);
  return { el, body, kql, meta, layout, def };
}

/** Shows a state in the panel: 'loading' | 'empty' | 'error' with a message. */
export function setPanelState(panel, state, message) {
  panel.el.dataset.state = state;
  clear(panel.body);
  if (state === 'loading') panel.body.appendChild(h('div', { class: 'loading' }, h('span', { class: 'spinner' }), 'Loading…'));
  else if (message) panel.body.appendChild(h('div', { class: state === 'error' ? 'panel-error' : 'empty' }, message));
}

/**
 * Fetches GET /api/panels/<id>?params and renders it. ctx: {unit, filterQuery, alive(),
 * onCountry?, emptyText?}. Resolves when the panel has reached ready, empty or error.
 */
export async function loadPanel(panel, params, ctx) {
  setPanelState(panel, 'loading');
  let answer;
  try {
    answer = await getPanel(panel.def.id, params);
  } catch (e) {
    if (!ctx.alive()) return;
    if (e.body && typeof e.body.query === 'string') setKql(panel, e.body.query);
    setPanelState(panel, 'error', `Could not load this panel: ${e.message}${e.status ? ` (HTTP ${e.status})` : ''}`);
    return;
  }
  if (!ctx.alive()) return;
  if (answer.query) setKql(panel, answer.query);
  if (typeof answer.elapsed_ms === 'number') panel.meta.textContent = formatElapsed(answer.elapsed_ms);
  const table = answer.result && answer.result.tables && answer.result.tables[0];
  if (!table || !table.rows || table.rows.length === 0) {
    setPanelState(panel, 'empty', ctx.emptyText || EMPTY_TEXT);
    return;
  }
  const kind = panel.def.render || (table.render && table.render.kind) || 'table';
  clear(panel.body);
  renderResult(panel.body, table, kind, { ...ctx, ...panel.layout });
  panel.el.dataset.state = 'ready';
}

/** Points the panel's KQL button at the console, prefilled with the panel's exact query. */
function setKql(panel, query) {
  panel.kql.setAttribute('href', buildHash('console', null, { q: query }));
  panel.kql.removeAttribute('aria-disabled');
}

/**
 * Draws a result table as the given render kind into body (used by panels and the console).
 * Charts that cannot be drawn from the columns fall back to a table. opts: {unit, stacked,
 * height, filterQuery, onCountry}.
 */
export function renderResult(body, table, kind, opts) {
  const chartBox = () => body.appendChild(h('div', { class: 'chart-box' }));
  let handle = null;
  switch (kind) {
    case 'card':
      body.appendChild(renderCard(table, opts));
      return 'card';
    case 'timechart': case 'linechart': case 'areachart':
      handle = renderTimechart(chartBox(), table, { ...opts, stacked: kind === 'areachart' || opts.stacked });
      break;
    case 'barchart':
      handle = renderBar(chartBox(), table, { ...opts, horizontal: true });
      break;
    case 'columnchart':
      handle = renderBar(chartBox(), table, { ...opts, horizontal: false });
      break;
    case 'piechart':
      handle = renderPie(chartBox(), table, opts);
      break;
    case 'map':
      handle = renderMap(chartBox(), table, opts);
      break;
    case 'graph':
      handle = renderGraph(chartBox(), table, opts);
      break;
    default:
      break;
  }
  if (handle) return 'chart';
  clear(body);
  body.appendChild(renderTable(table, opts));
  return 'table';
}
