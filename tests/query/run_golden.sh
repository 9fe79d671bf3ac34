#!/usr/bin/env bash
# Golden tests of `flowlens query`: every tests/queries/NNNNN_name.kql runs against a fixture
# data directory and its output must equal NNNNN_name.reference byte for byte:
#   - a query that succeeds: the reference is its stdout (--format csv);
#   - a query that fails: the reference is `exit: N` on the first line, then its stderr, then
#     (only if it printed rows, as a truncated result does) a line `stdout:` and its stdout.
# The fixture is built once per run: `flowlens gen --scale small --seed 1` with the enrichment
# files, ingested with them and the geo-IP/ASN databases, so FlowType and Country are filled.
# Queries run in tests/queries with `-f NNNNN_name.kql`, so error messages name the file alone.
#
# usage: run_golden.sh FLOWLENS [--record] [--filter PATTERN] [--jobs N] [--work DIR]
#   --record          (re)write the references of the selected queries instead of comparing;
#                     review the resulting diff (git diff tests/queries) before committing
#   --filter PATTERN  only queries whose file name contains PATTERN (a grep -E expression)
#   --jobs N          queries run at a time (default 2)
#   --work DIR        where the fixture and the outputs go (default: a temporary directory)
# Environment: FLOWLENS_GEOIP_DIR overrides the @ip-location-db directory.
# Exit status: 0 all equal (or recorded), 1 a difference, 2 bad usage or a fixture failure,
# 77 when the binary has no query command (ctest reports the test as skipped).
set -u

now=2026-11-02T00:00:00Z

# -- one query (run by xargs from the main invocation below) ----------------------------------
if [ "${1:-}" = "--one" ]; then
  kql=$2
  name=${kql%.kql}
  out="$GOLDEN_RESULTS/$name"
  (cd "$GOLDEN_QUERIES" &&
    "$GOLDEN_BIN" query --data "$GOLDEN_FIXTURE" --now "$now" --format csv -f "$kql" \
      >"$out.stdout" 2>"$out.stderr")
  rc=$?
  if [ "$rc" -eq 0 ]; then
    cp "$out.stdout" "$out.actual"
  else
    # A partial result (e.g. a truncation warning, exit 3) also prints rows: keep them, so the
    # reference pins the rows as well as the warning. Plain errors print nothing on stdout.
    { echo "exit: $rc"; cat "$out.stderr"
      if [ -s "$out.stdout" ]; then echo "stdout:"; cat "$out.stdout"; fi; } >"$out.actual"
  fi
  ref="$GOLDEN_QUERIES/$name.reference"
  if [ "$GOLDEN_RECORD" = 1 ]; then
    if [ -f "$ref" ] && cmp -s "$ref" "$out.actual"; then
      echo unchanged >"$out.status"
    else
      cp "$out.actual" "$ref" && echo recorded >"$out.status"
    fi
  elif [ ! -f "$ref" ]; then
    echo "missing" >"$out.status"
    : >"$out.diff"
  elif diff -u --label "$name.reference" --label "$name (actual)" "$ref" "$out.actual" \
      >"$out.diff" 2>&1; then
    echo pass >"$out.status"
  else
    echo fail >"$out.status"
  fi
  exit 0
fi

# -- main ------------------------------------------------------------------------------------
usage() {
  echo "usage: $0 FLOWLENS [--record] [--filter PATTERN] [--jobs N] [--work DIR]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
bin=$(realpath "$1") || usage
shift
record=0 filter="" jobs=2 work=""
while [ $# -gt 0 ]; do
  case $1 in
    --record) record=1 ;;
    --filter) [ $# -ge 2 ] || usage; filter=$2; shift ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
    --work) [ $# -ge 2 ] || usage; work=$2; shift ;;
    *) usage ;;
  esac
  shift
