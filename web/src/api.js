// The flowlens HTTP API (docs/serve.md, panel contract). Every function resolves to the parsed
// JSON answer or rejects with an ApiError carrying the HTTP status and the server's error
// object ({message, kind, offset, length, line, column} for KQL errors).

export class ApiError extends Error {
  constructor(status, error, body = null) {
    super(error && error.message ? error.message : `HTTP ${status}`);
    this.status = status;
    this.error = error || {};
    this.body = body; // the whole answer (a failing panel also sends its "query")
  }
}

// A server started with --auth-token answers 401 until requests carry its bearer token. The
// dashboard asks for it once per tab and keeps it in sessionStorage (never in the URL, never in
// localStorage, so it is gone with the tab).
const TOKEN_KEY = 'flowlens.token';

function withToken(init) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: 'application/json', ...(init && init.headers) };
  if (token) headers.Authorization = `Bearer ${token}`;
  return { ...init, headers };
}

let asking = null; // one prompt for all the panels that failed at once
function askForToken() {
  if (!asking) {
    asking = Promise.resolve().then(() => {
      const token = window.prompt('This flowlens server needs its access token (flowlens serve --auth-token):');
      if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
      return Boolean(token);
    }).finally(() => { setTimeout(() => { asking = null; }, 0); });
  }
  return asking;
}

async function request(path, init, retried = false) {
  let res;
  const sent = sessionStorage.getItem(TOKEN_KEY);
  try {
    res = await fetch(path, withToken(init));
  } catch (e) {
    throw new ApiError(0, { message: `cannot reach the flowlens server (${e.message})` });
  }
  if (res.status === 401 && !retried) {
    // A request sent before another one obtained the token just tries again with it.
    if (sessionStorage.getItem(TOKEN_KEY) !== sent) return request(path, init, true);
    sessionStorage.removeItem(TOKEN_KEY);
    if (await askForToken()) return request(path, init, true);
  }
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: reported below */ }
  if (!res.ok) throw new ApiError(res.status, body && body.error ? body.error : { message: `HTTP ${res.status} ${res.statusText}` }, body);
  if (body === null) throw new ApiError(res.status, { message: 'the server answered something that is not JSON' });
  return body;
}

/** GET /api/status: tables (rows, segments, bytes, from, to), sources, newest_tuple, lag_seconds. */
export function getStatus() { return request('api/status'); }

/** GET /api/panels: {views:[{id,title,panels:[{id,title,description,render,params}]}], choices, data:{from,to}}. */
export function getPanelIndex() { return request('api/panels'); }

/** GET /api/panels/<id>?params: {id, title, query, result:{tables:[...]}, elapsed_ms}. */
export function getPanel(id, params) {
  return request(`api/panels/${encodeURIComponent(id)}?${params.toString()}`);
}

/** POST /api/query: {tables:[{columns, rows, render, truncated}], warnings?}. */
export function runQuery(query) {
  return request('api/query', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ query }),
  });
}
