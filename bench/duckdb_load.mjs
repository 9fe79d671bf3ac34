// The DuckDB baseline for ingest: load every tuple of the raw blobs, with the same columns as
// flowlens's FlowTuples table, into a DuckDB database file.
// usage: node duckdb_load.mjs THREADS DATABASE_FILE FILE...
// Prints {"tuples":N,"bytesSrcToDest":N,"bytesDestToSrc":N} read back from the loaded table.
import { DuckDBInstance } from '@duckdb/node-api';

const [threads, database, ...files] = process.argv.slice(2);
const instance = await DuckDBInstance.create(database, { threads: String(threads) });
const db = await instance.connect();

const list = '[' + files.map((f) => `'${f.replaceAll("'", "''")}'`).join(',') + ']';
const source = `read_json(${list}, format='auto', maximum_object_size=536870912, filename=true,
  columns={records: 'STRUCT("time" VARCHAR, macAddress VARCHAR, flowLogVersion INTEGER,
    targetResourceID VARCHAR, flowLogResourceID VARCHAR,
    flowRecords STRUCT(flows STRUCT(aclID VARCHAR, flowGroups STRUCT("rule" VARCHAR, flowTuples VARCHAR[])[])[]))[]'})`;
await db.run(`CREATE TABLE flows AS
  WITH rec AS (SELECT filename, unnest(records) AS r FROM ${source}),
       acl AS (SELECT filename, r, unnest(r.flowRecords.flows) AS f FROM rec),
       grp AS (SELECT filename, r, f.aclID AS acl, unnest(f.flowGroups) AS g FROM acl),
       tup AS (SELECT filename, r, acl, g."rule" AS rule, string_split(unnest(g.flowTuples), ',') AS s FROM grp)
  SELECT epoch_ms(s[1]::BIGINT) AS FlowTime, r."time"::TIMESTAMP AS RecordTime,
         s[2] AS SrcIp, s[3] AS DestIp, s[4]::INTEGER AS SrcPort, s[5]::INTEGER AS DestPort,
         s[6]::UTINYINT AS Protocol, s[7] AS FlowDirection, s[8] AS FlowState, s[9] AS FlowEncryption,
         coalesce(TRY_CAST(s[10] AS BIGINT), 0) AS PacketsSrcToDest,
         coalesce(TRY_CAST(s[11] AS BIGINT), 0) AS BytesSrcToDest,
         coalesce(TRY_CAST(s[12] AS BIGINT), 0) AS PacketsDestToSrc,
         coalesce(TRY_CAST(s[13] AS BIGINT), 0) AS BytesDestToSrc,
         r.macAddress AS MacAddress, acl AS AclId, rule AS AclRule,
         r.targetResourceID AS TargetResourceId, r.flowLogResourceID AS FlowLogResourceId,
         r.flowLogVersion AS FlowLogVersion, filename AS Source
  FROM tup`);
await db.run('CHECKPOINT');
const reader = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n, sum(BytesSrcToDest)::BIGINT AS bsd,
  sum(BytesDestToSrc)::BIGINT AS bds FROM flows`);
const [row] = reader.getRowObjects();
console.log(JSON.stringify({ tuples: Number(row.n), bytesSrcToDest: Number(row.bsd),
                             bytesDestToSrc: Number(row.bds) }));
