// Pipeline status (#/status): GET /api/status (stored tables, sources, freshness) and the
// status.* panels. Freshness reads "newest tuple 3 min ago".
import { h } from '../dom.js';
import { getStatus } from '../api.js';
import { createPanel, loadPanel } from '../panel.js';
import { renderCard } from '../render/card.js';
import { renderTable } from '../render/table.js';
import { formatAgo, formatDateTime } from '../format.js';

// A source's newest record against the clock: "3 min ago".
const lagText = (r) => (r.lag_seconds == null ? null : formatAgo(r.lag_seconds));

/** ctx: {main, index (may be null), alive()}. */
export async function renderStatus(ctx) {
  const { main, index } = ctx;
  main.appendChild(h('div', { class: 'view-head' }, h('h2', null, 'Pipeline status')));
  const summary = h('section', { class: 'panel span-12', 'data-panel': 'api.status', 'data-state': 'loading' },
    h('header', { class: 'panel-head' }, h('h3', null, 'Store')),
    h('div', { class: 'panel-body' }, h('div', { class: 'loading' }, h('span', { class: 'spinner' }), 'Loading…')));
  const grid = h('div', { class: 'grid' }, summary);
  main.appendChild(grid);

  const viewDef = index && index.views && index.views.find((v) => v.id === 'status');
  for (const def of viewDef ? viewDef.panels : []) {
    const panel = createPanel(def);
    grid.appendChild(panel.el);
    loadPanel(panel, new URLSearchParams(), { unit: 'flows', filterQuery: '', alive: ctx.alive, emptyText: def.id === 'status.ingest_errors' ? 'No ingest errors: every record was stored.' : 'Nothing to show.' });
  }

  const body = summary.querySelector('.panel-body');
  let status;
  try {
    status = await getStatus();
  } catch (e) {
    if (!ctx.alive()) return;
    body.replaceChildren(h('div', { class: 'panel-error' }, `Could not read the status: ${e.message}`));
    summary.dataset.state = 'error';
    return;
  }
  if (!ctx.alive()) return;
  const src = status.sources || {};
  const fresh = status.newest_tuple
    ? `newest tuple ${formatAgo(status.lag_seconds)}` : 'no tuples stored yet';
  body.replaceChildren(
    h('p', { class: 'freshness', title: status.newest_tuple || '' }, fresh,
      status.newest_tuple ? h('span', { class: 'muted' }, ` (${formatDateTime(status.newest_tuple, true)})`) : null),
    renderCard({
      columns: [
        { name: 'Sources', type: 'long' }, { name: 'StillGrowing', type: 'long' },
        { name: 'Tuples', type: 'long' }, { name: 'Errors', type: 'long' },
      ],
      rows: [[src.count ?? null, src.still_growing ?? null, src.tuples ?? null, src.errors ?? null]],
    }, { unit: 'plain' }),
    renderTable({
      columns: [
        { name: 'Table', type: 'string' }, { name: 'Rows', type: 'long' }, { name: 'Segments', type: 'long' },
        { name: 'Bytes', type: 'long' }, { name: 'From', type: 'datetime' }, { name: 'To', type: 'datetime' },
      ],
      rows: (status.tables || []).map((t) => [t.name, t.rows, t.segments, t.bytes, t.from, t.to]),
    }, {}),
    // When and from where: the latest ingest runs and the sources with the newest records.
    h('h4', { class: 'status-sub' }, 'Recent ingests'),
    h('div', { 'data-status': 'ingests' }, renderTable({
      columns: [
        { name: 'Run', type: 'long' }, { name: 'Started', type: 'datetime' }, { name: 'Finished', type: 'datetime' },
        { name: 'Status', type: 'string' }, { name: 'Inputs', type: 'long' }, { name: 'Tuples', type: 'long' },
        { name: 'Errors', type: 'long' }, { name: 'Message', type: 'string' },
      ],
      rows: (status.ingests || []).map((r) => [r.id, r.started, r.finished, r.status, r.inputs, r.tuples, r.errors, r.message]),
    }, {})),
    // Sources whose latest read failed (a blob that could not be read after retries); shown
    // only when there are some. A later read that gets through clears a source's error.
    status.failing_count > 0 ? h('h4', { class: 'status-sub' }, `Sources whose latest read failed (${status.failing_count})`) : null,
    status.failing_count > 0 ? h('div', { 'data-status': 'failing' }, renderTable({
      columns: [
        { name: 'Source', type: 'string' }, { name: 'FailedAt', type: 'datetime' }, { name: 'LastError', type: 'string' },
        { name: 'Lag', type: 'string' },
      ],
      rows: status.failing_sources.map((r) => [r.source, r.last_error_time, r.last_error, lagText(r)]),
    }, {})) : null,
    h('h4', { class: 'status-sub' }, 'Sources, newest records first'),
    h('div', { 'data-status': 'sources' }, renderTable({
      columns: [
        { name: 'Source', type: 'string' }, { name: 'NewestRecord', type: 'datetime' }, { name: 'Lag', type: 'string' },
        { name: 'Tuples', type: 'long' }, { name: 'Errors', type: 'long' }, { name: 'StillGrowing', type: 'bool' },
        { name: 'LastError', type: 'string' },
      ],
      rows: (status.recent_sources || []).map((r) => [r.source, r.last_record, lagText(r), r.tuples, r.errors, r.still_growing, r.last_error]),
    }, {})));
  summary.dataset.state = 'ready';
}
