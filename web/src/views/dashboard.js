// A data view: the filter bar, then the view's panels (from GET /api/panels) in a grid, all
// loading in parallel. Panels that need a parameter the route does not give (geo.country
// without ?country=) show a hint instead of loading.
import { h } from '../dom.js';
import { apiParams, filtersToQuery, parseFilters, timeWindow } from '../filters.js';
import { buildHash, navigate } from '../router.js';
import { renderFilterBar } from '../filterbar.js';
import { createPanel, loadPanel, setPanelState } from '../panel.js';
import { countryName, isCountryCode } from '../countries.js';
import { looksLikeIp } from '../links.js';
import { orderPanels } from '../layout.js';

// Panels whose "no rows" means something better than "no flows match".
const EMPTY_TEXTS = {
  'ip.info': 'Nothing is known about this address in this time range.',
  'overview.irregular': 'Nothing irregular: every flow type stayed within its expected range.',
  'rules.never_hit': 'Every rule seen before this window was hit in it.',
  'rules.malicious': 'No rule saw traffic with a malicious IP in this window.',
};

/** Names of the parameters a panel definition needs ("params": ["country"] or [{name}]). */
function paramNames(def) {
  return (def.params || []).map((p) => (typeof p === 'string' ? p : p && p.name)).filter(Boolean);
}

/** ctx: {main, route, viewDef, index, alive()}. */
export function renderDashboard(ctx) {
  const { main, route, viewDef, index } = ctx;
  const filters = parseFilters(route.query);
  const dataTo = index.data && index.data.to;
  const win = timeWindow(filters, dataTo);
  const filterQuery = filtersToQuery(filters);

  // View parameters: the IP from the route, the country from the query.
  const extras = {};
  if (route.view === 'ip') extras.ip = route.arg || '';
  const country = (route.query.get('country') || '').toUpperCase();
  if (isCountryCode(country)) extras.country = country;

  const go = (newFilters) => {
    const q = filtersToQuery(newFilters);
    if (extras.country) q.set('country', extras.country);
    navigate(buildHash(route.view, route.arg, q));
  };

  main.appendChild(renderFilterBar({ filters, choices: index.choices, window: win, dataTo, onChange: go }));
  main.appendChild(viewHeader(route, viewDef, extras, filterQuery));
  if (route.view === 'overview') main.appendChild(questionsStrip(main, viewDef, filterQuery));

  if (route.view === 'ip' && !looksLikeIp(extras.ip)) {
    main.appendChild(h('div', { class: 'empty page-msg' },
      route.arg ? `"${route.arg}" is not an IP address.` : 'Pick an address in a table, or type one in "Go to IP" above.'));
    return;
  }

  const grid = h('div', { class: 'grid' });
  main.appendChild(grid);
  const panelCtx = {
    unit: filters.unit,
    filterQuery,
    alive: ctx.alive,
    onCountry: (code) => {
      const q = new URLSearchParams(filterQuery);
      q.set('country', code);
      navigate(buildHash('geo', null, q));
    },
  };
  const loads = [];
  for (const def of orderPanels(route.view, viewDef.panels)) {
    const panel = createPanel(def);
    grid.appendChild(panel.el);
    const missing = paramNames(def).filter((p) => !extras[p]);
    if (missing.includes('country')) {
      setPanelState(panel, 'empty', 'Click a country on the map to list its addresses.');
      continue;
    }
    const emptyText = EMPTY_TEXTS[def.id];
    loads.push(loadPanel(panel, apiParams(filters, win, extras), { ...panelCtx, emptyText }));
  }
  // A shared link to one panel (?panel=<id>, from the questions strip): scroll there once every
  // panel above it has its final height.
  const target = route.query.get('panel');
  if (target) Promise.all(loads).then(() => { if (ctx.alive()) scrollToPanel(main, target, false); });
}

/**
 * Traffic Analytics' questions, each linked to the view or panel that answers it. Links keep
 * the current filters; panel links scroll within the overview (and record ?panel= in the URL).
 */
const QUESTIONS = [
  { text: 'Who is connecting?', view: 'ips' },
  { text: 'From where?', view: 'geo' },
  { text: 'Which ports are open to the internet?', view: 'ports' },
  { text: 'What is normal / irregular?', panel: 'overview.baseline' },
  { text: 'Where does traffic spike?', panel: 'overview.irregular' },
  { text: 'Which rules block or pass malicious traffic?', view: 'rules' },
];

function questionsStrip(main, viewDef, filterQuery) {
  const has = new Set(viewDef.panels.map((p) => p.id));
  const links = QUESTIONS.filter((q) => !q.panel || has.has(q.panel)).map((q) => {
    if (q.view) return h('a', { class: 'question', href: buildHash(q.view, null, filterQuery) }, q.text);
    const query = new URLSearchParams(filterQuery);
    query.set('panel', q.panel);
    const href = buildHash('overview', null, query);
    return h('a', {
      class: 'question', href, 'data-target': q.panel,
      onclick: (e) => {
        e.preventDefault();
        window.history.replaceState(null, '', href);
        scrollToPanel(main, q.panel, true);
      },
    }, q.text);
  });
  return h('nav', { class: 'questions', 'aria-label': 'Questions' }, h('span', { class: 'questions-label' }, 'Questions'), links);
}

/** Scrolls the view so the panel sits just under the sticky filter bar, and flashes it. */
function scrollToPanel(main, id, smooth) {
  const el = [...main.querySelectorAll('[data-panel]')].find((p) => p.dataset.panel === id);
  if (!el) return;
  const bar = main.querySelector('.filters');
  const offset = (bar ? bar.offsetHeight : 0) + 12;
  const top = el.getBoundingClientRect().top - main.getBoundingClientRect().top + main.scrollTop - offset;
  const reduce = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  main.scrollTo({ top: Math.max(0, top), behavior: smooth && !reduce ? 'smooth' : 'auto' });
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
}

function viewHeader(route, viewDef, extras, filterQuery) {
  const title = route.view === 'ip' && extras.ip ? `IP ${extras.ip}` : viewDef.title;
  const header = h('div', { class: 'view-head' }, h('h2', null, title));
  if (extras.country) {
    header.appendChild(h('span', { class: 'chip' },
      `Country: ${countryName(extras.country)} (${extras.country})`,
      h('a', { href: buildHash('geo', null, filterQuery), title: 'Clear the country', class: 'chip-x' }, '×')));
  }
  return header;
}
