#!/usr/bin/env bash
# End-to-end ingest (parse + rollup + store) of flowlens against loading the same tuples into
# DuckDB (a database file, via its Node.js API) and ClickHouse (Debian's clickhouse-server,
# started here on 127.0.0.1 with a temporary directory), in one run on the same data. Reports
# time, tuples/s (and per core), bytes on disk per tuple and peak memory. Every load is checked
# first: tuple count and byte sums must equal the generator's manifest.
#
# ClickHouse 18.16 cannot unnest flow-log JSON, so it is fed the CSV of `flowlens parse`
# through a pipe; its time therefore includes that flattening (also reported on its own).
#
# usage: bench/ingest_bench.sh FLOWLENS_BINARY [--scale medium|large] [--runs N]
#                              [--skip-duckdb] [--skip-clickhouse]
set -euo pipefail
bin=$(realpath "$1"); shift
scale=medium
runs=3
skip_duckdb=false
skip_clickhouse=false
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --skip-duckdb) skip_duckdb=true; shift ;;
    --skip-clickhouse) skip_clickhouse=true; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/clickhouse_server.sh
source "$here/clickhouse_server.sh"
work="$here/work"
data="$work/$scale"
mkdir -p "$work"
cores=$(nproc)
store="$work/ingest-$scale"

if [ ! -f "$data.manifest.json" ]; then
  echo "generating the $scale dataset (seed 1, 24 hours)..."
  rm -rf "$data"
  "$bin" gen --out "$data" --scale "$scale" --seed 1 --manifest "$data.manifest.json"
