// The console's query history: the last 50 distinct queries, newest first, in localStorage
// ("flowlens.history"). Storage failures (private mode, quota) are ignored.

const KEY = 'flowlens.history';
const MAX = 50;

export function loadHistory() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list.filter((q) => typeof q === 'string').slice(0, MAX) : [];
  } catch {
    return [];
  }
}

/** Puts query first (removing an older copy) and returns the new list. */
export function remember(query) {
  const list = [query, ...loadHistory().filter((q) => q !== query)].slice(0, MAX);
  try { localStorage.setItem(KEY, JSON.stringify(list)); } catch { /* ignored */ }
  return list;
}

export function clearHistory() {
  try { localStorage.removeItem(KEY); } catch { /* ignored */ }
}
