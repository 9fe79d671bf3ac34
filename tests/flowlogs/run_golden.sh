#!/usr/bin/env bash
# Golden tests of the flow-log parser: every input here (NAME.json or NAME.jsonl) is parsed by
# `flowlens parse` and must produce exactly NAME.expected.ndjson (the tuples) and, as
# "RecordIndex TupleIndex ByteOffset Code" lines, NAME.expected.errors (the rejections; empty
# or absent means none). The exit status must be 3 when errors are expected, else 0.
# NAME.args holds extra options. Each input runs single- and multi-threaded.
#
# usage: run_golden.sh FLOWLENS_BINARY
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
count=0
for input in *.json *.jsonl; do
  case $input in *.expected.*) continue ;; esac
  name=${input%.*}
  expected_errors=/dev/null
  [ -s "$name.expected.errors" ] && expected_errors="$name.expected.errors"
  want_rc=0
  [ -s "$expected_errors" ] && want_rc=3
  args=()
  [ -f "$name.args" ] && read -r -a args <"$name.args"
  for threads in 1 4; do
    count=$((count + 1))
    "$bin" parse "${args[@]}" --threads "$threads" --quiet --errors "$work/errors.ndjson" \
      "$input" >"$work/out.ndjson"
    rc=$?
    if ! diff -u "$name.expected.ndjson" "$work/out.ndjson" >"$work/diff" 2>&1; then
      echo "FAIL $input (threads $threads): tuples differ"; head -20 "$work/diff"
      failures=$((failures + 1)); continue
    fi
    jq -r '"\(.RecordIndex) \(.TupleIndex) \(.ByteOffset) \(.Code)"' "$work/errors.ndjson" \
      >"$work/errors.txt"
    if ! diff -u "$expected_errors" "$work/errors.txt" >"$work/diff" 2>&1; then
      echo "FAIL $input (threads $threads): errors differ"; cat "$work/diff"
      jq -c . "$work/errors.ndjson" | head -5
      failures=$((failures + 1)); continue
    fi
    if [ "$rc" != "$want_rc" ]; then
      echo "FAIL $input (threads $threads): exit status $rc, expected $want_rc"
      failures=$((failures + 1)); continue
    fi
  done
done
echo "golden: $((count - failures))/$count passed"
[ "$failures" -eq 0 ]
