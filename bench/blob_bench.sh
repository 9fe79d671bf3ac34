#!/usr/bin/env bash
# Following a storage account: `flowlens watch` against Azurite (in memory, 127.0.0.1) over a day
# of `gen --scale medium` flow logs uploaded the way Azure writes them (one block per record,
# inserted before the closing block).
#
# 1. Backlog: the first HOURS-2 hours uploaded complete, then one watch poll reads them all:
#    tuples/s and MB/s, against (a) `flowlens ingest` of the same bytes from local files (the
#    parse-and-store floor) and (b) downloading every blob once with curl (the transfer floor).
# 2. Live: a watch polling every POLL while the last 2 hours grow in ROUNDS commits per hour
#    (each blob's new blocks committed, a pause, the next round): bytes downloaded / bytes
#    committed, and freshness per round = the commit time of the first poll that started after
#    the round's blocks were committed, minus that time (an upper bound: a poll that started
#    earlier may have listed them already). p50, p95, max.
#
# 3. Many blobs: MANY one-record blobs in a fresh Azurite (Put Blob, distinct hours and
#    MACs): the first poll (every blob new: a block list and a ranged GET each) and an idle
#    poll (every blob unchanged: the listing only), time and max RSS.
#
# Checked before any number is reported: the store's tuples per blob equal those of a reference
# store ingested from the exact bytes committed, and so do the rollup's sums; the total equals
# the generator's manifest.
#
# usage: bench/blob_bench.sh FLOWLENS_BINARY [--hours 24] [--poll 2s] [--rounds 12] [--pause-ms 1000]
#                           [--many 5000]
set -euo pipefail
flowlens=$(realpath "$1"); shift
hours=24
poll=2s
rounds=12
pause_ms=1000
many=5000
while [ $# -gt 0 ]; do
  case $1 in
    --hours) hours=$2; shift 2 ;;
    --poll) poll=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --pause-ms) pause_ms=$2; shift 2 ;;
    --many) many=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bench=$(cd "$(dirname "$0")" && pwd)
