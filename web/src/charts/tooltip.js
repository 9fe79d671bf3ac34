// Chart tooltips built as DOM nodes (ECharts accepts an HTMLElement from a formatter), so
// names from flow logs are text, never markup.
import { h } from '../dom.js';

/** rows: [[label, value, colour?]]; returns an element for an ECharts tooltip formatter. */
export function tooltipBox(title, rows) {
  return h('div', { class: 'tt' },
    title ? h('div', { class: 'tt-title' }, title) : null,
    rows.map(([label, value, color]) => h('div', { class: 'tt-row' },
      color ? h('span', { class: 'tt-dot', style: `background:${color}` }) : null,
      h('span', { class: 'tt-label' }, label),
      h('span', { class: 'tt-value' }, value))));
}
