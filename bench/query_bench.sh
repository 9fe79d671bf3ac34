#!/usr/bin/env bash
# Query latency of `flowlens query` (KQL over the store) against DuckDB (a database file, via its
# Node.js API) and ClickHouse (Debian's clickhouse-server, started here on 127.0.0.1) over the
# same rows: the FlowTuples and NTANetAnalytics rows of a flowlens store, exported with
# `flowlens export --format csv` and loaded into both baselines with proper types.
#
# The queries (the targets of the query issue):
#   count_eq      FlowTuples | where DestPort == 443 and FlowStatus == "Denied" | count
#   count_range   FlowTuples | where BytesSrcToDest between (10000 .. 99999) | count
#   top_talkers   FlowTuples | summarize Bytes = sum(BytesSrcToDest + BytesDestToSrc) by SrcIp
#                 | top 10 by Bytes
#   bin10m        NTANetAnalytics | summarize sum(BytesSrcToDest) by bin(FlowIntervalStartTime, 10m)
#   bin10m_type   ... by bin(FlowIntervalStartTime, 10m), FlowType
#
# Every query's result is compared across the three engines first (rows sorted, timestamps
# normalised); only then is anything timed: N runs after a warm-up, data in the page cache.
# flowlens is timed as the whole CLI process (hyperfine); DuckDB inside one connection (and, as
# "duckdb-cli", as a whole `node` process that opens the database and runs the query once);
# ClickHouse by clickhouse-client --time (the query as the client sees it, no process start; and,
# as "clickhouse-cli", the whole client process).
#
# Datasets: medium is `gen --scale medium --seed 1` (11.8 M tuples, one day). large is
# `gen --scale large --seed 1` plus `gen --scale large --seed 2`, the same day for a second
# estate (other subscription and NICs): 154.9 M tuples in one day, one store.
#
# The flowlens store (bench/work/query-SCALE) and the baseline databases
# (bench/work/query-SCALE.duckdb, bench/work/query-SCALE-clickhouse) are kept between runs and
# rebuilt when their row counts differ from the generator's manifests (or with --reload); the
# CSVs used for loading are deleted after loading.
#
# usage: bench/query_bench.sh FLOWLENS_BINARY [--scale medium|large] [--runs N]
#                             [--skip-duckdb] [--skip-clickhouse] [--reload] [--only ID,ID]
set -euo pipefail
bin=$(realpath "$1"); shift
scale=medium
runs=5
skip_duckdb=false
skip_clickhouse=false
reload=false
only=""
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --skip-duckdb) skip_duckdb=true; shift ;;
    --skip-clickhouse) skip_clickhouse=true; shift ;;
    --reload) reload=true; shift ;;
    --only) only=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/clickhouse_server.sh
source "$here/clickhouse_server.sh"
work="$here/work"
mkdir -p "$work"
cores=$(nproc)
bg="nice -n 5"  # generation and loading yield to anything else running on the machine
case $scale in
  medium) sets=("medium:medium:1") ;;
  large) sets=("large:large:1" "large-seed2:large:2") ;;
  *) echo "unknown scale $scale" >&2; exit 2 ;;
esac

# --- datasets: the generator's manifests are the reference for the store
tuples=0; bsd=0; bds=0; dirs=()
for set in "${sets[@]}"; do
  IFS=: read -r name gscale seed <<<"$set"
  data="$work/$name"
  if [ ! -f "$data.manifest.json" ]; then
    echo "generating $name (gen --scale $gscale --seed $seed, 24 hours)..."
    rm -rf "$data"
    $bg "$bin" gen --out "$data" --scale "$gscale" --seed "$seed" -q --manifest "$data.manifest.json"
  fi
  tuples=$((tuples + $(jq .tuples "$data.manifest.json")))
  bsd=$((bsd + $(jq .bytesSrcToDest "$data.manifest.json")))
  bds=$((bds + $(jq .bytesDestToSrc "$data.manifest.json")))
  dirs+=("$data")
done
want="$tuples,$bsd,$bds"

