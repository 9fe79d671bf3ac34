// Turns a query result table ({columns:[{name,type}], rows}) into chart data, for panels and
// for console results alike. The layouts follow the panel contract but also fit ad-hoc KQL:
//   time:     first datetime column is x; first string column (if any) splits series; every
//             numeric column is a y value.
//   category: first non-numeric column is the category; every numeric column is a series.
// sum and points count what is plotted (the data-sum / data-points test hooks).

const NUMERIC = new Set(['long', 'int', 'real', 'decimal']);

export function isNumericType(type) { return NUMERIC.has(type); }

export function toTimeSeries(table) {
  const cols = table.columns;
  const x = cols.findIndex((c) => c.type === 'datetime');
  const key = cols.findIndex((c, i) => i !== x && c.type === 'string');
  const values = cols.map((c, i) => i).filter((i) => isNumericType(cols[i].type));
  const times = new Set();
  const byName = new Map();
  let sum = 0;
  let points = 0;
  for (const row of table.rows) {
    const t = Date.parse(row[x]);
    if (Number.isNaN(t)) continue;
    times.add(t);
    for (const v of values) {
      const name = key >= 0
        ? (values.length > 1 ? `${row[key]} ${cols[v].name}` : String(row[key] ?? ''))
        : cols[v].name;
      if (!byName.has(name)) byName.set(name, new Map());
      const val = typeof row[v] === 'number' ? row[v] : 0;
      const m = byName.get(name);
      m.set(t, (m.get(t) || 0) + val);
      sum += val;
      points += 1;
    }
  }
  const axis = [...times].sort((a, b) => a - b);
  const series = [...byName.entries()].map(([name, m]) => ({
    name, data: axis.map((t) => [t, m.get(t) || 0]),
  }));
  return { valid: x >= 0 && values.length > 0, axis, series, sum, points };
}

export function toCategories(table) {
  const cols = table.columns;
  let cat = cols.findIndex((c) => !isNumericType(c.type));
  const values = cols.map((c, i) => i).filter((i) => i !== cat && isNumericType(cols[i].type));
  if (cat < 0) cat = 0;
  const categories = table.rows.map((r) => (r[cat] === null || r[cat] === '' ? '(empty)' : String(r[cat])));
  let sum = 0;
  let points = 0;
  const series = values.map((v) => ({
    name: cols[v].name,
    data: table.rows.map((r) => {
      const val = typeof r[v] === 'number' ? r[v] : 0;
      sum += val;
      points += 1;
      return val;
    }),
  }));
  return { valid: values.length > 0, categoryName: cols[cat].name, categories, series, sum, points };
}

/** A colour with meaning for series named after status/FlowType, else the palette's next one. */
export function seriesColor(name, p, index) {
  const n = String(name).toLowerCase();
  if (n.includes('malicious')) return n.includes('denied') ? p.malicious2 : p.malicious;
  if (n.includes('denied')) return n.startsWith('outbound') ? p.denied2 : p.denied;
  if (n.includes('benign') || n.includes('allowed')) return n.startsWith('outbound') ? p.benign2 : p.benign;
  return p.series[index % p.series.length];
}
