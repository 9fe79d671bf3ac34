#!/usr/bin/env bash
# End-to-end tests of the embedded store through the command line (design §7): exports match
# the parser, re-ingesting changes nothing, a growing or rewritten PT1H.json adds only its new
# records, late data lands in its interval once, retention and compaction, concurrent readers,
# stdin, errors kept in IngestErrors, usage errors. The kill -9 harness is store_crash_test.sh.
# usage: store_test.sh FLOWLENS_BINARY
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
check() {  # NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
expect_rc() {  # NAME WANT COMMAND...
  local name=$1 want=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"; local rc=$?
  if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name (exit $rc, want $want)"; head -5 "$work/err"; fi
}
# Every table of a data directory, one line per row, without the processing-time columns
# (TimeGenerated, TimeProcessed, Time), sorted: what must be equal between two ways of
# ingesting the same data.
canon() {  # DATA_DIR OUT
  for t in FlowTuples NTANetAnalytics NTAIpDetails IngestErrors; do
    "$bin" export --data "$1" "$t" | sed -E 's/^\{"(TimeGenerated|Time)":"[^"]*",("TimeProcessed":"[^"]*",)?/{/' | sort
  done >"$2"
}
rows() { "$bin" export --data "$1" "$2" | wc -l; }
json_status() { "$bin" status --data "$1" --format json; }

# --- a day of a small VNet
"$bin" gen --out logs --scale small --hours 24 --seed 3 --manifest manifest.json -q
tuples=$(jq .tuples manifest.json)
blobs=$(find logs -name '*.json' | wc -l)
expect_rc "clean ingest" 0 "$bin" ingest --data ref logs
grep -q "ingested $blobs input(s) into ref: $blobs new, 0 grown, 0 unchanged" out && pass "ingest summary" || { fail "ingest summary"; cat out; }
canon ref ref.txt
[ "$(rows ref FlowTuples)" = "$tuples" ] && pass "FlowTuples holds every tuple ($tuples)" || fail "FlowTuples row count"
"$bin" export --data ref FlowTuples | sed 's/,"Source":.*//' | sort >stored
"$bin" parse logs | sed 's/,"Source":.*//' | sort >parsed
cmp -s stored parsed && pass "FlowTuples export equals the parser's rows" || fail "FlowTuples export differs from parse"
"$bin" export --data ref FlowTuples | head -1 | jq -e '.Source | startswith("insights-logs-flowlogflowevent/")' >/dev/null && pass "Source is the blob name" || fail "Source"
records=$("$bin" export --data ref NTANetAnalytics | jq -s 'map(.RecordCount) | add')
[ "$records" = "$tuples" ] && pass "NTANetAnalytics counts each tuple once (sum RecordCount)" || fail "RecordCount sum $records != $tuples"
flows=$("$bin" export --data ref NTANetAnalytics | jq -s 'map(.AllowedInFlows + .DeniedInFlows + .AllowedOutFlows + .DeniedOutFlows) | add')
starts=$("$bin" parse logs | jq -s 'map(select(.FlowState == "B" or .FlowState == "D")) | length')
[ "$flows" = "$starts" ] && pass "flow counters count B and D tuples ($starts)" || fail "flows $flows != starts $starts"
"$bin" export --data ref NTANetAnalytics | jq -e -s 'all(.[]; ([.AllowedInFlows, .DeniedInFlows, .AllowedOutFlows, .DeniedOutFlows] | map(select(. > 0)) | length) <= 1)' >/dev/null && pass "at most one of the four flow counters is non-zero per row" || fail "flow counters"
"$bin" export --data ref NTANetAnalytics | jq -e -s 'all(.[]; ([.FlowType] | inside(["ExternalPublic", "AzurePublic", "MaliciousFlow"])) == ((.SrcIp == "") or (.DestIp == "")))' >/dev/null && pass "public peers are folded, others are not" || fail "folding"
"$bin" export --data ref NTANetAnalytics | jq -r .FlowType | sort -u | tr '\n' ' ' >types
grep -q "ExternalPublic" types && grep -q "IntraVNet" types && grep -q "InterVNet" types && pass "flow types: $(cat types)" || fail "flow types: $(cat types)"
"$bin" export --data ref NTANetAnalytics --format csv | head -1 | grep -q '^TimeGenerated,TimeProcessed,SubType,FaSchemaVersion,FlowIntervalStartTime' && pass "csv export header" || fail "csv header"
[ "$("$bin" export --data ref NTANetAnalytics --format csv | wc -l)" = "$(( $(rows ref NTANetAnalytics) + 1 ))" ] && pass "csv export rows" || fail "csv rows"
expect_rc "status --verify" 0 "$bin" status --data ref --verify
grep -q "verify: every segment reads back intact; tables agree" out && pass "verify message" || fail "verify message"
json_status ref | jq -e ".tables[0].rows == $tuples and .sources.count == $blobs and .sources.complete == $blobs" >/dev/null && pass "status json" || fail "status json"

# --- time range
from=$("$bin" export --data ref FlowTuples --from 2026-11-01T06:00:00Z --to 2026-11-01T07:00:00Z | jq -r .FlowTime | sort | sed -n '1p;$p' | tr '\n' ' ')
case "$from" in "2026-11-01T06:"*" 2026-11-01T06:"*) pass "export --from/--to";; *) fail "export --from/--to: $from";; esac
want=$("$bin" parse logs | jq -r .FlowTime | awk '$1 >= "2026-11-01T06" && $1 < "2026-11-01T07"' | wc -l)
[ "$("$bin" export --data ref FlowTuples --from 2026-11-01T06:00:00Z --to 2026-11-01T07:00:00Z | wc -l)" = "$want" ] && pass "time range selects exactly its tuples ($want)" || fail "time range count"
"$bin" export --data ref NTANetAnalytics --from 2026-11-01T06:00:00Z --to 2026-11-01T06:10:00Z | jq -r .FlowIntervalStartTime | sort -u >intervals
[ "$(cat intervals)" = "2026-11-01T06:00:00.0000000Z" ] && pass "rollup time range is by interval" || fail "rollup range: $(cat intervals)"

