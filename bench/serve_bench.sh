#!/usr/bin/env bash
# Dashboard latency: every panel of every view of `flowlens serve` over a day of generated data,
# computed on request (cold: --no-cache) and from the answer cache, then 50 concurrent clients
# with wrk against the API.
#
# Data: `gen --scale medium --seed 1` (one day, 11.8 M tuples; kept in bench/work/medium) with
# the estate's topology, service tags, threat feed, geo-IP and ASN data, ingested into
# bench/work/serve-medium (rebuilt when its tuple count differs from the generator's manifest).
#
# Checks before timing: every panel answers 200 with a result; the Totals card's Denied flows
# equal an independent KQL sum over the same window; a cached answer is byte-identical to the
# computed one.
#
# Timing: each panel N times with curl (time to the last byte, one request at a time, nothing
# else running), median and max; a view's time is the wall time of fetching all its panels at
# once, as the browser does. Then wrk: 50 connections for DURATION, each request one of the
# dashboard's panel URLs in turn (default filters, the three units), p50/p90/p99 and errors; once
# against the cached server, once against --no-cache with the cheap panels only.
#
# usage: bench/serve_bench.sh FLOWLENS_BINARY [--runs N] [--duration 20s] [--clients 50]
set -euo pipefail
bin=$(realpath "$1"); shift
runs=3
duration=20s
clients=50
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
geo="$here/../third_party/ip-location-db/node_modules/@ip-location-db"
mkdir -p "$work"
bg="nice -n 5"

# --- data ------------------------------------------------------------------------------------
data="$work/medium"
if [ ! -f "$data.manifest.json" ]; then
  echo "generating medium (gen --scale medium --seed 1, 24 hours)..."
  rm -rf "$data"
  $bg "$bin" gen --out "$data" --scale medium --seed 1 -q --manifest "$data.manifest.json"
fi
enr="$work/enrichment-medium"
if [ ! -f "$enr/topology.json" ]; then
  rm -rf "$work/enr-gen" "$enr"
  "$bin" gen --out "$work/enr-gen" --scale medium --seed 1 --hours 1 --enrichment "$enr" -q
  rm -rf "$work/enr-gen"
fi
store="$work/serve-medium"
want=$(jq .tuples "$data.manifest.json")
have=$("$bin" query --data "$store" --format csv 'FlowTuples | count' 2>/dev/null | tail -1 || true)
if [ "$have" != "$want" ]; then
  echo "ingesting medium with enrichment into $store..."
  rm -rf "$store"
  $bg "$bin" ingest --data "$store" -q "$data" --topology "$enr/topology.json" \
    --service-tags "$enr/service-tags.json" --threats "$enr/threats.csv" \
    --geoip "$geo/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" \
    --asn "$geo/asn/asn-ipv4.csv" --asn "$geo/asn/asn-ipv6.csv"
fi

# --- server helpers --------------------------------------------------------------------------
pid=""
stop_server() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=""; }
trap stop_server EXIT
start_server() {  # start_server [--no-cache]; sets $url
  stop_server
  "$bin" serve --data "$store" --listen 127.0.0.1:0 "$@" > "$work/serve.out" 2> "$work/serve.err" &
  pid=$!
  for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" || true)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$work/serve.err")" >&2
  exit 1
}
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }

start_server --no-cache
catalogue=$(curl -sf "$url/api/panels")
mapfile -t panels < <(jq -r '.views[] | select(.id != "ip") | .panels[] | select(.params | length == 0) | .id' <<<"$catalogue")
mapfile -t views < <(jq -r '.views[] | .id' <<<"$catalogue")
# The IP detail view needs an address: the busiest public IP of the day.
top_ip=$("$bin" query --data "$store" --format csv \
  'NTAIpDetails | summarize n = count() by Ip | top 1 by n desc, Ip asc | project Ip' | tail -1)

panel_urls() {  # the URLs of a view's panels (with its parameter)
  local view=$1
  jq -r --arg v "$view" '.views[] | select(.id == $v) | .panels[].id' <<<"$catalogue" |
    while read -r p; do
      case $view in
        ip) echo "$url/api/panels/$p?ip=$top_ip" ;;
        geo) [ "$p" = geo.country ] && echo "$url/api/panels/$p?country=US" || echo "$url/api/panels/$p" ;;
        *) echo "$url/api/panels/$p" ;;
      esac
    done
}

# --- checks ----------------------------------------------------------------------------------
for view in "${views[@]}"; do
  while read -r u; do
    code=$(curl -s -o "$work/panel.json" -w '%{http_code}' "$u")
    [ "$code" = 200 ] && jq -e '.result.tables | length == 1' "$work/panel.json" >/dev/null ||
      { echo "FAIL: $u answered $code: $(head -c 300 "$work/panel.json")"; exit 1; }
  done < <(panel_urls "$view")