# --- the flowlens store
store="$work/query-$scale"
fl() { "$bin" query --data "$store" --format csv "$@" | tail -n +2; }
stored_rows() { "$bin" status --data "$store" --format json 2>/dev/null | jq '.tables[0].rows' || echo 0; }
if $reload || [ ! -d "$store" ] || [ "$(stored_rows)" != "$tuples" ]; then
  echo "ingesting ${dirs[*]##*/} into $store..."
  rm -rf "$store"
  $bg "$bin" ingest --data "$store" -q "${dirs[@]}"
fi
got=$(fl 'FlowTuples | summarize count(), sum(BytesSrcToDest), sum(BytesDestToSrc)')
if [ "$got" != "$want" ]; then echo "FAIL store: got $got, want $want (tuples, bytes both ways)"; exit 1; fi
nta_rows=$(fl 'NTANetAnalytics | count')
echo "store: $tuples FlowTuples rows (sums checked against the manifests), $nta_rows NTANetAnalytics rows; $cores cores"

# --- the baselines' data, loaded from flowlens's export when missing or stale
flow_cols=(FlowTime SrcIp DestIp SrcPort DestPort Protocol FlowDirection FlowState FlowStatus
           PacketsSrcToDest BytesSrcToDest PacketsDestToSrc BytesDestToSrc MacAddress)
nta_cols=(FlowIntervalStartTime FlowIntervalEndTime FlowType SrcIp DestIp DestPort L4Protocol
          FlowDirection FlowStatus PacketsSrcToDest PacketsDestToSrc BytesSrcToDest BytesDestToSrc
          RecordCount)
