#!/usr/bin/env bash
# What enrichment costs end to end: `flowlens ingest` of the same dataset without enrichment,
# with geo-IP + ASN, and with every input (topology, service tags, threat feed, geo-IP, ASN),
# median of N runs each. Each configuration is checked first: the rollup's tuple count and
# byte sums must equal the generator's manifest.
# usage: bench/enrich_bench.sh FLOWLENS_BINARY [--scale medium|large] [--runs N]
set -euo pipefail
bin=$(realpath "$1"); shift
scale=medium
runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
data="$work/$scale"
geo="$here/../third_party/ip-location-db/node_modules/@ip-location-db"
mkdir -p "$work"
if [ ! -f "$data.manifest.json" ]; then
  rm -rf "$data"
  "$bin" gen --out "$data" --scale "$scale" --seed 1 --manifest "$data.manifest.json"
fi
# The estate's enrichment files depend only on seed and scale: one generated hour gives them.
enr="$work/enrichment-$scale"
rm -rf "$work/enr-gen" "$enr"
"$bin" gen --out "$work/enr-gen" --scale "$scale" --seed 1 --hours 1 --enrichment "$enr" -q
rm -rf "$work/enr-gen"
want="$(jq -c '[.tuples, .bytesSrcToDest, .bytesDestToSrc]' "$data.manifest.json")"
tuples=$(jq .tuples "$data.manifest.json")
store="$work/enrich-store"
geo_args="--geoip $geo/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb --asn $geo/asn/asn-ipv4.csv --asn $geo/asn/asn-ipv6.csv"
all_args="$geo_args --topology $enr/topology.json --service-tags $enr/service-tags.json --threats $enr/threats.csv"
echo "dataset: $scale, $tuples tuples; $(nproc) cores; median of $runs runs"
echo
echo "| enrichment | time (s) | M tuples/s | vs none | peak RSS (MB) |"
echo "|---|---|---|---|---|"
base=""
for config in none geo all; do
  case $config in
    none) args="" ;;
    geo) args=$geo_args ;;
    all) args=$all_args ;;
  esac
  rm -rf "$store"
  /usr/bin/time -f '%M' -o "$work/rss" "$bin" ingest --data "$store" -q $args "$data"
  got=$("$bin" export --data "$store" NTANetAnalytics | jq -s -c \
    '[(map(.RecordCount) | add), (map(.BytesSrcToDest) | add), (map(.BytesDestToSrc) | add)]')
  [ "$got" = "$want" ] || { echo "FAIL $config: got $got, want $want"; exit 1; }
  hyperfine --style none --runs "$runs" --prepare "rm -rf $store" \
    --export-json "$work/h.json" "$bin ingest --data $store -q $args $data" >/dev/null
  t=$(jq '.results[0].median' "$work/h.json")
  [ -z "$base" ] && base=$t
  printf '| %s | %.2f | %.2f | %+.0f%% | %d |\n' "$config" "$t" \
    "$(awk -v n="$tuples" -v t="$t" 'BEGIN { print n / t / 1e6 }')" \
    "$(awk -v a="$t" -v b="$base" 'BEGIN { print (a / b - 1) * 100 }')" "$(( $(cat "$work/rss") / 1024 ))"
done
rm -rf "$store"
