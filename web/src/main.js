// Entry point: builds the page shell (header, navigation, main area), then renders the view
// the hash route names. Each route change tears the previous view down (charts disposed,
// late API answers ignored through ctx.alive()) and renders the new one.
import './styles.css';
import { h, clear } from './dom.js';
import { ApiError, getPanelIndex, getStatus } from './api.js';
import { buildHash, navigate, startRouter } from './router.js';
import { currentTheme, initTheme, onThemeChange, toggleTheme } from './theme.js';
import { disposeAllCharts } from './charts/host.js';
import { filtersToQuery, parseFilters } from './filters.js';
import { looksLikeIp } from './links.js';
import { renderDashboard } from './views/dashboard.js';
import { renderConsole } from './views/console.js';
import { renderStatus } from './views/status.js';
import { renderNoData } from './views/nodata.js';

/** Navigation entries: route id, label, and whether the global filters carry over. */
const NAV = [
  { id: 'overview', label: 'Overview', data: true },
  { id: 'geo', label: 'Geo map', data: true },
  { id: 'ips', label: 'Who connects', data: true },
  { id: 'ports', label: 'Open ports', data: true },
  { id: 'distribution', label: 'Distribution', data: true },
  { id: 'rules', label: 'NSG rules', data: true },
  { id: 'topology', label: 'Topology', data: true },
  { id: 'console', label: 'KQL console', data: false },
  { id: 'status', label: 'Pipeline status', data: false },
];
const DATA_VIEWS = new Set([...NAV.filter((n) => n.data).map((n) => n.id), 'ip']);

initTheme();

const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
const navLinks = NAV.map((n) => h('a', { href: `#/${n.id}`, 'data-nav': n.id }, n.label));
const themeBtn = h('button', { type: 'button', id: 'theme-toggle', class: 'icon-btn', onclick: toggleTheme });
const ipInput = h('input', { type: 'search', placeholder: 'Go to IP…', 'aria-label': 'Go to IP', class: 'ip-search', spellcheck: 'false' });
const ipForm = h('form', {
  class: 'ip-form',
  onsubmit: (e) => {
    e.preventDefault();
    const ip = ipInput.value.trim();
    if (looksLikeIp(ip)) navigate(buildHash('ip', ip, filtersToQuery(parseFilters(currentQuery()))));
    else {
      ipInput.setCustomValidity('Not an IPv4 or IPv6 address');
      ipInput.reportValidity();
    }
  },
}, ipInput);
ipInput.addEventListener('input', () => ipInput.setCustomValidity(''));

const brandLink = h('a', { class: 'brand', href: '#/overview' }, h('span', { class: 'logo' }), 'flowlens');
document.body.appendChild(h('div', { class: 'shell' },
  h('header', { class: 'top' },
    brandLink,
    h('span', { class: 'spacer' }), ipForm, themeBtn),
  h('nav', { class: 'side', 'aria-label': 'Views' }, navLinks),
  main));

function paintThemeButton() {
  const dark = currentTheme() === 'dark';
  themeBtn.textContent = dark ? '☀ Light' : '☾ Dark';
  themeBtn.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
}
paintThemeButton();
onThemeChange(paintThemeButton);

let currentRoute = null;
function currentQuery() { return currentRoute ? currentRoute.query : new URLSearchParams(); }

let generation = 0;

async function render(route) {
  currentRoute = route;
  const gen = ++generation;
  const alive = () => gen === generation;
  disposeAllCharts();
  clear(main);
  document.title = `flowlens · ${route.view}`;

  // Filters follow the user from view to view through the navigation links.
  const carried = filtersToQuery(parseFilters(route.query)).toString();
  for (const a of navLinks) {
    const entry = NAV.find((n) => n.id === a.dataset.nav);
    a.href = entry.data && carried ? `#/${entry.id}?${carried}` : `#/${entry.id}`;
    if (a.dataset.nav === route.view || (route.view === 'ip' && a.dataset.nav === 'ips')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  brandLink.href = carried ? `#/overview?${carried}` : '#/overview';

  if (route.view === 'console') { renderConsole({ main, route, alive }); return; }

  const loading = main.appendChild(h('div', { class: 'loading page-msg' }, h('span', { class: 'spinner' }), 'Loading…'));
  const [index, status] = await Promise.all([
    getPanelIndex().catch((e) => e),
    DATA_VIEWS.has(route.view) ? getStatus().catch((e) => e) : null,
  ]);
  if (!alive()) return;
  loading.remove();

  if (route.view === 'status') {
    renderStatus({ main, index: index instanceof Error ? null : index, alive });
    if (index instanceof Error) main.appendChild(apiProblem('GET /api/panels', index));
    return;
  }
  if (!DATA_VIEWS.has(route.view)) {
    main.appendChild(h('div', { class: 'page-msg' }, h('h2', null, 'No such page'),
      h('p', null, 'Unknown view "', route.view, '". ', h('a', { href: '#/overview' }, 'Go to the overview'), '.')));
    return;
  }
  // No data directory yet (503 "no flowlens data") or one without flows: the "No data yet" page.
  if (status instanceof ApiError && status.status === 503) { renderNoData(main, status.message); return; }
  if (status && !(status instanceof Error) && isStoreEmpty(status)) { renderNoData(main); return; }
  if (index instanceof Error) { main.appendChild(apiProblem('GET /api/panels', index)); return; }
  if (!index.data || !index.data.to) { renderNoData(main); return; }
  const viewDef = (index.views || []).find((v) => v.id === route.view);
  if (!viewDef) {
    main.appendChild(h('div', { class: 'page-msg panel-error' }, `The server offers no view "${route.view}".`));
    return;
  }
  renderDashboard({ main, route, viewDef, index, alive });
}

/** The store is empty when NTANetAnalytics holds no rows (or is missing). */
function isStoreEmpty(status) {
  const t = (status.tables || []).find((x) => x.name === 'NTANetAnalytics');
  return !t || !t.rows;
}

function apiProblem(what, e) {
  const detail = e instanceof ApiError ? `${e.message}${e.status ? ` (HTTP ${e.status})` : ''}` : String(e);
  return h('div', { class: 'page-msg panel-error', 'data-state': 'error' }, `${what} failed: ${detail}`);
}

startRouter(render);
