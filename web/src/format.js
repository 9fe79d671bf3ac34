// Number, size, time and label formatting. Pure functions, no DOM. Every formatted value has
// an exact counterpart (the raw number), which callers put into a title tooltip.

const COUNT_SUFFIXES = ['', 'K', 'M', 'B', 'T'];
const BYTE_SUFFIXES = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 1234567 -> "1.2 M"; values below 1000 are shown whole ("999"). */
export function compactNumber(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1000) return sign + (Number.isInteger(v) ? String(v) : v.toFixed(1));
  let i = 0;
  // Round first, then pick the suffix: 999,999 is "1.0 M", not "1000 K".
  while (i < COUNT_SUFFIXES.length - 1 && Number((v / 1000 ** i).toFixed(v / 1000 ** i < 100 ? 1 : 0)) >= 1000) i += 1;
  const scaled = v / 1000 ** i;
  return `${sign}${scaled < 100 ? scaled.toFixed(1) : scaled.toFixed(0)} ${COUNT_SUFFIXES[i]}`;
}

/** 3400000000 -> "3.4 GB" (decimal units, as Azure reports them). */
export function formatBytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const a = Math.abs(n);
  let i = 0;
  const shown = (k) => { const v = a / 1000 ** k; return Number(v.toFixed(k === 0 ? 0 : v < 10 ? 1 : 0)); };
  while (i < BYTE_SUFFIXES.length - 1 && shown(i) >= 1000) i += 1; // 999,999 B is "1.0 MB"
  const v = a / 1000 ** i;
  const digits = i === 0 ? 0 : v < 10 ? 1 : 0;
  return `${n < 0 ? '-' : ''}${v.toFixed(digits)} ${BYTE_SUFFIXES[i]}`;
}

/** 1234567 -> "1,234,567" (exact; reals keep up to 3 decimals). */
export function exactNumber(n) {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/**
 * Columns holding counts of things (addresses, hosts, rule hits ...) rather than a measure in
 * the chosen unit. Everything else numeric in a panel is "in the unit" (flows, bytes, packets).
 */
export function isCountColumn(name) {
  return /(IPs|Ips|Hosts|Sources|Hits|Rows|Segments|Count|count_|Asn|Port|Record)$/.test(name) ||
    /^(Port|DestPort|Asn|Record)$/.test(name);
}

/** A measure in the chosen unit, compact: "1.2 M flows", "3.4 GB", "56 K packets". */
export function formatMeasure(n, unit) {
  const [value, suffix] = measureParts(n, unit);
  return suffix ? `${value} ${suffix}` : value;
}

/** formatMeasure split in [number, unit word] ("1.2 M", "flows"); bytes and plain have no word. */
export function measureParts(n, unit) {
  if (unit === 'bytes') return [formatBytes(n), ''];
  if (unit === 'plain' || !unit) return [compactNumber(n), ''];
  return [compactNumber(n), unit];
}

/** A table cell number: exact with separators, except bytes which read better compact. */
export function formatCell(n, column, unit) {
  if (typeof n !== 'number') return n === null || n === undefined ? '' : String(n);
  // Scores and other reals are not amounts of traffic: never shown as bytes.
  if (((unit === 'bytes' && !isCountColumn(column)) || /Bytes$/.test(column)) && Number.isInteger(n) && !/Score$/.test(column)) {
    return formatBytes(n);
  }
  if (/Port$/.test(column)) return String(n);
  return exactNumber(n);
}

/** ISO datetime -> "2026-11-01 23:30 UTC" (seconds shown when non-zero, if withSeconds). */
export function formatDateTime(iso, withSeconds = false) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const s = d.toISOString();
  const seconds = withSeconds && d.getUTCSeconds() + d.getUTCMilliseconds() !== 0;
  return `${s.slice(0, 10)} ${s.slice(11, seconds ? 19 : 16)} UTC`;
}

/** Seconds -> "3 min ago", "5 h ago", "26 days ago"; "just now" under a minute. */
export function formatAgo(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return 'unknown';
  if (seconds < 0) return 'in the future';
  if (seconds < 60) return 'just now';
  const min = Math.floor(seconds / 60);
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Milliseconds -> "12 ms" / "1.4 s". */
export function formatElapsed(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Column name -> label: "PublicIPs" -> "Public IPs", "DeniedMalicious" -> "Denied malicious". */
export function humanize(name) {
  const words = String(name)
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z]{2,})/g, '$1 $2')
    .trim()
    .split(/\s+/);
  return words
    .map((w, i) => (i === 0 || /^[A-Z0-9]{2,}s?$/.test(w) ? w : w.toLowerCase()))
    .join(' ');
}