here=$bench/../tests/blob   # lib.sh, writer.mjs and Azurite (make blob-emulator)
mkdir -p "$bench/work"
work=$(mktemp -d "$bench/work/blob-XXXXXX")
# shellcheck source=tests/blob/lib.sh
source "$here/lib.sh"
watch_pid=
cleanup() {
  if [[ -n $watch_pid ]]; then kill -9 "$watch_pid" 2>/dev/null || true; fi
  blob_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

c=insights-logs-flowlogflowevent
data=$bench/work/blob-medium-$hours
if [[ ! -f $data.manifest.json ]]; then
  "$flowlens" gen --out "$data" --scale medium --hours "$hours" --seed 1 --force -q --manifest "$data.manifest.json"
fi
src=$data/$c
start_azurite
node "$here/writer.mjs" container "$c"
mirror=$work/mirror
store=$work/store
ms() { date +%s%3N; }
q() { "$flowlens" query --data "$1" --format csv "$2" | tail -n +2; }

# --- 1. backlog ------------------------------------------------------------------------------
backlog=$((hours - 2))
t0=$(ms)
node "$here/writer.mjs" feed "$c" "$src" "$mirror" 1 0 0 "$backlog" >"$work/feed-backlog.log"
feed_s=$(awk -v a="$t0" -v b="$(ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
blobs=$(find "$mirror/$c" -name PT1H.json | wc -l)
backlog_bytes=$(find "$mirror/$c" -name PT1H.json -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "uploaded $blobs blobs of $backlog hours ($(awk -v b="$backlog_bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB) in $feed_s s"

# (b) the transfer floor: every blob downloaded once, one after another, with curl and a SAS.
sas=$(node "$here/writer.mjs" sas rl co)
t0=$(ms)
(cd "$mirror/$c" && find . -name PT1H.json | cut -c3- | sed 's/=/%3D/g') | while read -r name; do
  curl -sf -o /dev/null "$endpoint/$c/$name?$sas"
done
curl_s=$(awk -v a="$t0" -v b="$(ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }')

# flowlens watch: one poll over the backlog.
/usr/bin/time -f '%e %M' -o "$work/watch-backlog.time" \
  "$flowlens" watch --data "$store" --blob "$shared_key" --container "$c" --polls 1 >"$work/watch-backlog.log"
read -r watch_s watch_kb <"$work/watch-backlog.time"
backlog_tuples=$(q "$store" 'FlowTuples | count')
downloaded_backlog=$(sed -n 's/.*; \([0-9.]*\) MB downloaded.*/\1/p' "$work/watch-backlog.log")

# (a) the parse-and-store floor: the same bytes from local files.
/usr/bin/time -f '%e %M' -o "$work/ingest-files.time" \
  "$flowlens" ingest --data "$work/files" -q "$mirror/$c"
read -r files_s files_kb <"$work/ingest-files.time"

# --- 2. live ---------------------------------------------------------------------------------
"$flowlens" watch --data "$store" --blob "$shared_key" --container "$c" --poll "$poll" >"$work/watch-live.log" 2>&1 &
watch_pid=$!
sleep 1
before_bytes=$(find "$mirror/$c" -name PT1H.json -printf '%s\n' | awk '{ s += $1 } END { print s }')
node "$here/writer.mjs" feed "$c" "$src" "$mirror" "$rounds" "$pause_ms" "$backlog" "$hours" >"$work/feed-live.log"
after_bytes=$(find "$mirror/$c" -name PT1H.json -printf '%s\n' | awk '{ s += $1 } END { print s }')
# Wait for two polls that find nothing new, then stop the watch.
for _ in $(seq 1 600); do
  if tail -n 2 "$work/watch-live.log" | grep -c ' 0 new, 0 grown,' | grep -q 2; then break; fi
  sleep 0.5
done
kill -TERM "$watch_pid"; wait "$watch_pid" || true; watch_pid=

# --- checks ----------------------------------------------------------------------------------
"$flowlens" ingest --data "$work/reference" -q "$mirror/$c"
per_source='FlowTuples | summarize n = count() by Source | order by Source asc'
if [[ "$(q "$work/reference" "$per_source")" != "$(q "$store" "$per_source")" ]]; then
  echo "blob_bench: CHECK FAILED: tuples per blob differ from the reference store" >&2; exit 1
fi
sums='NTANetAnalytics | summarize sum(RecordCount), sum(BytesSrcToDest), sum(PacketsSrcToDest)'
if [[ "$(q "$work/reference" "$sums")" != "$(q "$store" "$sums")" ]]; then
  echo "blob_bench: CHECK FAILED: rollup sums differ from the reference store" >&2; exit 1
fi
total_tuples=$(q "$store" 'FlowTuples | count')
if [[ "$total_tuples" != "$(jq .tuples "$data.manifest.json")" ]]; then
  echo "blob_bench: CHECK FAILED: $total_tuples tuples stored, the generator wrote $(jq .tuples "$data.manifest.json")" >&2; exit 1
fi
echo "checked: $total_tuples tuples (the generator's manifest), each blob's count and the rollup's sums equal the reference's"

# --- 3. many blobs -----------------------------------------------------------------------------
if ((many > 0)); then
  # A fresh emulator: Azurite holding the medium day in memory answers everything slower.
  blob_cleanup
  start_azurite
  node "$here/writer.mjs" container many
  t0=$(ms)
  node "$here/writer.mjs" many many "$many"
  many_upload_s=$(awk -v a="$t0" -v b="$(ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  for poll_name in first idle; do
    /usr/bin/time -f '%e %M' -o "$work/many-$poll_name.time" \
      "$flowlens" watch --data "$work/many" --blob "$shared_key" --container many --polls 1 -q
  done
  read -r many_first_s many_first_kb <"$work/many-first.time"
  read -r many_idle_s many_idle_kb <"$work/many-idle.time"
  if [[ "$(q "$work/many" 'FlowTuples | count')" != "$many" ]]; then
    echo "blob_bench: CHECK FAILED: $many one-tuple blobs, $(q "$work/many" 'FlowTuples | count') tuples stored" >&2; exit 1
  fi
fi

# --- numbers ---------------------------------------------------------------------------------
live_downloaded=$(grep ' poll ' "$work/watch-live.log" | sed -n 's/.*; \([0-9.]*\) MB downloaded.*/\1/p' | awk '{ s += $1 } END { print s * 1e6 }')
# Poll start = commit time - duration; freshness per round as described above.
grep ' poll ' "$work/watch-live.log" | awk '{
  t = $1; sub(/Z$/, "", t); split(t, d, "T"); split(d[2], hms, ":");
  cmd = "date -u -d " d[1] " +%s"; cmd | getline day; close(cmd);
  end_ms = (day + hms[1] * 3600 + hms[2] * 60 + hms[3]) * 1000;
  dur = $(NF - 1) * 1000;
  printf "%.0f %.0f\n", end_ms - dur, end_ms }' >"$work/polls.txt"
awk 'NR == FNR { start[NR] = $1; end[NR] = $2; n = NR; next }
     $1 == "round" { for (i = 1; i <= n; i++) if (start[i] >= $2) { print end[i] - $2; next } }' \
  "$work/polls.txt" "$work/feed-live.log" | sort -n >"$work/fresh.txt"
fresh_n=$(wc -l <"$work/fresh.txt")
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p + 0.5) + 1; printf "%.2f", v[i] / 1000 }' "$work/fresh.txt"; }

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
mtps() { awk -v t="$1" -v s="$2" 'BEGIN { printf "%.2f", t / 1e6 / s }'; }
echo
echo "backlog: $blobs blobs, $backlog hours, $(awk -v b="$backlog_bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB, $backlog_tuples tuples"
printf '  %-44s %8s %10s %12s %10s\n' "" "seconds" "MB/s" "M tuples/s" "max RSS"
printf '  %-44s %8s %10s %12s %10s\n' "flowlens watch, one poll (from Azurite)" "$watch_s" "$(mbps "$backlog_bytes" "$watch_s")" "$(mtps "$backlog_tuples" "$watch_s")" "$((watch_kb / 1024)) MB"
printf '  %-44s %8s %10s %12s %10s\n' "flowlens ingest of the same bytes as files" "$files_s" "$(mbps "$backlog_bytes" "$files_s")" "$(mtps "$backlog_tuples" "$files_s")" "$((files_kb / 1024)) MB"
printf '  %-44s %8s %10s %12s %10s\n' "curl, every blob downloaded once" "$curl_s" "$(mbps "$backlog_bytes" "$curl_s")" "-" "-"
echo "  watch / files: $(awk -v a="$watch_s" -v b="$files_s" 'BEGIN { printf "%.2f", a / b }')x the time; downloaded $downloaded_backlog MB for $(awk -v b="$backlog_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB committed"
echo
echo "live: 2 hours growing in $rounds commits per hour, $pause_ms ms apart, watch --poll $poll"
echo "  bytes downloaded / bytes committed: $(awk -v d="$live_downloaded" -v c="$((after_bytes - before_bytes))" 'BEGIN { printf "%.3f (%.1f MB / %.1f MB)", d / c, d / 1e6, c / 1e6 }')"
echo "  freshness over $fresh_n rounds (block committed -> tuple queryable, upper bound): p50 $(pct 0.5) s, p95 $(pct 0.95) s, max $(pct 1) s"
if ((many > 0)); then
  echo
  echo "many blobs: $many one-record blobs (uploaded in $many_upload_s s; checked: $many tuples stored)"
  echo "  first poll, every blob new:      $many_first_s s ($(awk -v s="$many_first_s" -v n="$many" 'BEGIN { printf "%.2f", s * 1000 / n }') ms per blob), max RSS $((many_first_kb / 1024)) MB"
  echo "  idle poll, every blob unchanged: $many_idle_s s, max RSS $((many_idle_kb / 1024)) MB"
fi
