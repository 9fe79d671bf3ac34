#!/usr/bin/env bash
# End-to-end tests of the flowlens command line: exit codes, formats, stdin, directory walking,
# the generator's determinism and totals, error reporting, progress display.
# usage: cli_test.sh FLOWLENS_BINARY
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../flowlogs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
expect_rc() {  # NAME WANT COMMAND...
  local name=$1 want=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"; local rc=$?
  if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name (exit $rc, want $want)"; head -5 "$work/err"; fi
}

# --- usage and exit codes
expect_rc "version" 0 "$bin" --version
grep -q "flowlens 0.1.0" out || fail "version text"
expect_rc "no subcommand is a usage error" 2 "$bin"
expect_rc "unknown option is a usage error" 2 "$bin" parse --bogus x.json
expect_rc "bad format is a usage error" 2 "$bin" parse --format xml "$fixtures/nsg_v1_sample.json"
expect_rc "text format needs --summary" 2 "$bin" parse --format text "$fixtures/nsg_v1_sample.json"
expect_rc "missing path is a usage error" 2 "$bin" parse does-not-exist.json
grep -q "does-not-exist.json: no such file or directory" err || fail "missing path is named"
mkdir empty-dir
expect_rc "directory without flow logs is a usage error" 2 "$bin" parse empty-dir
expect_rc "unwritable output fails" 1 "$bin" parse -o /nonexistent-dir/out.ndjson "$fixtures/nsg_v1_sample.json"
expect_rc "output to a file" 0 "$bin" parse -o written.ndjson "$fixtures/vnet_v4_ms_sample.json"
[ ! -s out ] && [ "$(wc -l <written.ndjson)" = 19 ] && pass "-o writes the rows to the file, none to stdout" || fail "-o"
expect_rc "clean input exits 0" 0 "$bin" parse "$fixtures/vnet_v4_ms_sample.json"
[ ! -s err ] && pass "clean run prints nothing on stderr" || fail "clean run wrote to stderr"
expect_rc "rejected input exits 3" 3 "$bin" parse "$fixtures/err_ports.json"
grep -q "rejected: err_ports.json\|rejected: .*err_ports.json: records\[0\] tuple 1 (byte " err && pass "rejection names file, record, tuple and byte" || { fail "rejection line"; cat err; }
grep -q "4 problem(s): 0 record(s) and 4 tuple(s) rejected; 2 tuples accepted" err && pass "closing line counts rejections" || { fail "closing line"; cat err; }
expect_rc "quiet keeps stderr empty" 3 "$bin" parse --quiet "$fixtures/err_ports.json"
[ ! -s err ] && pass "quiet stderr" || fail "quiet wrote to stderr"
expect_rc "capped rejection lines" 3 "$bin" parse --max-error-lines 1 "$fixtures/err_ports.json"
[ "$(grep -c "rejected:" err)" = 1 ] && grep -q "and 3 more rejections not shown" err && pass "cap note" || { fail "cap note"; cat err; }
expect_rc "errors file" 3 "$bin" parse --errors errors.ndjson "$fixtures/err_codes.json"
[ "$(jq -s length errors.ndjson)" = 8 ] && [ "$(jq -r .Code errors.ndjson | sort -u | wc -l)" = 5 ] && pass "errors file holds every rejection as JSON" || fail "errors file"

# --- formats
"$bin" parse --format csv "$fixtures/vnet_v4_ms_sample.json" >ms.csv
[ "$(head -1 ms.csv | cut -d, -f1-3)" = "FlowTime,RecordTime,SrcIp" ] && [ "$(wc -l <ms.csv)" = 20 ] && pass "csv header and one row per tuple" || fail "csv"
[ "$(awk -F, 'NR>1{s+=$14} END{print s}' ms.csv)" = 4528 ] && pass "csv bytes column sums to the reference total" || fail "csv sum"
"$bin" parse --summary "$fixtures/vnet_v4_ms_sample.json" >summary.txt
grep -q "tuples       19 accepted, 0 rejected" summary.txt && grep -q "src->dest 4,528" summary.txt && pass "text summary" || { fail "text summary"; cat summary.txt; }
"$bin" parse --summary --format json "$fixtures/vnet_v4_ms_sample.json" >summary.json
[ "$(jq '.tuples, .bytesSrcToDest, .bytesDestToSrc, .byState.D' summary.json | tr '\n' ' ')" = "19 4528 43292 9 " ] && pass "json summary" || { fail "json summary"; cat summary.json; }

# --- stdin, directories
"$bin" parse "$fixtures/nsg_v2_mixed_versions.json" | jq -c 'del(.Source)' >from-file
cat "$fixtures/nsg_v2_mixed_versions.json" | "$bin" parse - | jq -c 'del(.Source)' >from-stdin
cmp -s from-file from-stdin && pass "stdin parses like a file" || fail "stdin"
"$bin" parse - <"$fixtures/nsg_v1_sample.json" | head -1 | jq -e '.Source == "<stdin>"' >/dev/null && pass "stdin source name" || fail "stdin source"
mkdir -p tree/b tree/a/deeper
cp "$fixtures/nsg_v1_sample.json" tree/b/PT1H.json
cp "$fixtures/vnet_v4_ms_sample.json" tree/a/deeper/PT1H.json
echo "not a flow log" >tree/a/notes.txt
"$bin" parse tree >tree.ndjson
{ "$bin" parse tree/a/deeper/PT1H.json; "$bin" parse tree/b/PT1H.json; } >expected-tree.ndjson
cmp -s tree.ndjson expected-tree.ndjson && pass "directories are walked recursively in path order, non-JSON skipped" || fail "directory walk"

