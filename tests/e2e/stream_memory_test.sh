#!/usr/bin/env bash
# Memory stays bounded: a single flow-log document of more than 2 GB is streamed through
# `flowlens parse` (from a pipe, so it can never be loaded whole) and the parser's peak
# resident memory must stay well under 512 MB while every tuple is counted.
# usage: stream_memory_test.sh FLOWLENS_BINARY
set -euo pipefail
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
limit_kb=$((512 * 1024))
# 60 hours of the medium estate is about 2.1 GB in one {"records":[...]} document.
"$bin" gen --out - --scale medium --hours 60 --seed 9 --manifest "$work/manifest.json" -q |
  /usr/bin/time -f "%M" -o "$work/rss_kb" "$bin" parse --summary --format json - >"$work/summary.json"
bytes=$(jq .bytes "$work/summary.json")
rss_kb=$(cat "$work/rss_kb")
echo "streamed $bytes bytes, $(jq .tuples "$work/summary.json") tuples; parser peak RSS $((rss_kb / 1024)) MB"
[ "$bytes" -gt $((2 * 1000 * 1000 * 1000)) ] || { echo "FAIL: stream smaller than 2 GB"; exit 1; }
[ "$(jq .tuples "$work/manifest.json")" = "$(jq .tuples "$work/summary.json")" ] || { echo "FAIL: tuple count differs from the generator's"; exit 1; }
[ "$(jq .bytesSrcToDest "$work/manifest.json")" = "$(jq .bytesSrcToDest "$work/summary.json")" ] || { echo "FAIL: byte sum differs"; exit 1; }
[ "$(jq .errors "$work/summary.json")" = 0 ] || { echo "FAIL: parse errors"; exit 1; }
[ "$rss_kb" -lt "$limit_kb" ] || { echo "FAIL: peak RSS ${rss_kb} KB exceeds ${limit_kb} KB"; exit 1; }
echo "ok"