done
[ -x "$bin" ] || { echo "run_golden: $bin is not executable" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
queries=$(cd "$here/../queries" && pwd)
geo=${FLOWLENS_GEOIP_DIR:-$here/../../third_party/ip-location-db/node_modules/@ip-location-db}

if ! "$bin" query --help 2>/dev/null | grep -Eq '^Usage: [^ ]+ query'; then
  echo "run_golden: $bin has no query command; skipping" >&2
  exit 77
fi

if [ -n "$work" ]; then
  mkdir -p "$work" && work=$(cd "$work" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# The fixture, once per run.
fixture="$work/fixture-data"
rm -rf "$work/fixture-logs" "$work/fixture-enrichment" "$fixture" "$work/results"
mkdir -p "$work/results"
for f in geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb asn/asn-ipv4.csv asn/asn-ipv6.csv; do
  [ -f "$geo/$f" ] || {
    echo "run_golden: $geo/$f missing (scripts/install-geoip.sh installs it)" >&2
    exit 2
  }
done
if ! "$bin" gen --out "$work/fixture-logs" --scale small --seed 1 \
       --enrichment "$work/fixture-enrichment" -q ||
   ! "$bin" ingest --data "$fixture" "$work/fixture-logs" -q \
       --topology "$work/fixture-enrichment/topology.json" \
       --service-tags "$work/fixture-enrichment/service-tags.json" \
       --threats "$work/fixture-enrichment/threats.csv" \
       --geoip "$geo/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" \
       --asn "$geo/asn/asn-ipv4.csv" --asn "$geo/asn/asn-ipv6.csv"; then
  echo "run_golden: building the fixture failed" >&2
  exit 2
fi
rm -rf "$work/fixture-logs"

files=() odd=()
for path in "$queries"/*.kql "$queries"/*.reference; do
  [ -e "$path" ] || continue
  f=$(basename "$path")
  # Files that look like queries but do not follow the naming rule are a mistake, not a skip.
  if [[ ! $f =~ ^[0-9]{5}_[A-Za-z0-9_-]+\.(kql|reference)$ ]]; then
    echo "run_golden: $f does not follow NNNNN_name.kql/.reference" >&2
    odd+=("$f")
  elif [[ $f == *.kql ]] && { [ -z "$filter" ] || grep -Eq -- "$filter" <<<"$f"; }; then
    files+=("$f")
  fi
done
if [ -z "$filter" ] && [ "$record" = 0 ]; then
  # A reference whose query is gone is stale.
  for ref in "$queries"/*.reference; do
    [ -e "$ref" ] || continue
    [ -f "${ref%.reference}.kql" ] || {
      echo "run_golden: $(basename "$ref") has no query" >&2
      odd+=("$ref")
    }
  done
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "run_golden: no query matches${filter:+ \"$filter\"}" >&2
  exit 2
fi

export GOLDEN_BIN=$bin GOLDEN_FIXTURE=$fixture GOLDEN_QUERIES=$queries \
  GOLDEN_RESULTS=$work/results GOLDEN_RECORD=$record
start=$(date +%s)
printf '%s\0' "${files[@]}" | xargs -0 -P "$jobs" -n 1 "$self" --one

pass=0 fail=0 recorded=0 unchanged=0
for kql in "${files[@]}"; do
  name=${kql%.kql}
  status=$(cat "$work/results/$name.status" 2>/dev/null || echo "not run")
  case $status in
    pass) pass=$((pass + 1)) ;;
    recorded) recorded=$((recorded + 1)); echo "recorded $name.reference" ;;
    unchanged) unchanged=$((unchanged + 1)) ;;
    missing)
      fail=$((fail + 1))
      echo "FAIL $name: no $name.reference (write one with --record --filter $name, then review it)"
      echo "---- its output:"; head -20 "$work/results/$name.actual" ;;
    *)
      fail=$((fail + 1))
      echo "FAIL $name ($status)"
      cat "$work/results/$name.diff" 2>/dev/null ;;
  esac
done
took=$(($(date +%s) - start))
if [ "$record" = 1 ]; then
  echo "query golden: $recorded recorded, $unchanged unchanged (${took}s); review: git diff -- tests/queries"
  exit 0
fi
echo "query golden: $pass/${#files[@]} passed (${took}s)${odd[0]:+; ${#odd[@]} misnamed or stale file(s), see above}"
[ "$fail" -eq 0 ] && [ ${#odd[@]} -eq 0 ]