fi
manifest="$data.manifest.json"
mapfile -t files < <(find "$data" -name '*.json' | sort)
bytes=$(jq .bytes "$manifest")
tuples=$(jq .tuples "$manifest")
want="$(jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]' "$manifest")"
echo "dataset: $scale, ${#files[@]} blobs, $((bytes / 1000000)) MB, $tuples tuples; $cores cores"
check() {  # NAME GOT
  if [ "$2" = "$want" ]; then echo "  ok  $1 $2"; else echo "  FAIL $1: got $2, want $want"; exit 1; fi
}
results="$work/ingest-results.tsv"
: >"$results"
record() {  # TOOL THREADS SECONDS BYTES_ON_DISK PEAK_RSS_KB
  printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"
}
median_of() {  # COMMAND [PREPARE]: median wall time of $runs runs
  printf '%s\n' "$1" >"$work/cmd.sh"
  printf '%s\n' "${2:-true}" >"$work/prepare.sh"
  hyperfine --style none --runs "$runs" --prepare "bash $work/prepare.sh" \
    --export-json "$work/h.json" "bash $work/cmd.sh" >/dev/null
  jq '.results[0].median' "$work/h.json"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
peak_rss() {  # COMMAND...: runs it once, prints the peak RSS in kB
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null
  cat "$work/rss"
}

# --- flowlens: verify, then time
echo "flowlens ingest"
for threads in 1 "$cores"; do
  rm -rf "$store"
  rss=$(peak_rss "$bin" ingest --data "$store" --threads "$threads" -q "$data")
  "$bin" status --data "$store" --verify >/dev/null || { echo "  FAIL verify"; exit 1; }
  got=$("$bin" export --data "$store" NTANetAnalytics | jq -s -c \
    '[(map(.RecordCount) | add), (map(.BytesSrcToDest) | add), (map(.BytesDestToSrc) | add)]')
  check "flowlens rollup ($threads threads)" "$got"
  [ "$("$bin" status --data "$store" --format json | jq '.tables[0].rows')" = "$tuples" ] || {
    echo "  FAIL FlowTuples rows"; exit 1; }
  disk=$(du -sb "$store" | cut -f1)
  flow_tuples=$("$bin" status --data "$store" --format json | jq '.tables[0].bytes')
  seconds=$(median_of "$bin ingest --data $store --threads $threads -q $data" "rm -rf $store")
  record flowlens "$threads" "$seconds" "$disk" "$rss"
  printf '  %s thread(s): %.2f s, %s bytes/tuple on disk (FlowTuples alone %s), peak RSS %d MB\n' \
    "$threads" "$seconds" "$(ratio "$disk" "$tuples")" "$(ratio "$flow_tuples" "$tuples")" \
    "$((rss / 1024))"
done
"$bin" status --data "$store" --columns >"$work/ingest-$scale-columns.txt"

# --- DuckDB
if ! $skip_duckdb; then
  echo "duckdb load"
  [ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
  duck="$work/duck-$scale.duckdb"
  list=$(printf '%q ' "${files[@]}")
  for threads in 1 "$cores"; do
    rm -f "$duck" "$duck.wal"
    /usr/bin/time -f '%M' -o "$work/rss" node "$here/duckdb_load.mjs" "$threads" "$duck" "${files[@]}" >"$work/duck.out"
    rss=$(cat "$work/rss")
    check "duckdb ($threads threads)" "$(jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]' "$work/duck.out")"
    disk=$(stat -c %s "$duck"); [ -f "$duck.wal" ] && disk=$((disk + $(stat -c %s "$duck.wal")))
    seconds=$(median_of "node $here/duckdb_load.mjs $threads $duck $list >/dev/null" "rm -f $duck $duck.wal")
    record duckdb "$threads" "$seconds" "$disk" "$rss"
    printf '  %s thread(s): %.2f s, %s bytes/tuple on disk, peak RSS %d MB\n' "$threads" "$seconds" \
      "$(ratio "$disk" "$tuples")" "$((rss / 1024))"
  done
  rm -f "$duck" "$duck.wal"
fi

# --- ClickHouse
if ! $skip_clickhouse; then
  echo "clickhouse load (flowlens parse --format csv | clickhouse-client INSERT)"
  ch="$work/clickhouse"
  rm -rf "$ch"
  clickhouse_start "$ch" 268435456
  create="DROP TABLE IF EXISTS flows; CREATE TABLE flows (FlowTime DateTime, RecordTime DateTime,
    SrcIp String, DestIp String, SrcPort UInt16, DestPort UInt16, Protocol UInt8, L4Protocol String,
    FlowDirection String, FlowState String, FlowStatus String, FlowEncryption String,
    PacketsSrcToDest UInt64, BytesSrcToDest UInt64, PacketsDestToSrc UInt64, BytesDestToSrc UInt64,
    MacAddress String, AclId String, AclRule String, TargetResourceId String, FlowLogResourceId String,
    FlowLogVersion UInt8, Source String)
    ENGINE = MergeTree PARTITION BY toDate(FlowTime) ORDER BY (MacAddress, FlowTime)"
  prepare="clickhouse-client --host 127.0.0.1 --port $port --multiquery --query \"$create\""
  load="$bin parse --format csv --threads 0 $data | clickhouse-client --host 127.0.0.1 --port $port \
    --date_time_input_format=best_effort --query 'INSERT INTO flows FORMAT CSVWithNames'"
  bash -c "$prepare"
  rss_before=$(ps -o rss= -p $server | tr -d ' ')
  bash -c "$load"
  check "clickhouse" "$(client --query 'SELECT count(), sum(BytesSrcToDest), sum(BytesDestToSrc) FROM flows' \
    | awk '{printf "[%s,%s,%s]", $1, $2, $3}')"
  disk=$(client --query "SELECT sum(bytes_on_disk) FROM system.parts WHERE table = 'flows' AND active")
  rss=$(ps -o rss= -p $server | tr -d ' ')
  seconds=$(median_of "$load" "$prepare")
  flatten=$(median_of "$bin parse --format csv --threads 0 -o /dev/null $data")
  record clickhouse "$cores" "$seconds" "$disk" "$rss"
  printf '  %s threads: %.2f s (of which flattening by flowlens alone takes %.2f s), %s bytes/tuple on disk, server RSS %d MB (%d MB idle)\n' \
    "$cores" "$seconds" "$flatten" "$(ratio "$disk" "$tuples")" "$((rss / 1024))" "$((rss_before / 1024))"
  kill $server; wait $server 2>/dev/null || true
  trap - EXIT
  rm -rf "$ch"
fi

# --- report
echo
echo "| tool | threads | time (s) | M tuples/s | M tuples/s per core | bytes/tuple on disk | peak RSS (MB) | time / flowlens |"
echo "|---|---|---|---|---|---|---|---|"
awk -F'\t' -v tuples="$tuples" '
  { tool[NR]=$1; thr[NR]=$2; t[NR]=$3; disk[NR]=$4; rss[NR]=$5; if ($1 == "flowlens") fl[$2] = $3 }
  END {
    for (i = 1; i <= NR; i++) {
      printf "| %s | %s | %.2f | %.2f | %.2f | %.1f | %d | %.1fx |\n", tool[i], thr[i], t[i],
             tuples / t[i] / 1e6, tuples / t[i] / 1e6 / thr[i], disk[i] / tuples, rss[i] / 1024,
             t[i] / fl[thr[i]]
    }
  }' "$results"