# --- the generator
"$bin" gen --out g-start --hours 1 --start 2026-01-15T06:30:00Z -q
[ "$(find g-start -name PT1H.json | grep -c 'y=2026/m=01/d=15/h=06/m=00/')" -gt 0 ] &&
  [ "$(find g-start -name PT1H.json | grep -vc 'y=2026/m=01/d=15/h=06/m=00/')" = 0 ] && pass "gen --start picks the (UTC) hour" || fail "gen --start"
expect_rc "gen rejects a bad --start" 2 "$bin" gen --out g-bad --start tomorrow
"$bin" gen --out g1 --hours 3 --seed 7 --manifest m1.json -q
"$bin" gen --out g2 --hours 3 --seed 7 -q
"$bin" gen --out g3 --hours 3 --seed 8 -q
tree_hash() { (cd "$1" && find . -type f | sort | xargs sha256sum | sha256sum | cut -d' ' -f1); }
[ "$(tree_hash g1)" = "$(tree_hash g2)" ] && pass "gen is deterministic per seed" || fail "gen determinism"
[ "$(tree_hash g1)" != "$(tree_hash g3)" ] && pass "another seed gives other data" || fail "gen seed"
"$bin" gen --out g1 --hours 3 --seed 7 -q 2>/dev/null && fail "gen refuses to overwrite" || pass "gen refuses to overwrite without --force"
"$bin" gen --out g1 --hours 3 --seed 7 -q --force && [ "$(tree_hash g1)" = "$(tree_hash g2)" ] && pass "gen --force replaces" || fail "gen --force"
find g1 -name PT1H.json | head -1 | grep -Eq 'g1/insights-logs-flowlogflowevent/flowLogResourceID=/[0-9A-F-]+_NETWORKWATCHERRG/NETWORKWATCHER_[A-Z]+_[A-Z0-9-]+/y=2026/m=11/d=01/h=0[0-2]/m=00/macAddress=[0-9A-F]{12}/PT1H.json' && pass "gen writes Azure's path layout" || fail "gen path layout"
compare_totals() {  # NAME MANIFEST SUMMARY
  local keys='[.records, .tuples, .byVersion, .byState, .byStatus, .byDirection, .byProtocol, .packetsSrcToDest, .bytesSrcToDest, .packetsDestToSrc, .bytesDestToSrc, .firstFlowTime, .lastFlowTime]'
  if [ "$(jq -c "$keys" "$2")" = "$(jq -c "$keys" "$3")" ] && [ "$(jq .files "$2")" = "$(jq .inputs "$3")" ] &&
     [ "$(jq .bytes "$2")" = "$(jq .bytes "$3")" ] && [ "$(jq .unterminatedFiles "$2")" = "$(jq .unterminatedInputs "$3")" ] &&
     [ "$(jq .errors "$3")" = 0 ]; then pass "$1"; else fail "$1"; jq -c . "$2" "$3"; fi
}
"$bin" parse --summary --format json g1 >s1.json
compare_totals "parse reads back exactly what gen wrote (vnet)" m1.json s1.json
for kind in nsg1 nsg2; do
  "$bin" gen --out "g-$kind" --kind "$kind" --hours 3 --in-progress --manifest "m-$kind.json" -q
  "$bin" parse --summary --format json "g-$kind" >"s-$kind.json"
  compare_totals "parse reads back exactly what gen wrote ($kind, last hour in progress)" "m-$kind.json" "s-$kind.json"
done
[ "$(jq .unterminatedFiles m-nsg2.json)" -gt 0 ] && pass "in-progress blobs are unterminated" || fail "in-progress"
"$bin" gen --out - --hours 2 --seed 3 --manifest m-stdout.json -q | "$bin" parse --summary --format json - >s-stdout.json
compare_totals "gen to stdout streams one document" m-stdout.json s-stdout.json

# --- progress: never on a pipe, shown on a terminal
"$bin" parse --summary g1 >/dev/null 2>progress-pipe.txt
[ ! -s progress-pipe.txt ] && pass "no progress when stderr is not a terminal" || fail "progress on a pipe"
big=g1/$(cd g1 && find . -name PT1H.json | head -1)
script -qec "(head -c 2000 '$big'; sleep 1.2; tail -c +2001 '$big') | '$bin' parse --summary - >/dev/null" /dev/null >progress-tty.txt 2>&1
grep -Eq "parse [01]/1 files" progress-tty.txt && grep -q "tuples/s" progress-tty.txt && pass "progress line on a terminal" || { fail "progress on a terminal"; cat -v progress-tty.txt | head -3; }

echo "cli: $failures failure(s)"
[ "$failures" -eq 0 ]
