// The DuckDB baseline for the query benchmark (bench/query_bench.sh), through its Node.js API.
//
// usage: node duckdb_query.mjs load THREADS DATABASE FLOWS_CSV NTA_CSV
//          Creates the tables flows and nta in DATABASE from the CSVs the benchmark exports from
//          flowlens (header line, columns in the order of query_bench.sh), prints the row counts
//          as {"flows":N,"nta":N}.
//        node duckdb_query.mjs query THREADS DATABASE RUNS SQL
//          Runs SQL once and prints its rows as CSV (no header), then runs it RUNS more times in
//          the same connection and prints one last line `#seconds t1 t2 ...` (wall time of each
//          run, result fully materialised). RUNS=0: just the result.
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, threads, database, ...rest] = process.argv.slice(2);
const instance = await DuckDBInstance.create(database, { threads: String(threads) });
const db = await instance.connect();

if (mode === 'load') {
  const [flowsCsv, ntaCsv] = rest;
  const q = (s) => `'${s.replaceAll("'", "''")}'`;
  // Timestamps are ISO 8601 with 7 fractional digits and a Z (UTC): read them as text and let
  // DuckDB's TIMESTAMPTZ cast parse them (session time zone UTC), stored as TIMESTAMP.
  await db.run(`SET TimeZone = 'UTC'`);
  await db.run(`DROP TABLE IF EXISTS flows; DROP TABLE IF EXISTS nta;`);
  await db.run(`CREATE TABLE flows AS SELECT
      FlowTime::TIMESTAMPTZ::TIMESTAMP AS FlowTime, SrcIp, DestIp, SrcPort, DestPort, Protocol,
      FlowDirection, FlowState, FlowStatus, PacketsSrcToDest, BytesSrcToDest, PacketsDestToSrc,
      BytesDestToSrc, MacAddress
    FROM read_csv(${q(flowsCsv)}, header = true, auto_detect = false, columns = {
      'FlowTime': 'VARCHAR', 'SrcIp': 'VARCHAR', 'DestIp': 'VARCHAR', 'SrcPort': 'INTEGER',
      'DestPort': 'INTEGER', 'Protocol': 'UTINYINT', 'FlowDirection': 'VARCHAR',
      'FlowState': 'VARCHAR', 'FlowStatus': 'VARCHAR', 'PacketsSrcToDest': 'BIGINT',
      'BytesSrcToDest': 'BIGINT', 'PacketsDestToSrc': 'BIGINT', 'BytesDestToSrc': 'BIGINT',
      'MacAddress': 'VARCHAR'})`);
  await db.run(`CREATE TABLE nta AS SELECT
      FlowIntervalStartTime::TIMESTAMPTZ::TIMESTAMP AS FlowIntervalStartTime,
      FlowIntervalEndTime::TIMESTAMPTZ::TIMESTAMP AS FlowIntervalEndTime,
      coalesce(FlowType, '') AS FlowType, SrcIp, DestIp, DestPort, L4Protocol, FlowDirection,
      FlowStatus, PacketsSrcToDest, PacketsDestToSrc, BytesSrcToDest, BytesDestToSrc, RecordCount
    FROM read_csv(${q(ntaCsv)}, header = true, auto_detect = false, columns = {
      'FlowIntervalStartTime': 'VARCHAR', 'FlowIntervalEndTime': 'VARCHAR', 'FlowType': 'VARCHAR',
      'SrcIp': 'VARCHAR', 'DestIp': 'VARCHAR', 'DestPort': 'INTEGER', 'L4Protocol': 'VARCHAR',
      'FlowDirection': 'VARCHAR', 'FlowStatus': 'VARCHAR', 'PacketsSrcToDest': 'BIGINT',
      'PacketsDestToSrc': 'BIGINT', 'BytesSrcToDest': 'BIGINT', 'BytesDestToSrc': 'BIGINT',
      'RecordCount': 'BIGINT'})`);
  await db.run('CHECKPOINT');
  const reader = await db.runAndReadAll(
    'SELECT (SELECT count(*) FROM flows)::BIGINT AS f, (SELECT count(*) FROM nta)::BIGINT AS n');
  const [row] = reader.getRowObjects();
  console.log(JSON.stringify({ flows: Number(row.f), nta: Number(row.n) }));
} else if (mode === 'query') {
  const [runs, sql] = rest;
  const text = (v) => (v === null || v === undefined ? '' : String(v));
  const first = await db.runAndReadAll(sql);
  for (const row of first.getRows()) console.log(row.map(text).join(','));
  const seconds = [];
  for (let i = 0; i < Number(runs); i++) {
    const start = process.hrtime.bigint();
    const reader = await db.runAndReadAll(sql);
    reader.getRows();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  if (Number(runs) > 0) console.log('#seconds ' + seconds.join(' '));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
