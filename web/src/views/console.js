// The KQL console (#/console[?q=<url-encoded KQL>]): an editor (Ctrl+Enter runs), history,
// results as a sortable table with TSV/CSV/JSON export, a chart when the result carries a
// render hint, and KQL errors shown at their place (line, caret, selected range).
// Opening #/console?q=... fills the editor and runs the query; running updates that URL
// (history.replaceState, so no second run).
// Test hooks: #kql-editor, #kql-run, #kql-error, #kql-results, #kql-meta.
import { clear, h } from '../dom.js';
import { runQuery } from '../api.js';
import { buildHash } from '../router.js';
import { renderResult } from '../panel.js';
import { renderTable } from '../render/table.js';
import { loadHistory, remember, clearHistory } from '../history.js';
import { copyText, download, toCsv, toJson, toTsv } from '../export.js';
import { exactNumber, formatElapsed } from '../format.js';

const CHART_KINDS = new Set(['timechart', 'linechart', 'areachart', 'columnchart', 'barchart', 'piechart']);
const EXAMPLE = 'NTANetAnalytics\n| summarize Flows = sum(AllowedInFlows + DeniedInFlows + AllowedOutFlows + DeniedOutFlows) by FlowType\n| order by Flows desc\n| render piechart';

/** UTF-8 byte offset in s -> UTF-16 index (the server reports byte offsets). */
export function byteToCharIndex(s, byteOffset) {
  let bytes = 0;
  let i = 0;
  while (i < s.length && bytes < byteOffset) {
    const cp = s.codePointAt(i);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** ctx: {main, route, alive()}. */
export function renderConsole(ctx) {
  const { main, route } = ctx;
  const editor = h('textarea', {
    id: 'kql-editor', class: 'editor', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off',
    'aria-label': 'KQL query', placeholder: `${EXAMPLE}\n\n(Ctrl+Enter runs)`, rows: 9,
  });
  const runBtn = h('button', { id: 'kql-run', type: 'button', class: 'primary' }, 'Run');
  const meta = h('span', { id: 'kql-meta', class: 'muted' });
  const share = h('a', { id: 'kql-share', class: 'link-btn', title: 'A link that opens and runs this query' }, 'Link to this query');
  const errorBox = h('div', { id: 'kql-error', class: 'kql-error', hidden: true, role: 'alert' });
  const results = h('div', { id: 'kql-results', class: 'kql-results' });
  const historyList = h('ol', { class: 'history-list' });

  main.appendChild(h('div', { class: 'view-head' }, h('h2', null, 'KQL console')));
  main.appendChild(h('div', { class: 'console' },
    h('div', { class: 'console-main' },
      editor,
      h('div', { class: 'console-bar' }, runBtn, h('span', { class: 'muted kbd' }, 'Ctrl+Enter'), meta, share),
      errorBox,
      results),
    h('aside', { class: 'console-side' },
      h('div', { class: 'side-head' }, h('h3', null, 'History'),
        h('button', { type: 'button', class: 'link-btn', onclick: () => { clearHistory(); drawHistory([]); } }, 'Clear')),
      historyList)));

  function drawHistory(list) {
    clear(historyList);
    if (!list.length) historyList.appendChild(h('li', { class: 'muted' }, 'Queries you run appear here.'));
    for (const q of list) {
      historyList.appendChild(h('li', null, h('button', {
        type: 'button', class: 'history-item', title: q,
        onclick: () => { editor.value = q; run(); },
      }, q)));
    }
  }

  function setShare(query) {
    const hash = buildHash('console', null, { q: query });
    share.setAttribute('href', hash);
    return hash;
  }

  let running = 0;
  async function run() {
    const query = editor.value;
    if (!query.trim()) return;
    const token = ++running;
    const hash = setShare(query);
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
    drawHistory(remember(query));
    errorBox.hidden = true;
    clear(errorBox);
    results.dataset.state = 'loading';
    meta.textContent = 'Running…';
    runBtn.disabled = true;
    const started = performance.now();
    try {
      const answer = await runQuery(query);
      if (!ctx.alive() || token !== running) return;
      const elapsed = performance.now() - started;
      showResults(answer, elapsed);
    } catch (e) {
      if (!ctx.alive() || token !== running) return;
      meta.textContent = `failed after ${formatElapsed(performance.now() - started)}`;
      clear(results);
      results.dataset.state = 'error';
      showError(query, e);
    } finally {
      if (token === running) runBtn.disabled = false;
    }
  }

  function showResults(answer, elapsed) {
    clear(results);
    const tables = answer.tables || [];
    const rows = tables.reduce((n, t) => n + t.rows.length, 0);
    meta.textContent = `${exactNumber(rows)} row${rows === 1 ? '' : 's'} · ${formatElapsed(elapsed)}`;
    for (const w of answer.warnings || []) results.appendChild(h('div', { class: 'warning' }, String(w)));
    tables.forEach((table, i) => {
      const name = tables.length > 1 ? `result-${i + 1}` : 'result';
      results.appendChild(h('div', { class: 'result-bar' },
        tables.length > 1 ? h('strong', null, `Table ${i + 1}`) : null,
        h('button', {
          type: 'button', class: 'small', onclick: async (e) => {
            const ok = await copyText(toTsv(table));
            e.target.textContent = ok ? 'Copied' : 'Copy failed';
            setTimeout(() => { e.target.textContent = 'Copy as TSV'; }, 1500);
          },
        }, 'Copy as TSV'),
        h('button', { type: 'button', class: 'small', onclick: () => download(`${name}.csv`, toCsv(table), 'text/csv') }, 'CSV'),
        h('button', { type: 'button', class: 'small', onclick: () => download(`${name}.json`, toJson(table), 'application/json') }, 'JSON'),
        table.truncated ? h('span', { class: 'warning' }, 'truncated') : null));
      const kind = table.render && table.render.kind;
      if (kind && CHART_KINDS.has(kind) && table.rows.length) {
        const chart = h('div', { class: 'console-chart' });
        results.appendChild(chart);
        if (renderResult(chart, table, kind, { unit: 'plain', stacked: false }) !== 'chart') chart.remove();
      }
      results.appendChild(table.rows.length
        ? renderTable(table, { limit: 1000 })
        : h('div', { class: 'empty' }, 'The query returned no rows.'));
    });
    results.dataset.state = 'ready';
  }

  function showError(query, e) {
    const err = e.error || {};
    errorBox.hidden = false;
    errorBox.appendChild(h('div', { class: 'kql-error-msg' },
      err.kind ? h('span', { class: 'badge' }, `${err.kind} error`) : null,
      ' ', e.message,
      err.line ? h('span', { class: 'muted' }, ` (line ${err.line}, column ${err.column})`) : null));
    if (typeof err.offset === 'number') {
      const start = byteToCharIndex(query, err.offset);
      const end = byteToCharIndex(query, err.offset + (err.length || 0));
      const lineStart = query.lastIndexOf('\n', start - 1) + 1;
      let lineEnd = query.indexOf('\n', start);
      if (lineEnd < 0) lineEnd = query.length;
      const lineText = query.slice(lineStart, lineEnd);
      const caret = ' '.repeat(start - lineStart) + '^'.repeat(Math.max(1, Math.min(end, lineEnd) - start));
      const gutter = `${err.line || ''} | `;
      errorBox.appendChild(h('pre', { class: 'kql-error-place' },
        `${gutter}${lineText}\n${' '.repeat(gutter.length)}${caret}`));
      editor.focus();
      editor.setSelectionRange(start, Math.max(start, end));
    }
    errorBox.dataset.line = String(err.line ?? '');
    errorBox.dataset.column = String(err.column ?? '');
  }

  runBtn.addEventListener('click', run);
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });

  drawHistory(loadHistory());
  // A shared link fills the editor; the query runs when the user says so (a link from
  // anywhere must not make this browser run an expensive query with its token).
  const q = route.query.get('q');
  if (q) {
    editor.value = q;
    editor.focus();
  } else {
    editor.focus();
  }
}
