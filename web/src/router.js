// Hash routes: "#/<view>[/<arg>][?<query>]", e.g. "#/ip/10.0.0.4?range=1h". The query holds
// the global filters and view parameters (country, q), so every view is a shareable URL.

export const DEFAULT_VIEW = 'overview';

/** Parses location.hash (or a given hash) into {view, arg, query: URLSearchParams}. */
export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const slash = path.indexOf('/');
  // A malformed escape in a hand-edited URL shows the "unknown view" page, not a blank one.
  const decode = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
  const view = decode(slash >= 0 ? path.slice(0, slash) : path) || DEFAULT_VIEW;
  const arg = slash >= 0 ? decode(path.slice(slash + 1)) : null;
  return { view, arg: arg || null, query };
}

/** Builds "#/view[/arg][?query]"; arg is URI-encoded, query is a URLSearchParams or object. */
export function buildHash(view, arg = null, query = null) {
  let hash = `#/${view}`;
  if (arg) hash += `/${encodeURIComponent(arg)}`;
  const qs = query ? new URLSearchParams(query).toString() : '';
  return qs ? `${hash}?${qs}` : hash;
}

/** Navigates (adds a history entry); a no-op when the hash would not change. */
export function navigate(hash) {
  if (window.location.hash !== hash) window.location.hash = hash;
}

/** Calls handler(route) on every hash change and once now. */
export function startRouter(handler) {
  window.addEventListener('hashchange', () => handler(parseHash()));
  handler(parseHash());
}
