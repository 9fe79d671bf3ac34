// Light and dark themes. Contract: <html data-theme="light|dark"> is the single source of
// truth for CSS; the choice is kept in localStorage ("flowlens.theme") and defaults to the
// system's prefers-color-scheme. Listeners (the charts) are told after every change.

const KEY = 'flowlens.theme';
const listeners = new Set();

export function currentTheme() {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

/** Applies the remembered or system theme; call once before the first render. */
export function initTheme() {
  let theme = null;
  try { theme = localStorage.getItem(KEY); } catch { /* storage disabled */ }
  if (theme !== 'dark' && theme !== 'light') {
    theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  document.documentElement.dataset.theme = theme;
}

export function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  try { localStorage.setItem(KEY, theme); } catch { /* storage disabled */ }
  for (const fn of listeners) fn(theme);
}

export function toggleTheme() { setTheme(currentTheme() === 'dark' ? 'light' : 'dark'); }

export function onThemeChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