# --- idempotence
segments_before=$(json_status ref | jq '[.tables[].segments] | add')
expect_rc "re-ingest" 0 "$bin" ingest --data ref logs
grep -q "0 new, 0 grown, $blobs unchanged" out && grep -q " 0 tuples stored" out && pass "re-ingest reads nothing" || { fail "re-ingest summary"; cat out; }
canon ref again.txt
cmp -s ref.txt again.txt && pass "re-ingest changes nothing" || fail "re-ingest changed the tables"
[ "$(json_status ref | jq '[.tables[].segments] | add')" = "$segments_before" ] && pass "re-ingest writes no segment" || fail "re-ingest wrote segments"
touch "$(find logs -name '*.json' | head -1)"
expect_rc "touched blob" 0 "$bin" ingest --data ref logs
grep -q "0 new, 1 grown" out && grep -q " 0 tuples stored" out && pass "a touched blob is checked, not re-stored" || { fail "touched"; cat out; }
canon ref again.txt
cmp -s ref.txt again.txt && pass "touching changes nothing" || fail "touching changed the tables"
cp -r logs logs-copy
expect_rc "same blobs under another root" 0 "$bin" ingest --data ref logs-copy
grep -q "0 new, $blobs grown" out && grep -q " 0 tuples stored" out && pass "blob identity is the blob name, not the path" || { fail "copy identity"; cat out; }

