#!/usr/bin/env bash
# End-to-end test of the Azure Blob Storage client (src/blob) against Azurite, the Azure Storage
# emulator, on 127.0.0.1: flow-log blobs written the way Azure writes them (head, data and tail
# blocks; growth inserts a block before the tail), then read with tests/blob/blob_probe:
# listing with a prefix and paging, block lists before and after growth, ranged reads of exactly
# the new bytes, If-Match with a stale ETag (412 -> "changed"), a missing blob (404), a wrong key
# (403), a wrong container, SharedKey, account SAS and container-URL access, and faults injected
# by tests/blob/fault_proxy.mjs (503 with Retry-After, dropped connections, slow answers, a
# server that always fails). Then `flowlens ingest --blob` over real generated flow logs
# uploaded the Azure way: every tuple once, a grown blob adds exactly its new tuples, a re-run
# adds nothing, the same blobs given as downloaded files add nothing (one source key), SAS
# container URLs, a wrong container and a wrong key.
#
# Usage: tests/blob/run.sh BUILD_DIR     (needs tests/blob/node_modules: `npm ci` in tests/blob)
set -euo pipefail

build=${1:?usage: tests/blob/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
probe=$build/tests/blob_probe
[[ -x $probe ]] || { echo "e2e_blob: no $probe: build first" >&2; exit 1; }

work=$(mktemp -d)
# shellcheck source=tests/blob/lib.sh
source "$here/lib.sh"
cleanup() {
  blob_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
start_azurite
c=insights-logs-flowlogflowevent
prefix='flowLogResourceID=/00000000-0000-0000-0000-000000000000_NETWORKWATCHERRG/NETWORKWATCHER_EASTUS_VNET1-RG1-FLOWLOG/y=2025/m=03/d=14/h=09/'
blob_of() { echo "${prefix}m=00/macAddress=00224871C20$1/PT1H.json"; }

with() { local source=$1; shift; FLOWLENS_BLOB_SOURCE=$source "$probe" "$@"; }
field() { sed -n "s/^$1 //p"; }
# The raw bytes printed after the four header lines of `blob_probe range`.
range_bytes() { tail -n +5; }

# --- the writer: five flow-log blobs of 1..5 records under one hour, one elsewhere ---------------
node "$here/writer.mjs" container "$c"
for i in 1 2 3 4 5; do node "$here/writer.mjs" flowlog "$c" "$(blob_of "$i")" "$i"; done
node "$here/writer.mjs" flowlog "$c" "resourceId=/SUBSCRIPTIONS/X/PT1H.json" 1

# --- listing: prefix, paging with maxresults=2 over 5 blobs, list_all ---------------------------
all=$(with "$shared_key" list-all "$c" "$prefix")
check "list-all finds the 5 blobs under the prefix" 5 "$(grep -c '^blob ' <<<"$all")"
check "list-all in name order" "$(blob_of 1)" "$(head -1 <<<"$all" | cut -d' ' -f2)"
check "listing reports block blobs" 5 "$(grep -c ' BlockBlob$' <<<"$all")"
page1=$(with "$shared_key" list "$c" "$prefix" "" 2)
check "page 1 holds 2 blobs" 2 "$(grep -c '^blob ' <<<"$page1")"
marker1=$(field next <<<"$page1")
[[ -n $marker1 ]] || { echo "FAIL page 1 has no NextMarker" >&2; failures=$((failures + 1)); }
page2=$(with "$shared_key" list "$c" "$prefix" "$marker1" 2)
check "page 2 starts with blob 3" "$(blob_of 3)" "$(grep '^blob ' <<<"$page2" | head -1 | cut -d' ' -f2)"
page3=$(with "$shared_key" list "$c" "$prefix" "$(field next <<<"$page2")" 2)
check "page 3 holds the last blob" "$(blob_of 5)" "$(grep '^blob ' <<<"$page3" | cut -d' ' -f2)"
check "page 3 is the last" "" "$(field next <<<"$page3")"
check "list-all with pages of 2 equals one listing" "$all" "$(with "$shared_key" list-all "$c" "$prefix" 2)"
check "list-all without a prefix sees all 6" 6 "$(with "$shared_key" list-all "$c" "" | grep -c '^blob ')"

# --- block list, ranged reads, growth -------------------------------------------------------------
b=$(blob_of 3)
blocks=$(with "$shared_key" blocks "$c" "$b")
check "3 records: head, 3 data blocks, tail" 5 "$(grep -c '^block ' <<<"$blocks")"
check "head block is 12 bytes" 12 "$(grep '^block ' <<<"$blocks" | head -1 | cut -d' ' -f3)"
check "tail block is 2 bytes" 2 "$(grep '^block ' <<<"$blocks" | tail -1 | cut -d' ' -f3)"
etag1=$(field etag <<<"$blocks")
length1=$(field length <<<"$blocks")
sum=$(grep '^block ' <<<"$blocks" | awk '{s += $3} END {print s}')
check "block sizes add up to the committed length" "$length1" "$sum"
listed=$(grep "^blob $b " <<<"$all")
check "listing and block list agree on the ETag" "$etag1" "$(cut -d' ' -f4 <<<"$listed")"

whole=$(with "$shared_key" range "$c" "$b" 0 "$length1" "$etag1")
check "a full ranged read is data" data "$(field outcome <<<"$whole")"
check "the full read is the whole blob" "$length1" "$(field bytes <<<"$whole")"
check "the full read is one JSON document of 3 records" 3 "$(range_bytes <<<"$whole" | jq '.records | length')"
data_end1=$((length1 - 2))

grown=$(node "$here/writer.mjs" grow "$c" "$b")
blocks2=$(with "$shared_key" blocks "$c" "$b")
etag2=$(field etag <<<"$blocks2")
length2=$(field length <<<"$blocks2")
check "growth adds one block" 6 "$(grep -c '^block ' <<<"$blocks2")"
check "the tail stays last" "$(grep '^block ' <<<"$blocks" | tail -1)" "$(grep '^block ' <<<"$blocks2" | tail -1)"
check "earlier blocks keep their order" "$(grep '^block ' <<<"$blocks" | head -4)" "$(grep '^block ' <<<"$blocks2" | head -4)"
[[ $etag2 != "$etag1" ]] || { echo "FAIL growth did not change the ETag" >&2; failures=$((failures + 1)); }
new_length=$((length2 - 2 - data_end1))
check "the new block's size is the growth" "$(grep '^block ' <<<"$blocks2" | tail -2 | head -1 | cut -d' ' -f3)" "$new_length"
delta=$(with "$shared_key" range "$c" "$b" "$data_end1" "$new_length" "$etag2")
check "the delta read is data" data "$(field outcome <<<"$delta")"
check "the delta is exactly the new record" "$grown" "$(range_bytes <<<"$delta")"
check "the delta read is pinned to the new ETag" "$etag2" "$(field etag <<<"$delta")"
check "Content-Range total is the new length" "$length2" "$(field total <<<"$delta")"
stale=$(with "$shared_key" range "$c" "$b" "$data_end1" "$new_length" "$etag1")
check "If-Match with the stale ETag: changed (412)" changed "$(field outcome <<<"$stale")"
past=$(with "$shared_key" range "$c" "$b" "$((length2 + 10))" 5)
check "a range past the end is not satisfiable (416)" not-satisfiable "$(field outcome <<<"$past")"
at_end=$(with "$shared_key" range "$c" "$b" "$length2" 5)
check "a range starting at the end is not satisfiable" not-satisfiable "$(field outcome <<<"$at_end")"
props=$(with "$shared_key" props "$c" "$b")
check "properties: ETag" "$etag2" "$(field etag <<<"$props")"
check "properties: length" "$length2" "$(field length <<<"$props")"
check "properties: type" BlockBlob "$(field type <<<"$props")"

# --- deleted and missing blobs, wrong container, wrong key ---------------------------------------
node "$here/writer.mjs" delete "$c" "$(blob_of 5)"
gone=$(with "$shared_key" range "$c" "$(blob_of 5)" 0 10)
check "a deleted blob's range read: gone (404)" gone "$(field outcome <<<"$gone")"
# With If-Match, Azurite evaluates the condition first and answers 412 for a deleted blob; the
# reader then re-reads the block list, which answers 404.
pinned=$(with "$shared_key" range "$c" "$(blob_of 5)" 0 10 "$etag1")
contains "a deleted blob's pinned read: changed or gone" "$(field outcome <<<"$pinned")" "changed gone"
set +e
err=$(with "$shared_key" props "$c" "$(blob_of 5)" 2>&1 >/dev/null); rc=$?
check "properties of a missing blob: exit 1" 1 "$rc"
contains "properties of a missing blob: 404 BlobNotFound" "kind=blob-not-found status=404 code=BlobNotFound" "$err"
err=$(with "$shared_key" blocks "$c" "$(blob_of 9)" 2>&1 >/dev/null)
contains "block list of a missing blob: 404" "status=404 code=BlobNotFound" "$err"
err=$(with "$shared_key" list-all nosuch "" 2>&1 >/dev/null); rc=$?
check "wrong container: exit 1" 1 "$rc"
contains "wrong container: clear message" "no container named 'nosuch' in account 'devstoreaccount1'" "$err"
wrong_key=$(printf 'flowlens-wrong-key-%045d' 0 | base64 -w0)
err=$(with "${shared_key/$key/$wrong_key}" list-all "$c" "$prefix" 2>&1 >/dev/null); rc=$?
check "wrong key: exit 1" 1 "$rc"
contains "wrong key: 403" "status=403" "$err"
contains "wrong key: says what to check" "check the account key or SAS" "$err"
lacks "wrong key: the key is not printed" "${wrong_key:0:20}" "$err"
err=$(with "$shared_key" list-all "$c" "$prefix" 2>&1 >/dev/null)
check "SharedKey: no output on stderr" "" "$err"
set -e

# --- SAS: an account SAS (sp=rl, srt=co) in a connection string and in a container URL ----------
sas=$(node "$here/writer.mjs" sas rl co)
sig=$(sed -n 's/.*sig=\([^&]*\).*/\1/p' <<<"$sas")
sas_conn="BlobEndpoint=$endpoint;SharedAccessSignature=$sas"
check "SAS: listing equals SharedKey's" "$(with "$shared_key" list-all "$c" "$prefix")" "$(with "$sas_conn" list-all "$c" "$prefix")"
check "SAS: listing sees the 4 remaining blobs" 4 "$(with "$sas_conn" list-all "$c" "$prefix" | grep -c '^blob ')"
check "SAS: block list equals SharedKey's" "$blocks2" "$(with "$sas_conn" blocks "$c" "$b")"
url="$endpoint/$c?$sas"
check "container URL + SAS: delta read" "$grown" "$(with "$url" range "$c" "$b" "$data_end1" "$new_length" "$etag2" | range_bytes)"
check "container URL + SAS: properties" "$length2" "$(with "$url" props "$c" "$b" | field length)"
list_only=$(node "$here/writer.mjs" sas l co)
set +e
err=$(with "BlobEndpoint=$endpoint;SharedAccessSignature=$list_only" range "$c" "$b" 0 5 2>&1 >/dev/null); rc=$?
check "SAS without read: exit 1" 1 "$rc"
contains "SAS without read: 403 permission" "kind=permission status=403 code=AuthorizationPermissionMismatch" "$err"
contains "SAS without read: says which permission" "read (r) and list (l)" "$err"
objects_only=$(node "$here/writer.mjs" sas rl o)
err=$(with "BlobEndpoint=$endpoint;SharedAccessSignature=$objects_only" list-all "$c" "" 2>&1 >/dev/null)
contains "SAS without srt=c cannot list" "srt=co" "$err"
bad_sig=${sas/sig=$sig/sig=AAAA${sig:4}}
err=$(with "$endpoint/$c?$bad_sig" list-all "$c" "" 2>&1 >/dev/null); rc=$?
check "tampered SAS: exit 1" 1 "$rc"
contains "tampered SAS: says what to check" "check the account key or SAS" "$err"
lacks "tampered SAS: the signature is not printed" "${sig:4:16}" "$err"
err=$(FLOWLENS_BLOB_VERBOSE=1 with "$url" list-all "$c" "" 2>&1 >/dev/null)
contains "verbose request log" 'request op="List Blobs"' "$err"
lacks "verbose request log holds no signature" "${sig:0:16}" "$err"
set -e

# --- injected faults: a proxy between the client and Azurite ----------------------------------
# The probe retries at most twice (three attempts) with a 100 ms base delay.
via_proxy() { echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=$proxy_endpoint;"; }
direct_blocks=$(with "$shared_key" blocks "$c" "$b")
set +e
start_proxy 503r,drop
t0=$(date +%s%N)
out=$(with "$(via_proxy)" blocks "$c" "$b" 2>/dev/null); rc=$?
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "503 with Retry-After, then a dropped connection: retried to success" "0 $direct_blocks" "$rc $out"
check "the proxy saw three attempts" 3 "$(wc -l <"$work/proxy.log")"
check "Retry-After: 1 was honoured (waited at least 1 s)" yes "$([[ $elapsed_ms -ge 1000 ]] && echo yes || echo "no: ${elapsed_ms} ms")"
start_proxy slow1500
out=$(with "$(via_proxy)" range "$c" "$b" "$data_end1" "$new_length" "$etag2" 2>/dev/null | range_bytes)
check "a slow answer (1.5 s) is waited for" "$grown" "$out"
start_proxy always500
err=$(with "$(via_proxy)" list-all "$c" "$prefix" 2>&1 >/dev/null); rc=$?
check "500 on every attempt: exit 1" 1 "$rc"
check "500 on every attempt: three attempts, then it gives up" 3 "$(wc -l <"$work/proxy.log")"
contains "500 on every attempt: the error says so" "status=500" "$err"
set -e
stop_proxy

# --- flowlens ingest --blob: a container of real flow logs, growing, exactly once ---------------
flowlens=$build/src/app/flowlens
lc=insights-logs-flowlogflowevent  # the container the probe checks above used too
"$flowlens" gen --out "$work/gen" --scale small --hours 2 --seed 21 -q
# The generated subscription's blobs only (the probe's test blobs are not flow logs).
gprefix=$(find "$work/gen/$lc" -name PT1H.json -print -quit | sed -n "s|.*/$lc/\(flowLogResourceID=/[^_/]*_\).*|\1|p")
mirror=$work/mirror
grow_blob=
count=0
while IFS= read -r f; do
  name=${f#"$work/gen/$lc/"}
  if [[ -z $grow_blob ]]; then  # the first blob is uploaded half now, the rest later
    grow_blob=$name; grow_file=$f
    half=$(( $(jq '.records | length' "$f") / 2 ))
    node "$here/writer.mjs" upload "$lc" "$name" "$f" "$mirror/$lc/$name" "$half"
  else
    node "$here/writer.mjs" upload "$lc" "$name" "$f" "$mirror/$lc/$name"
  fi
  count=$((count + 1))
done < <(find "$work/gen/$lc" -name PT1H.json | sort)
tuples_of() { "$flowlens" parse --summary --format json "$1" | jq .tuples; }
stored() { "$flowlens" query --data "$work/store" --format csv "$1" | tail -1; }
"$flowlens" ingest --data "$work/store" --blob "$shared_key" --container "$lc" --prefix "$gprefix" -q
first_tuples=$(tuples_of "$mirror")
check "ingest --blob: every tuple of the $count blobs stored ($first_tuples)" "$first_tuples" "$(stored 'FlowTuples | count')"
check "ingest --blob: tuples were stored" yes "$([[ $first_tuples -gt 1000 ]] && echo yes || echo "no: $first_tuples")"
check "ingest --blob: sources are container/blob names" "$count" "$(stored "FlowTuples | where Source startswith '$lc/flowLogResourceID=' | summarize dcount(Source)")"
size_before=$(stat -c %s "$mirror/$lc/$grow_blob")
node "$here/writer.mjs" extend "$lc" "$grow_blob" "$grow_file" "$mirror/$lc/$grow_blob"
out=$("$flowlens" ingest --data "$work/store" --blob "$shared_key" --container "$lc" --prefix "$gprefix")
grown_tuples=$(tuples_of "$mirror")
# The checkpoint sits before the closing "]}" (2 bytes): only the bytes after it are fetched,
# the blocks before it are known by their IDs and the hash state is kept in the checkpoint.
new_bytes=$(( $(stat -c %s "$mirror/$lc/$grow_blob") - (size_before - 2) ))
contains "a grown blob: only its new bytes are downloaded ($new_bytes)" "  $new_bytes bytes downloaded, $new_bytes bytes parsed" "$out"
contains "a grown blob: continued, not re-read" "1 grown, $((count - 1)) unchanged, 0 rewritten" "$out"
check "ingest --blob after a blob grew: exactly the $((grown_tuples - first_tuples)) new tuples added" "$grown_tuples" "$(stored 'FlowTuples | count')"
check "the grown blob brought new tuples" yes "$([[ $grown_tuples -gt $first_tuples ]] && echo yes || echo no)"
"$flowlens" ingest --data "$work/store" --blob "$shared_key" --container "$lc" --prefix "$gprefix" -q
check "ingest --blob again: nothing added" "$(tuples_of "$mirror")" "$(stored 'FlowTuples | count')"
# The same bytes committed under other block IDs: the block digest differs, so the prefix is
# downloaded and hashed; it matches, and nothing is stored twice.
node "$here/writer.mjs" reblock "$lc" "$grow_blob"
out=$("$flowlens" ingest --data "$work/store" --blob "$shared_key" --container "$lc" --prefix "$gprefix")
contains "a re-blocked blob: its prefix is hashed again and found the same" "1 grown, $((count - 1)) unchanged, 0 rewritten" "$out"
check "a re-blocked blob: nothing added" "$(tuples_of "$mirror")" "$(stored 'FlowTuples | count')"

# --- a blob committed again while it is read: the proxy holds the third request (the read after
# List Blobs and Get Block List) for 4 s; once it arrives, the writer commits more of the blob --
wait_held() {  # until the proxy holds request 3
  for _ in $(seq 1 200); do
    grep -q '^3 slow' "$work/proxy.log" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "e2e_blob: the proxy never held request 3" >&2; cat "$work/proxy.log" >&2; exit 1
}
race=race/PT1H.json
race_mirror=$work/race-mirror/$lc/$race
race_records=$(jq '.records | length' "$grow_file")
race_count() { "$flowlens" query --data "$work/race-store" --format csv 'FlowTuples | count' | tail -1; }
node "$here/writer.mjs" upload "$lc" "$race" "$grow_file" "$race_mirror" $((race_records / 3))
"$flowlens" ingest --data "$work/race-store" --blob "$shared_key" --container "$lc" --prefix "$race" -q
node "$here/writer.mjs" extend "$lc" "$race" "$grow_file" "$race_mirror" $((2 * race_records / 3))
start_proxy none,none,slow4000
"$flowlens" ingest --data "$work/race-store" --blob "$proxy_key" --container "$lc" --prefix "$race" >"$work/race.out" 2>&1 &
racer=$!
wait_held
node "$here/writer.mjs" extend "$lc" "$race" "$grow_file" "$race_mirror"
rc=0; wait "$racer" || rc=$?
check "committed again during a grown blob's read: exit 0" 0 "$rc"
contains "committed again during a grown blob's read: a notice" "committed again (or deleted) while being read" "$(cat "$work/race.out")"
contains "committed again during a grown blob's read: counted" "1 changed while read, 0 deferred" "$(cat "$work/race.out")"
"$flowlens" ingest --data "$work/race-store" --blob "$shared_key" --container "$lc" --prefix "$race" -q
check "committed again during a read: every tuple once after the next run" "$(tuples_of "$race_mirror")" "$(race_count)"
# The same while the prefix is downloaded to be compared (new block IDs force that): neither
# "same" nor "rewritten" is known, so the blob is left for the next run, checkpoint untouched.
node "$here/writer.mjs" reblock "$lc" "$race"
start_proxy none,none,slow4000
"$flowlens" ingest --data "$work/race-store" --blob "$proxy_key" --container "$lc" --prefix "$race" >"$work/race.out" 2>&1 &
racer=$!
wait_held
node "$here/writer.mjs" reblock "$lc" "$race"
rc=0; wait "$racer" || rc=$?
check "committed again while its prefix is compared: exit 0" 0 "$rc"
contains "committed again while its prefix is compared: deferred" "0 changed while read, 1 deferred" "$(cat "$work/race.out")"
contains "committed again while its prefix is compared: says why" "cannot be compared with its checkpoint now" "$(cat "$work/race.out")"
"$flowlens" ingest --data "$work/race-store" --blob "$shared_key" --container "$lc" --prefix "$race" -q
check "committed again while its prefix is compared: every tuple once after the next run" "$(tuples_of "$race_mirror")" "$(race_count)"
stop_proxy

# --- a blob written in one Put Blob (no committed blocks), then replaced by a longer one -------
put=put/PT1H.json
put_mirror=$work/put-mirror/$lc/$put
node "$here/writer.mjs" put "$lc" "$put" "$grow_file" "$put_mirror" $((race_records / 2))
"$flowlens" ingest --data "$work/put-store" --blob "$shared_key" --container "$lc" --prefix "$put" -q
node "$here/writer.mjs" put "$lc" "$put" "$grow_file" "$put_mirror"
out=$("$flowlens" ingest --data "$work/put-store" --blob "$shared_key" --container "$lc" --prefix "$put")
contains "Put Blob growth: compared by its bytes and continued" "1 grown" "$out"
check "Put Blob growth: every tuple once" "$(tuples_of "$put_mirror")" "$("$flowlens" query --data "$work/put-store" --format csv 'FlowTuples | count' | tail -1)"
"$flowlens" ingest --data "$work/store" -q "$mirror/$lc"
check "the same blobs as downloaded files: one source each, nothing added" "$(tuples_of "$mirror")" "$(stored 'FlowTuples | count')"
check "rollup holds every tuple once" "$(tuples_of "$mirror")" "$(stored 'NTANetAnalytics | summarize sum(RecordCount)')"
echo "$endpoint/$lc?$sas" >"$work/source.txt"
"$flowlens" ingest --data "$work/store2" --blob "@$work/source.txt" --prefix "$gprefix" -q
check "ingest --blob @FILE with a container URL and SAS" "$(tuples_of "$mirror")" "$("$flowlens" query --data "$work/store2" --format csv 'FlowTuples | count' | tail -1)"
set +e
err=$("$flowlens" ingest --data "$work/store3" --blob "$shared_key" --container no-such-container -q 2>&1); rc=$?
check "ingest --blob, wrong container: exit 1" 1 "$rc"
contains "ingest --blob, wrong container: says so" "no-such-container" "$err"
err=$("$flowlens" ingest --data "$work/store3" --blob "${shared_key/AccountKey=Eby8/AccountKey=Xby8}" --container "$lc" -q 2>&1); rc=$?
check "ingest --blob, wrong key: exit 1" 1 "$rc"
lacks "ingest --blob, wrong key: the key is not printed" "Xby8vdM02x" "$err"
set -e

if ((failures > 0)); then
  echo "e2e_blob: $failures of $checks checks failed (Azurite log: last lines below)" >&2
  tail -5 "$work/azurite.log" | sed 's/sig=[^& ]*/sig=REDACTED/g' >&2
  exit 1
fi
echo "e2e_blob: all $checks checks passed (Azurite on port $port)"