done
totals=$(curl -sf "$url/api/panels/overview.totals")
window=$(jq -r '.query' <<<"$totals" | grep -E '^let (Start|End) = ' | tr '\n' ' ')
denied_card=$(jq '.result.tables[0].columns as $c | .result.tables[0].rows[0] as $r
  | [range(0; $c | length) | select($c[.].name == "Denied") | $r[.]][0]' <<<"$totals")
denied_kql=$("$bin" query --data "$store" --format csv "$window NTANetAnalytics
  | where FlowStartTime >= Start and FlowStartTime < End
  | summarize sum(DeniedInFlows + DeniedOutFlows)" | tail -1)
[ "$denied_card" = "$denied_kql" ] ||
  { echo "FAIL: Totals Denied $denied_card, independent KQL $denied_kql"; exit 1; }
echo "checks: ${#views[@]} views answer; Totals Denied = KQL sum = $denied_kql flows"

# --- cold: every panel computed on request -----------------------------------------------------
echo
echo "dataset: gen --scale medium --seed 1 ($want tuples), $(nproc) cores, median of $runs runs"
echo
echo "| view | panel | cold median (ms) | cold max (ms) | < 300 ms |"
echo "|---|---|---|---|---|"
declare -A cold_view
for view in "${views[@]}"; do
  while read -r u; do
    p=${u#"$url/api/panels/"}; p=${p%%\?*}
    times=()
    for _ in $(seq "$runs"); do times+=("$(curl -s -o /dev/null -w '%{time_total}' "$u")"); done
    sorted=$(printf '%s\n' "${times[@]}" | sort -g)
    med=$(sed -n "$(((runs + 1) / 2))p" <<<"$sorted"); max=$(tail -1 <<<"$sorted")
    ok=$(awk -v m="$med" 'BEGIN { print (m < 0.3) ? "yes" : "**no**" }')
    echo "| $view | $p | $(ms "$med") | $(ms "$max") | $ok |"
  done < <(panel_urls "$view")
  start=$(date +%s.%N)
  panel_urls "$view" | xargs -P 16 -n 1 curl -s -o /dev/null
  cold_view[$view]=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
done

# --- cached: the default dashboard warmed in the background --------------------------------------
start_server
until curl -s "$url/api/status" | jq -e '.panel_cache.warm_up.done' >/dev/null; do sleep 0.5; done
warm_seconds=$(curl -s "$url/api/status" | jq '.panel_cache.warm_up.seconds')
warm_panels=$(curl -s "$url/api/status" | jq '.panel_cache.warm_up.panels')
curl -s "$url/api/panels/overview.totals" > "$work/cached.json"
[ "$(jq -c .result "$work/cached.json")" = "$(jq -c .result <<<"$totals")" ] ||
  { echo "FAIL: the cached Totals differ from the computed ones"; exit 1; }
echo
echo "background warm-up of the default dashboard: $warm_panels panels in $warm_seconds s (one thread)"
echo
echo "| view | all panels at once, cold (ms) | cached (ms) |"
echo "|---|---|---|"
for view in "${views[@]}"; do
  panel_urls "$view" | xargs -P 16 -n 1 curl -s -o /dev/null  # cache the parameterised ones
  start=$(date +%s.%N)
  panel_urls "$view" | xargs -P 16 -n 1 curl -s -o /dev/null
  warm=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  echo "| $view | $(ms "${cold_view[$view]}") | $(ms "$warm") |"
done

# --- wrk: 50 clients ---------------------------------------------------------------------------
run_wrk() {  # run_wrk LABEL PATH...
  local label=$1; shift
  {
    echo "local paths = {"
    for path in "$@"; do echo "  \"$path\","; done
    echo "}"
    echo 'local i = 0'
    echo 'request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end'
  } > "$work/wrk.lua"
  wrk -t 2 -c "$clients" -d "$duration" --timeout 10s --latency -s "$work/wrk.lua" "$url" \
    > "$work/wrk.out"
  local p50 p90 p99 rps errors
  p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.out")
  p90=$(awk '$1 == "90%" { print $2 }' "$work/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.out")
  rps=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.out")
  errors=$(awk '/Non-2xx/ { print $NF } /Socket errors/ { print }' "$work/wrk.out" | tr '\n' ' ')
  echo "| $label | $clients | $rps | $p50 | $p90 | $p99 | ${errors:-0} |"
}
paths=()
for unit in flows bytes packets; do
  for p in "${panels[@]}"; do paths+=("/api/panels/$p?unit=$unit"); done
done
for p in "${paths[@]}"; do curl -s -o /dev/null "$url$p"; done  # the other units, once
echo
echo "| wrk $duration | clients | requests/s | p50 | p90 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
run_wrk "cached: every panel, 3 units (${#paths[@]} URLs)" "${paths[@]}"
start_server --no-cache
cheap=(/api/panels/dist.flowtype /api/panels/dist.encryption /api/panels/geo.regions /api/panels/status.ingest_errors)
run_wrk "--no-cache: 4 cheap panels" "${cheap[@]}"