load="$work/query-$scale-load"
field_list() {  # TABLE COLUMN...: the cut -f list that picks COLUMNs from `export TABLE --format csv`
  local table=$1 header idx=() c i; shift
  header=$("$bin" export "$table" --data "$store" --format csv --from 2000-01-01 --to 2000-01-01T00:00:01Z | head -1)
  IFS=, read -ra h <<<"$header"
  for c in "$@"; do for i in "${!h[@]}"; do [ "${h[$i]}" = "$c" ] && idx+=($((i + 1))); done; done
  [ ${#idx[@]} = $# ] || { echo "FAIL: columns $* not all in $table's export header" >&2; exit 1; }
  (IFS=,; echo "${idx[*]}")
}
export_csvs() {  # writes $load/flows.csv and $load/nta.csv once per loading
  mkdir -p "$load"
  if [ ! -f "$load/flows.csv.ok" ]; then
    echo "  exporting FlowTuples (${#flow_cols[@]} of its columns) to $load/flows.csv..."
    # Fields never contain commas or quotes (checked: the loads are typed and the counts compared).
    $bg "$bin" export FlowTuples --data "$store" --format csv \
      | cut -d, -f"$(field_list FlowTuples "${flow_cols[@]}")" >"$load/flows.csv"
    touch "$load/flows.csv.ok"
  fi
  if [ ! -f "$load/nta.csv.ok" ]; then
    $bg "$bin" export NTANetAnalytics --data "$store" --format csv \
      | cut -d, -f"$(field_list NTANetAnalytics "${nta_cols[@]}")" >"$load/nta.csv"
    touch "$load/nta.csv.ok"
  fi
  [ "$(head -1 "$load/flows.csv")" = "$(IFS=,; echo "${flow_cols[*]}")" ] || { echo "FAIL flows.csv header"; exit 1; }
  [ "$(head -1 "$load/nta.csv")" = "$(IFS=,; echo "${nta_cols[*]}")" ] || { echo "FAIL nta.csv header"; exit 1; }
}
want_counts="{\"flows\":$tuples,\"nta\":$nta_rows}"

duck="$work/query-$scale.duckdb"
if ! $skip_duckdb; then
  [ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
  if $reload || [ "$(cat "$duck.loaded" 2>/dev/null)" != "$want_counts" ]; then
    echo "loading DuckDB ($duck)..."
    export_csvs
    rm -f "$duck" "$duck.wal" "$duck.loaded"
    got=$($bg node "$here/duckdb_query.mjs" load "$cores" "$duck" "$load/flows.csv" "$load/nta.csv")
    [ "$got" = "$want_counts" ] || { echo "FAIL duckdb load: got $got, want $want_counts"; exit 1; }
    echo "$got" >"$duck.loaded"
  fi
fi

ch="$work/query-$scale-clickhouse"
if ! $skip_clickhouse; then
  clickhouse_start "$ch" 5368709120 "$cores"
  ch_counts() {
    client --query 'SELECT (SELECT count() FROM flows), (SELECT count() FROM nta)' 2>/dev/null \
      | awk '{ printf "{\"flows\":%s,\"nta\":%s}", $1, $2 }'
  }
  if $reload || [ "$(ch_counts || true)" != "$want_counts" ]; then
    echo "loading ClickHouse ($ch)..."
    export_csvs
    client --multiquery --query "DROP TABLE IF EXISTS flows; DROP TABLE IF EXISTS nta;
      CREATE TABLE flows (FlowTime DateTime, SrcIp String, DestIp String, SrcPort UInt16,
        DestPort UInt16, Protocol UInt8, FlowDirection String, FlowState String, FlowStatus String,
        PacketsSrcToDest UInt64, BytesSrcToDest UInt64, PacketsDestToSrc UInt64,
        BytesDestToSrc UInt64, MacAddress String)
        ENGINE = MergeTree PARTITION BY toDate(FlowTime) ORDER BY (MacAddress, FlowTime);
      CREATE TABLE nta (FlowIntervalStartTime DateTime, FlowIntervalEndTime DateTime,
        FlowType String, SrcIp String, DestIp String, DestPort UInt16, L4Protocol String,
        FlowDirection String, FlowStatus String, PacketsSrcToDest UInt64, PacketsDestToSrc UInt64,
        BytesSrcToDest UInt64, BytesDestToSrc UInt64, RecordCount UInt64)
        ENGINE = MergeTree ORDER BY FlowIntervalStartTime"
    for t in flows nta; do
      $bg clickhouse-client --host 127.0.0.1 --port "$port" --date_time_input_format=best_effort \
        --query "INSERT INTO $t FORMAT CSVWithNames" <"$load/$t.csv"
    done
    got=$(ch_counts)
    [ "$got" = "$want_counts" ] || { echo "FAIL clickhouse load: got $got, want $want_counts"; exit 1; }
  fi
fi
rm -rf "$load"  # the CSVs are only for loading

# --- the queries: ID;table;KQL;DuckDB SQL;ClickHouse SQL (each engine's idiom for bin())
queries=(
  "count_eq;FlowTuples;FlowTuples | where DestPort == 443 and FlowStatus == \"Denied\" | count;SELECT count(*) FROM flows WHERE DestPort = 443 AND FlowStatus = 'Denied';SELECT count() FROM flows WHERE DestPort = 443 AND FlowStatus = 'Denied'"
  "count_range;FlowTuples;FlowTuples | where BytesSrcToDest between (10000 .. 99999) | count;SELECT count(*) FROM flows WHERE BytesSrcToDest BETWEEN 10000 AND 99999;SELECT count() FROM flows WHERE BytesSrcToDest BETWEEN 10000 AND 99999"
  "top_talkers;FlowTuples;FlowTuples | summarize Bytes = sum(BytesSrcToDest + BytesDestToSrc) by SrcIp | top 10 by Bytes;SELECT SrcIp, sum(BytesSrcToDest + BytesDestToSrc) AS Bytes FROM flows GROUP BY SrcIp ORDER BY Bytes DESC LIMIT 10;SELECT SrcIp, sum(BytesSrcToDest + BytesDestToSrc) AS Bytes FROM flows GROUP BY SrcIp ORDER BY Bytes DESC LIMIT 10"
  "bin10m;NTANetAnalytics;NTANetAnalytics | summarize sum(BytesSrcToDest) by bin(FlowIntervalStartTime, 10m);SELECT time_bucket(INTERVAL 10 MINUTE, FlowIntervalStartTime) AS t, sum(BytesSrcToDest) FROM nta GROUP BY t;SELECT toDateTime(intDiv(toUInt32(FlowIntervalStartTime), 600) * 600) AS t, sum(BytesSrcToDest) FROM nta GROUP BY t"
  "bin10m_type;NTANetAnalytics;NTANetAnalytics | summarize sum(BytesSrcToDest) by bin(FlowIntervalStartTime, 10m), FlowType;SELECT time_bucket(INTERVAL 10 MINUTE, FlowIntervalStartTime) AS t, FlowType, sum(BytesSrcToDest) FROM nta GROUP BY t, FlowType;SELECT toDateTime(intDiv(toUInt32(FlowIntervalStartTime), 600) * 600) AS t, FlowType, sum(BytesSrcToDest) FROM nta GROUP BY t, FlowType"
)
normalise() {  # rows as CSV -> sorted, timestamps as YYYY-MM-DDTHH:MM:SS, no quotes
  sed -E 's/"//g; s/([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}:[0-9]{2})(\.0+)?Z?/\1T\2/g' | LC_ALL=C sort
}
scratch="$work/query-$scale-scratch"  # per-query results, commands and timings of this run
rm -rf "$scratch"; mkdir -p "$scratch"
results="$work/query-results-$scale.tsv"
cpu="$scratch/cpu.tsv"
: >"$results"; : >"$cpu"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }  # ENGINE QUERY THREADS ROWS MEDIAN MIN
hyper() {  # COMMAND: hyperfine, warm-up run then $runs; prints "median min"
  printf '%s\n' "$1" >"$scratch/cmd.sh"
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$scratch/h.json" "bash $scratch/cmd.sh" >/dev/null
  jq -r '.results[0] | "\(.median) \(.min)"' "$scratch/h.json"
}
stats() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f %.6f\n", m, v[1] }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for q in "${queries[@]}"; do
  IFS=';' read -r id table kql dsql csql <<<"$q"
  if [ -n "$only" ] && [[ ",$only," != *",$id,"* ]]; then continue; fi
  rows=$tuples; [ "$table" = NTANetAnalytics ] && rows=$nta_rows
  echo "$id: $kql"
  printf '%s\n' "$kql" >"$scratch/$id.kql"
  # flowlens: the result, the plan with its counters, and the CPU time of one run
  /usr/bin/time -f '%e s wall, %U s user, %S s sys, %P CPU, %M kB peak RSS' -o "$scratch/rss" \
    "$bin" query --data "$store" --format csv --explain -f "$scratch/$id.kql" \
    >"$scratch/$id.flowlens.csv" 2>"$work/query-$scale-$id.explain.txt"
  cat "$scratch/rss" >>"$work/query-$scale-$id.explain.txt"
  awk -v q="$id" '{ printf "%s\t%s\t%s\n", q, $4 + $7, $10 }' "$scratch/rss" >>"$cpu"  # CPU s, CPU %
  tail -n +2 "$scratch/$id.flowlens.csv" | normalise >"$scratch/$id.want"
  echo "  flowlens: $(wc -l <"$scratch/$id.want") result rows, $(cat "$scratch/rss")"
  check() {  # ENGINE FILE
    if cmp -s "$scratch/$id.want" "$2"; then echo "  ok  $1 returns the same rows"
    else echo "  FAIL $1 differs from flowlens:"; diff "$scratch/$id.want" "$2" | head -10; exit 1; fi
  }
  if ! $skip_duckdb; then
    node "$here/duckdb_query.mjs" query "$cores" "$duck" 0 "$dsql" | normalise >"$scratch/$id.duckdb"
    check duckdb "$scratch/$id.duckdb"
  fi
  if ! $skip_clickhouse; then
    client --format CSV --query "$csql" | normalise >"$scratch/$id.clickhouse"
    check clickhouse "$scratch/$id.clickhouse"
  fi
  # timings (warm: every engine has just run the query)
  read -r med min < <(hyper "$bin query --data $store --format csv -f $scratch/$id.kql >/dev/null")
  record flowlens "$id" "$cores" "$rows" "$med" "$min"
  printf '  flowlens         median %.3f s  min %.3f s\n' "$med" "$min"
  if ! $skip_duckdb; then
    read -r med min < <(node "$here/duckdb_query.mjs" query "$cores" "$duck" "$runs" "$dsql" \
      | sed -n 's/^#seconds //p' | stats)
    record duckdb "$id" "$cores" "$rows" "$med" "$min"
    printf '  duckdb           median %.3f s  min %.3f s (in one connection)\n' "$med" "$min"
    read -r med min < <(hyper "node $here/duckdb_query.mjs query $cores $duck 0 \"$dsql\" >/dev/null")
    record duckdb-cli "$id" "$cores" "$rows" "$med" "$min"
    printf '  duckdb-cli       median %.3f s  min %.3f s (node process: open, query, exit)\n' "$med" "$min"
  fi
  if ! $skip_clickhouse; then
    : >"$scratch/ch-times"
    read -r pmed pmin < <(hyper "clickhouse-client --host 127.0.0.1 --port $port --time --format Null \
      --query \"$csql\" 2>>$scratch/ch-times")
    # --time's figures of the timed runs (the first line is hyperfine's warm-up)
    read -r med min < <(tail -n +2 "$scratch/ch-times" | tr '\n' ' ' | stats)
    record clickhouse "$id" "$cores" "$rows" "$med" "$min"
    record clickhouse-cli "$id" "$cores" "$rows" "$pmed" "$pmin"
    printf '  clickhouse       median %.3f s  min %.3f s (clickhouse-client --time)\n' "$med" "$min"
    printf '  clickhouse-cli   median %.3f s  min %.3f s (client process)\n' "$pmed" "$pmin"
  fi
done
if ! $skip_clickhouse; then kill $server; wait $server 2>/dev/null || true; trap - EXIT; fi

# --- report
commit=$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "### Query results, $scale ($(date -u +%Y-%m-%d), commit $commit)"
  echo
  echo "$tuples FlowTuples rows, $nta_rows NTANetAnalytics rows; $cores cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), runs: $runs after a warm-up;"
  echo "load average (1, 5, 15 min) $load_before before the timings, $(cut -d' ' -f1-3 /proc/loadavg) after."
  echo
  echo "| engine | query | threads | rows | median (s) | min (s) | M rows/s per core | time / flowlens |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' '
    { e[NR]=$1; q[NR]=$2; th[NR]=$3; r[NR]=$4; med[NR]=$5; mn[NR]=$6; if ($1 == "flowlens") fl[$2] = $5 }
    END {
      for (i = 1; i <= NR; i++)
        printf "| %s | %s | %s | %d | %.3f | %.3f | %.1f | %.3gx |\n", e[i], q[i], th[i], r[i],
               med[i], mn[i], r[i] / med[i] / th[i] / 1e6, med[i] / fl[q[i]]
    }' "$results"
  echo
  echo "Targets for flowlens (median, whole CLI process; in brackets the CPU time of its checking"
  echo "run, user + sys, which on a busy machine says more about the work than the wall clock):"
  awk -F'\t' 'FNR == NR { c[$1] = $2; p[$1] = $3; next } $1 == "flowlens" {
      extra = sprintf(" [%.2f s CPU, %s; %.1f M rows per CPU-second]", c[$2], p[$2], $4 / c[$2] / 1e6)
      if ($2 ~ /^count_/) { v = $4 / $5 / $3 / 1e6
        printf "- %s: %.1f M rows/s per core against >= 200: %s%s\n", $2, v, (v >= 200 ? "met" : sprintf("missed (%.1fx short)", 200 / v)), extra }
      else if ($2 == "top_talkers") {
        printf "- %s over %d rows: %.2f s against < 2 s%s: %s%s\n", $2, $4, $5,
               ($4 < 1e8 ? " (the target is for >= 100 M rows)" : ""),
               (($5 < 2) ? "met" : sprintf("missed (%.1fx too slow)", $5 / 2)), extra }
      else { printf "- %s: %.3f s against < 0.1 s: %s%s\n", $2, $5, (($5 < 0.1) ? "met" : sprintf("missed (%.1fx too slow)", $5 / 0.1)), extra }
    }' "$cpu" "$results"
} >"$work/query-results-$scale.md"
echo
cat "$work/query-results-$scale.md"
echo
echo "(saved to $work/query-results-$scale.md; flowlens plans in $work/query-$scale-*.explain.txt)"
