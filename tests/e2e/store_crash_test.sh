#!/usr/bin/env bash
# Crash safety (design §7): kill -9 an ingest at random moments, many times over. After every
# kill the data directory must open and pass `status --verify` (every segment intact, the
# tables and checkpoints agreeing); after the ingest is finally allowed to finish, the
# directory must hold exactly what one clean ingest holds, tuple for tuple and counter for
# counter. Small commits (--commit-tuples) put many commit points, and auto-compaction, inside
# the window where the kills land.
# usage: store_crash_test.sh FLOWLENS_BINARY [TRIALS]
set -u
bin=$(realpath "$1")
trials=${2:-25}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
canon() {  # DATA_DIR OUT: every table without processing times, sorted
  for t in FlowTuples NTANetAnalytics NTAIpDetails IngestErrors; do
    "$bin" export --data "$1" "$t" | sed -E 's/^\{"(TimeGenerated|Time)":"[^"]*",("TimeProcessed":"[^"]*",)?/{/' | sort
  done >"$2"
}
ingest() { "$bin" ingest --data "$1" logs -q --commit-tuples 1500; }

# A day of a small VNet with the last hour still being written, plus a damaged blob (its
# errors must be stored exactly once too).
"$bin" gen --out logs --scale small --hours 24 --seed 11 --in-progress -q
cp "$here/../flowlogs/err_codes.json" logs/zz-damaged.json
ingest clean
rc=$?
[ "$rc" = 3 ] && pass "clean ingest (exit 3: the damaged blob)" || fail "clean ingest exit $rc"
canon clean clean.txt
echo "     clean ingest holds $(wc -l <clean.txt) rows"

# How long does an uninterrupted run take? Kills land uniformly inside it.
start=$(date +%s%N)
ingest timing
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "     one ingest takes ${duration_ms} ms"

# Each trial: a fresh directory, one to three kill -9 at random moments (each later run resumes
# what the earlier ones committed), a verify after each, then a run to the end.
RANDOM=42
kills=0; broken=0; differ=0
for trial in $(seq 1 "$trials"); do
  rm -rf crashed
  for k in $(seq 1 $(( 1 + RANDOM % 3 ))); do
    # Inside the first 90 % of a run (a loaded machine finishes some runs early anyway).
    delay=$(( RANDOM % (duration_ms * 9 / 10 + 10) ))
    "$bin" ingest --data crashed logs -q --commit-tuples 1500 &
    pid=$!
    sleep "$(awk -v ms="$delay" 'BEGIN { printf "%.3f", ms / 1000 }')"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null
    if ! "$bin" status --data crashed --verify >verify.out 2>&1; then
      # Killed before the first commit created the catalog: nothing to open yet.
      grep -q "no flowlens data" verify.out && continue
      broken=$((broken + 1))
      echo "     trial $trial, kill $k at ${delay} ms:"; sed 's/^/       /' verify.out | tail -5
    fi
  done
  ingest crashed
  canon crashed crashed.txt
  if ! cmp -s clean.txt crashed.txt; then
    differ=$((differ + 1))
    echo "     trial $trial differs from a clean ingest:"; diff clean.txt crashed.txt | head -6
  fi
done
# The harness must really interrupt runs: most trials see at least one kill land mid-run.
[ $((kills * 2)) -ge "$trials" ] && pass "$kills kill -9 landed during $trials trials" || fail "only $kills kills landed"
[ "$broken" = 0 ] && pass "after every kill the directory opened and verified" || fail "$broken broken states"
[ "$differ" = 0 ] && pass "every trial ends equal to a clean ingest, row for row" || fail "$differ trials differ"
"$bin" status --data crashed --verify >verify.out || { fail "final verify"; cat verify.out; }
[ "$(find crashed/segments -name '*.fls' | wc -l)" = "$("$bin" status --data crashed --format json | jq '[.tables[].segments] | add')" ] && pass "no orphan segment files" || fail "orphan files"

echo "$failures failure(s)"
[ "$failures" = 0 ]
