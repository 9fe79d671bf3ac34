// The DuckDB baseline: the same flattening flowlens does, in SQL over the raw blobs.
// usage: node duckdb_flowlogs.mjs (summary|csv) THREADS OUTPUT_CSV FILE...
//   summary: prints {"tuples":N,"bytesSrcToDest":N,"bytesDestToSrc":N} for the VNet tuples
//   csv:     writes one CSV row per tuple (record time, MAC, ACL, rule, the 13 tuple fields)
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, threads, output, ...files] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const db = await instance.connect();

const list = '[' + files.map((f) => `'${f.replaceAll("'", "''")}'`).join(',') + ']';
// read_json with an explicit schema (no sampling) and room for the largest blob.
const source = `read_json(${list}, format='auto', maximum_object_size=536870912,
  columns={records: 'STRUCT("time" VARCHAR, macAddress VARCHAR, flowRecords STRUCT(flows STRUCT(aclID VARCHAR, flowGroups STRUCT("rule" VARCHAR, flowTuples VARCHAR[])[])[]))[]'})`;
const tuples = `
  WITH rec AS (SELECT unnest(records) AS r FROM ${source}),
       acl AS (SELECT r."time" AS t, r.macAddress AS mac, unnest(r.flowRecords.flows) AS f FROM rec),
       grp AS (SELECT t, mac, f.aclID AS acl, unnest(f.flowGroups) AS g FROM acl),
       tup AS (SELECT t, mac, acl, g."rule" AS rule, string_split(unnest(g.flowTuples), ',') AS s FROM grp)`;

if (mode === 'summary') {
  const reader = await db.runAndReadAll(`${tuples}
    SELECT count(*)::BIGINT AS tuples,
           coalesce(sum(TRY_CAST(s[11] AS BIGINT)), 0)::BIGINT AS bsd,
           coalesce(sum(TRY_CAST(s[13] AS BIGINT)), 0)::BIGINT AS bds FROM tup`);
  const [row] = reader.getRowObjects();
  console.log(JSON.stringify({ tuples: Number(row.tuples), bytesSrcToDest: Number(row.bsd),
                               bytesDestToSrc: Number(row.bds) }));
} else {
  await db.run(`COPY (${tuples}
    SELECT t, mac, acl, rule, s[1] AS ts, s[2] AS src, s[3] AS dst, s[4] AS sport, s[5] AS dport,
           s[6] AS proto, s[7] AS dir, s[8] AS state, s[9] AS enc, s[10] AS psd, s[11] AS bsd,
           s[12] AS pds, s[13] AS bds FROM tup) TO '${output}' (FORMAT csv, HEADER)`);
}
