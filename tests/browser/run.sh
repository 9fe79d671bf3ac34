#!/usr/bin/env bash
# Browser tests of the dashboard: tests/browser/run.sh FLOWLENS_BINARY
# Builds a fixture store (a generated estate plus hand-made flow logs whose NSG rule names are
# HTML), serves it and an empty store with `flowlens serve --static web/dist`, and runs
# dashboard.test.mjs against both with headless Chromium. Needs web/dist (npm ci && npm run
# build in web/), web/node_modules/playwright-core and /usr/bin/chromium; installs nothing.
# SCREENSHOT_DIR (optional) receives a PNG of every view.
set -euo pipefail

FLOWLENS=${1:?usage: tests/browser/run.sh FLOWLENS_BINARY}
FLOWLENS=$(realpath "$FLOWLENS")
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

[[ -x $FLOWLENS ]] || { echo "run.sh: $FLOWLENS is not an executable" >&2; exit 2; }
[[ -f $REPO/web/dist/index.html && -f $REPO/web/dist/app.js ]] ||
  { echo "run.sh: web/dist is missing: run 'npm ci && npm run build' in web/ first" >&2; exit 2; }
[[ -d $REPO/web/node_modules/playwright-core ]] ||
  { echo "run.sh: web/node_modules/playwright-core is missing: run 'npm ci' in web/ first" >&2; exit 2; }
[[ -x $CHROMIUM ]] || { echo "run.sh: $CHROMIUM is missing (apt-get install -y chromium)" >&2; exit 2; }

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- Fixture: six hours of the small estate, with its enrichment -------------------------
"$FLOWLENS" gen --out "$TMP/gen" --scale small --seed 3 --hours 6 --enrichment "$TMP/gen/enrichment" --quiet
ENRICH=(--topology "$TMP/gen/enrichment/topology.json" --service-tags "$TMP/gen/enrichment/service-tags.json"
        --threats "$TMP/gen/enrichment/threats.csv")
GEO_DB=$REPO/third_party/ip-location-db/node_modules/@ip-location-db
[[ -f $GEO_DB/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb ]] &&
  ENRICH+=(--geoip "$GEO_DB/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb")

# --- Hand-made VNet flow log: rules named like HTML, denied inbound tuples -----------------
# 2026-11-01T03:00:00Z = 1793502000 s; the tuples fall inside the generated hours.
mkdir -p "$TMP/hand"
cat > "$TMP/hand/PT1H.json" <<'JSON'
{"records":[{"time":"2026-11-01T03:10:00.0000000Z","flowLogVersion":4,"flowLogGUID":"0b0b0b0b-1111-2222-3333-444444444444",
"macAddress":"00224871C2AA","category":"FlowLogFlowEvent",
"flowLogResourceID":"/SUBSCRIPTIONS/00000000-0000-0000-0000-0000000000AA/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_WESTEUROPE/FLOWLOGS/HAND-MADE",
"targetResourceID":"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hand/providers/Microsoft.Network/virtualNetworks/vnet-hand",
"operationName":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"aaaaaaaa-0000-0000-0000-000000000001","flowGroups":[
{"rule":"<img src=x onerror=alert(1)>","flowTuples":[
"1793502001000,45.155.205.10,10.99.1.4,40001,22,6,I,D,NX,0,0,0,0",
"1793502002000,45.155.205.11,10.99.1.4,40002,22,6,I,D,NX,0,0,0,0",
"1793502003000,45.155.205.12,10.99.1.4,40003,3389,6,I,D,NX,0,0,0,0",
"1793502004000,45.155.205.10,10.99.1.4,40004,23,6,I,D,NX,0,0,0,0",
"1793502005000,45.155.205.13,10.99.1.4,40005,445,6,I,D,NX,0,0,0,0"]},
{"rule":"\"quote' & <b>bold</b>","flowTuples":[
"1793502006000,45.155.205.14,10.99.1.4,40006,1433,6,I,D,NX,0,0,0,0",
"1793502007000,45.155.205.15,10.99.1.4,40007,5432,6,I,D,NX,0,0,0,0"]}]}]}}]}
JSON

STORE=$TMP/store
"$FLOWLENS" ingest --data "$STORE" --quiet "${ENRICH[@]}" "$TMP/gen/insights-logs-flowlogflowevent"
"$FLOWLENS" ingest --data "$STORE" --quiet "${ENRICH[@]}" "$TMP/hand"
stored=$("$FLOWLENS" query --data "$STORE" --format csv \
  'NTANetAnalytics | where AclRule == "<img src=x onerror=alert(1)>" | summarize n = count()' | tail -1)
[[ $stored -gt 0 ]] || { echo "run.sh: the hand-made rule name was not stored as is" >&2; exit 1; }

# --- Servers: the fixture, an empty data directory, the fixture behind a bearer token --------------------------------------
wait_url() { # LOG -> prints the URL the server announced on its first line
  local url=""
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$1" | head -1 || true)
    [[ -n $url ]] && break
    sleep 0.1
  done
  [[ -n $url ]] || { echo "run.sh: flowlens serve did not start:" >&2; cat "$1" >&2; exit 1; }
  echo "$url"
}
mkdir -p "$TMP/empty"
"$FLOWLENS" serve --data "$STORE" --listen 127.0.0.1:0 --static "$REPO/web/dist" >"$TMP/serve.log" 2>&1 &
PIDS+=($!)
"$FLOWLENS" serve --data "$TMP/empty" --listen 127.0.0.1:0 --static "$REPO/web/dist" >"$TMP/serve-empty.log" 2>&1 &
PIDS+=($!)
echo 'browser-test-token' >"$TMP/token"
"$FLOWLENS" serve --data "$STORE" --listen 127.0.0.1:0 --static "$REPO/web/dist" \
  --auth-token-file "$TMP/token" >"$TMP/serve-auth.log" 2>&1 &
PIDS+=($!)
URL=$(wait_url "$TMP/serve.log")
EMPTY_URL=$(wait_url "$TMP/serve-empty.log")
AUTH_URL=$(wait_url "$TMP/serve-auth.log")

cd "$REPO"
SCREENSHOT_DIR=${SCREENSHOT_DIR:-$TMP/screenshots} CHROMIUM=$CHROMIUM \
  node --test-reporter=spec tests/browser/dashboard.test.mjs "$URL" "$EMPTY_URL" "$AUTH_URL"
