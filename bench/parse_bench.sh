#!/usr/bin/env bash
# Parse throughput of flowlens against the baselines a user would otherwise reach for — jq and
# DuckDB — on the same generated data, in one run. Two tasks:
#   summary  count the tuples and sum the bytes both ways
#   flatten  write one CSV row per tuple (flowlens writes all 23 FlowTuples columns; the
#            baselines write 17: record time, MAC, ACL, rule and the 13 raw tuple fields)
# Every tool's results are checked against the generator's manifest before anything is timed.
#
# usage: bench/parse_bench.sh FLOWLENS_BINARY [--scale medium|large] [--skip-jq] [--runs N]
set -euo pipefail
bin=$(realpath "$1"); shift
scale=medium
skip_jq=false
runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --skip-jq) skip_jq=true; shift ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
data="$work/$scale"
mkdir -p "$work"
cores=$(nproc)

# --- data and baselines
if [ ! -f "$data.manifest.json" ]; then
  echo "generating the $scale dataset (seed 1, 24 hours)..."
  rm -rf "$data"
  "$bin" gen --out "$data" --scale "$scale" --seed 1 --manifest "$data.manifest.json"
fi
manifest="$data.manifest.json"
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
mapfile -t files < <(find "$data" -name '*.json' | sort)
bytes=$(jq .bytes "$manifest")
tuples=$(jq .tuples "$manifest")
want="$(jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]' "$manifest")"
echo "dataset: $scale, ${#files[@]} blobs, $((bytes / 1000000)) MB, $tuples tuples; $cores cores"

JQ_SUMMARY='reduce (inputs | .records[].flowRecords.flows[].flowGroups[].flowTuples[] | split(",")) as $t
  ({tuples:0, bytesSrcToDest:0, bytesDestToSrc:0};
   .tuples += 1 | .bytesSrcToDest += (($t[10] | tonumber?) // 0) | .bytesDestToSrc += (($t[12] | tonumber?) // 0))'
JQ_FLATTEN='inputs | .records[] as $r | $r.flowRecords.flows[] as $f | $f.flowGroups[] as $g
  | $g.flowTuples[] | [$r.time, $r.macAddress, $f.aclID, $g.rule] + split(",") | @csv'

# --- correctness first
check() {  # NAME GOT
  if [ "$2" = "$want" ]; then echo "  ok  $1 $2"; else echo "  FAIL $1: got $2, want $want"; exit 1; fi
}
echo "checking results against the generator's manifest $want (tuples, bytes src->dest, dest->src)"
check "flowlens summary" "$("$bin" parse --summary --format json "$data" | jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]')"
check "duckdb summary  " "$(node "$here/duckdb_flowlogs.mjs" summary "$cores" - "${files[@]}" | jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]')"
csv_sums() {  # FILE COL_BSD COL_BDS -> [rows, sum, sum] (header excluded)
  awk -F, -v a="$2" -v b="$3" 'NR > 1 { n++; gsub(/"/, "", $a); gsub(/"/, "", $b); s1 += $a; s2 += $b }
    END { printf "[%d,%.0f,%.0f]", n, s1, s2 }' "$1"
}
"$bin" parse --format csv -o "$work/check.csv" "$data"
check "flowlens flatten" "$(csv_sums "$work/check.csv" 14 16)"
node "$here/duckdb_flowlogs.mjs" csv "$cores" "$work/check.csv" "${files[@]}"
check "duckdb flatten  " "$(csv_sums "$work/check.csv" 15 17)"
if ! $skip_jq; then
  check "jq summary      " "$(jq -n -c "$JQ_SUMMARY" "${files[@]}" | jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]')"
  { echo header; jq -n -r "$JQ_FLATTEN" "${files[@]}"; } >"$work/check.csv"
  check "jq flatten      " "$(csv_sums "$work/check.csv" 15 17)"
fi
rm -f "$work/check.csv"

# --- timing (hyperfine: median of $runs runs after a warm-up; jq once, it is slow)
results="$work/results.tsv"
: >"$results"
time_it() {  # TASK TOOL THREADS RUNS COMMAND
  local task=$1 tool=$2 threads=$3 n=$4 cmd=$5
  local warmup=1; [ "$n" = 1 ] && warmup=0
  # Through a script file: the file lists are longer than one command-line argument may be.
  printf '%s\n' "$cmd" >"$work/cmd.sh"
  hyperfine --style none --warmup "$warmup" --runs "$n" --export-json "$work/h.json" \
    "bash $work/cmd.sh" >/dev/null
  local median; median=$(jq '.results[0].median' "$work/h.json")
  printf '%s\t%s\t%s\t%s\n' "$task" "$tool" "$threads" "$median" >>"$results"
  printf '  %-8s %-9s %-8s %8.3f s\n' "$task" "$tool" "$threads" "$median"
}
list="${files[*]}"
echo "timing"
time_it summary flowlens 1 "$runs" "$bin parse --summary --threads 1 $data"
time_it summary flowlens "$cores" "$runs" "$bin parse --summary --threads 0 $data"
time_it summary duckdb 1 "$runs" "node $here/duckdb_flowlogs.mjs summary 1 - $list"
time_it summary duckdb "$cores" "$runs" "node $here/duckdb_flowlogs.mjs summary $cores - $list"
$skip_jq || time_it summary jq 1 1 "jq -n -c '$JQ_SUMMARY' $list"
time_it flatten flowlens 1 "$runs" "$bin parse --format csv --threads 1 -o /dev/null $data"
time_it flatten flowlens "$cores" "$runs" "$bin parse --format csv --threads 0 -o /dev/null $data"
time_it flatten duckdb 1 "$runs" "node $here/duckdb_flowlogs.mjs csv 1 /dev/null $list"
time_it flatten duckdb "$cores" "$runs" "node $here/duckdb_flowlogs.mjs csv $cores /dev/null $list"
$skip_jq || time_it flatten jq 1 1 "jq -n -r '$JQ_FLATTEN' $list >/dev/null"

# --- report: throughput and each baseline's time relative to flowlens on the same cores
echo
echo "| task | tool | threads | time (s) | MB/s | M tuples/s | time / flowlens |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' -v bytes="$bytes" -v tuples="$tuples" -v cores="$cores" '
  { task[NR]=$1; tool[NR]=$2; thr[NR]=$3; t[NR]=$4; if ($2 == "flowlens") fl[$1 "/" $3] = $4 }
  END {
    for (i = 1; i <= NR; i++) {
      ref = fl[task[i] "/" thr[i]]
      if (ref == "") ref = fl[task[i] "/1"]   # jq is single-threaded: compare with one core
      printf "| %s | %s | %s | %.2f | %.0f | %.1f | %.1fx |\n", task[i], tool[i], thr[i], t[i],
             bytes / t[i] / 1e6, tuples / t[i] / 1e6, t[i] / ref
    }
  }' "$results"
