// The page shown instead of a data view when the store holds no flows at all.
import { h } from '../dom.js';

/** detail: the server's own words, when it said why (shown small under the advice). */
export function renderNoData(main, detail = null) {
  main.appendChild(h('div', { class: 'nodata', 'data-state': 'nodata' },
    h('h2', null, 'No data yet'),
    h('p', null, 'No data yet: run ', h('code', null, 'flowlens ingest --data DIR <flow-log files or folder>'),
      ' to store flow logs, then reload this page.'),
    detail ? h('p', { class: 'muted' }, `The server says: ${detail}`) : null,
    h('p', { class: 'muted' }, 'The KQL console and the pipeline status work meanwhile.')));
}
