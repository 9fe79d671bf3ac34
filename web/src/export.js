// Result export, all client-side: TSV for the clipboard, CSV and JSON files through Blob URLs.

function cellText(v) {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Tab-separated with a header line; tabs and newlines inside values become spaces. */
export function toTsv(table) {
  const clean = (v) => cellText(v).replace(/[\t\r\n]+/g, ' ');
  return [table.columns.map((c) => clean(c.name)), ...table.rows.map((r) => r.map(clean))]
    .map((cells) => cells.join('\t')).join('\n');
}

/** RFC 4180 CSV with a header line; values with comma, quote or newline are quoted. Text that
 * a spreadsheet would take for a formula (= + - @ at the start, from rule names, URLs or DNS
 * names in the logs) gets a leading apostrophe; numbers are written as they are. */
export function toCsv(table) {
  const quote = (v) => {
    const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : cellText(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[table.columns.map((c) => quote(c.name)), ...table.rows.map((r) => r.map(quote))]
    .map((cells) => cells.join(',')).join('\r\n')}\r\n`;
}

/** JSON: an array of objects keyed by column name. */
export function toJson(table) {
  return JSON.stringify(table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c.name, r[i]]))), null, 2);
}

/** Starts a download of text as a file. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copies text to the clipboard; falls back to a hidden textarea when the API is refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    return ok;
  }
}