# --- a growing PT1H.json: Azure appends records before the closing ]}
big=$(find logs -name '*.json' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
rel=${big#logs/}
mkdir -p "grow/$(dirname "$rel")" "full/$(dirname "$rel")"
cp "$big" "full/$rel"
"$bin" ingest --data full-ref full -q
canon full-ref full.txt
mapfile -t cuts < <(grep -bo ',{"time"' "$big" | cut -d: -f1)
[ "${#cuts[@]}" -ge 10 ] && pass "growth test blob has ${#cuts[@]} record boundaries" || fail "too few records in $big"
stage() {  # BYTES TERMINATED
  head -c "$1" "$big" >"grow/$rel"
  [ "$2" = yes ] && printf ']}' >>"grow/$rel"
  "$bin" ingest --data grown grow -q
}
stage "${cuts[2]}" yes; stage "${cuts[5]}" yes; stage "${cuts[8]}" no; stage "${cuts[8]}" yes
cp "$big" "grow/$rel"
expect_rc "final growth" 0 "$bin" ingest --data grown grow
grep -q "0 new, 1 grown" out && pass "a grown blob is resumed" || { fail "resumed"; cat out; }
canon grown grown.txt
cmp -s full.txt grown.txt && pass "a blob read while growing equals the blob read once" || { fail "growth"; diff full.txt grown.txt | head -5; }
[ "$(json_status grown | jq '.sources.list // [] | length')" = 0 ] && [ "$("$bin" status --data grown --format json --sources | jq '.sources.list[0].tuples')" = "$(rows full-ref FlowTuples)" ] && pass "the checkpoint counts the blob's tuples once" || fail "checkpoint tuples"

# --- a rewritten blob: different bytes before the checkpoint (here: pretty-printed)
head -c "${cuts[5]}" "$big" >"grow/$rel"; printf ']}' >>"grow/$rel"
"$bin" ingest --data rewritten grow -q
jq . "$big" >"grow/$rel"
expect_rc "rewritten blob" 0 "$bin" ingest --data rewritten grow
grep -q "changed since they were stored" err && grep -q "1 rewritten" out && pass "a rewritten blob is noticed" || { fail "rewritten notice"; cat out err; }
canon rewritten rewritten.txt
cmp -s full.txt rewritten.txt && pass "a rewritten blob adds only records after the stored ones" || { fail "rewritten"; diff full.txt rewritten.txt | head -5; }

# --- late data: blobs ingested one at a time, latest hour first
find logs -name '*.json' | sort -r >order
while read -r f; do "$bin" ingest --data late "$f" -q --no-compact || fail "late ingest $f"; done <order
canon late late.txt
cmp -s ref.txt late.txt && pass "late data lands in its interval, counted once" || { fail "late data"; diff ref.txt late.txt | head -5; }
small=$(json_status late | jq '[.tables[].segments] | add')
expect_rc "compact" 0 "$bin" compact --data late
after=$(json_status late | jq '[.tables[].segments] | add')
[ "$after" -lt "$small" ] && pass "compaction merges small segments ($small -> $after)" || fail "compaction $small -> $after"
canon late compacted.txt
cmp -s ref.txt compacted.txt && pass "compaction changes no row" || { fail "compaction changed rows"; diff ref.txt compacted.txt | head -5; }
expect_rc "verify after compaction" 0 "$bin" status --data late --verify
[ -z "$(find late/segments -name '*.tmp*')" ] && [ "$(find late/segments -name '*.fls' | wc -l)" = "$after" ] && pass "no file left behind" || fail "stray files"
# Auto-compaction: many small ingests without --no-compact keep the segment count bounded.
while read -r f; do "$bin" ingest --data auto "$f" -q || fail "auto ingest $f"; done <order
[ "$(json_status auto | jq '.tables[0].segments')" -lt 9 ] && pass "ingest compacts small segments by itself" || fail "auto compaction"
canon auto auto.txt
cmp -s ref.txt auto.txt && pass "auto-compacted tables are unchanged" || fail "auto compaction changed rows"

# --- readers see consistent snapshots while a writer commits
"$bin" ingest --data busy logs --commit-tuples 500 --no-compact -q &
writer=$!
reads=0; bad=0
until "$bin" status --data busy >/dev/null 2>&1; do sleep 0.01; done  # the first commit
while kill -0 $writer 2>/dev/null; do
  if true; then
    "$bin" status --data busy --verify >verify.out 2>&1 || { bad=$((bad + 1)); cat verify.out; }
    "$bin" export --data busy NTANetAnalytics >/dev/null 2>export.err || { bad=$((bad + 1)); cat export.err; }
    reads=$((reads + 1))
  fi
done
wait $writer
[ "$bad" = 0 ] && [ "$reads" -gt 3 ] && pass "$reads snapshot reads during ingest were all consistent" || fail "concurrent reads: $bad bad of $reads"
canon busy busy.txt
cmp -s ref.txt busy.txt && pass "many small commits hold the same rows" || fail "small commits differ"
"$bin" ingest --data busy logs --commit-tuples 500 -q &
writer=$!
sleep 0.05
expect_rc "a second writer is refused" 1 "$bin" ingest --data busy logs
grep -q "another flowlens process is writing" err && pass "second writer message" || { wait $writer; pass "second writer (first finished early)"; }
wait $writer

# --- retention
"$bin" gen --out old --scale small --start 2026-01-01 --hours 48 --seed 5 -q
expect_rc "ingest with retention" 0 "$bin" ingest --data ret old --retention-days 1 --now 2026-01-03T00:00:00Z --commit-tuples 3000
grep -q "retention removed [1-9][0-9]* segment" out && pass "retention removes whole old segments" || { fail "retention summary"; cat out; }
kept=$("$bin" export --data ret FlowTuples --now 2026-01-03T00:00:00Z | jq -r .FlowTime | sort | head -1)
[[ "$kept" > "2026-01-02T00:00:00" ]] && pass "no row older than the retention period is visible ($kept)" || fail "retention visible $kept"
want=$("$bin" parse old | jq -r .FlowTime | awk '$1 >= "2026-01-02T00:00:00"' | wc -l)
[ "$("$bin" export --data ret FlowTuples --now 2026-01-03T00:00:00Z | wc -l)" = "$want" ] && pass "every row inside the period is kept ($want)" || fail "retention kept count"
"$bin" export --data ret NTANetAnalytics --now 2026-01-03T00:00:00Z | jq -r .FlowIntervalStartTime | sort | head -1 | grep -q '^2026-01-02T00:00' && pass "rollup retention by interval" || fail "rollup retention"
json_status ret | jq -e '.retention_days == 1' >/dev/null && pass "retention is a directory setting" || fail "retention setting"
expect_rc "retention 0 keeps everything" 0 "$bin" compact --data ret --retention-days 0
json_status ret | jq -e '.retention_days == 0' >/dev/null && pass "retention can be changed" || fail "retention change"

# --- errors are stored once, with their location
expect_rc "rejected input exits 3" 3 "$bin" ingest --data errs "$fixtures/err_codes.json"
grep -q "problem(s)" err && grep -q "table IngestErrors" err && pass "closing line names IngestErrors" || { fail "error closing line"; cat err; }
[ "$(rows errs IngestErrors)" = 8 ] && pass "IngestErrors holds each rejection" || fail "IngestErrors rows $(rows errs IngestErrors)"
"$bin" export --data errs IngestErrors | head -1 | jq -e '.Source and .Code and .Message and (.ByteOffset | type == "number") and (.RecordIndex | type == "number")' >/dev/null && pass "error rows have source, position, code, message" || fail "error row fields"
[ "$(rows errs FlowTuples)" = "$("$bin" parse "$fixtures/err_codes.json" 2>/dev/null | wc -l)" ] && pass "good tuples of a damaged file are stored" || fail "good tuples"
expect_rc "re-ingesting a damaged file" 0 "$bin" ingest --data errs "$fixtures/err_codes.json"
[ "$(rows errs IngestErrors)" = 8 ] && pass "errors are not stored twice" || fail "errors duplicated"
expect_rc "status shows errors" 0 "$bin" status --data errs
grep -q "ingest errors   8" out && pass "status error count" || { fail "status errors"; cat out; }

# --- standard input
expect_rc "stdin needs a source name" 2 "$bin" ingest --data in - <"$big"
expect_rc "stdin ingest" 0 "$bin" ingest --data in - --source-name hub <"$big"
n=$(rows in FlowTuples)
expect_rc "stdin again" 0 "$bin" ingest --data in - --source-name hub <"$big"
[ "$(rows in FlowTuples)" = "$n" ] && [ "$n" -gt 0 ] && pass "stdin is checkpointed under its name" || fail "stdin checkpoint"
"$bin" export --data in FlowTuples | head -1 | jq -e '.Source == "hub"' >/dev/null && pass "stdin Source" || fail "stdin Source"
[ ! -e in/tmp ] || [ -z "$(ls in/tmp)" ] && pass "spooled stdin removed" || fail "spool left behind"

# --- intervals
"$bin" ingest --data hourly --interval 60m logs -q
"$bin" export --data hourly NTANetAnalytics | jq -r .FlowIntervalStartTime | cut -c15-19 | sort -u >minutes
[ "$(cat minutes)" = "00:00" ] && pass "--interval 60m rolls up per hour" || fail "hourly: $(cat minutes)"
hourly_records=$("$bin" export --data hourly NTANetAnalytics | jq -s 'map(.RecordCount) | add')
[ "$hourly_records" = "$tuples" ] && [ "$(rows hourly NTANetAnalytics)" -lt "$(rows ref NTANetAnalytics)" ] && pass "hourly rows are fewer, same tuples" || fail "hourly totals"
expect_rc "the interval of a directory cannot change" 1 "$bin" ingest --data hourly --interval 10m logs
grep -q "rolls up per 60 minutes" err && pass "interval message" || fail "interval message"

# --- usage
expect_rc "unknown table" 2 "$bin" export --data ref Bogus
grep -q "no table named Bogus" err && pass "unknown table message" || fail "unknown table message"
expect_rc "missing data directory" 1 "$bin" status --data nowhere
grep -q "no flowlens data in nowhere" err && pass "missing directory message" || fail "missing directory message"
expect_rc "bad time" 2 "$bin" export --data ref FlowTuples --from yesterday-ish
expect_rc "missing input" 2 "$bin" ingest --data ref does-not-exist.json
FLOWLENS_DATA=ref expect_rc "FLOWLENS_DATA" 0 "$bin" status
grep -q "data directory  ref" out && pass "FLOWLENS_DATA is the default" || fail "FLOWLENS_DATA"

echo "$failures failure(s)"
[ "$failures" = 0 ]
