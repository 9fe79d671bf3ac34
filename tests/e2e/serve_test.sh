#!/usr/bin/env bash
# `flowlens serve` end to end, over HTTP on 127.0.0.1: the JSON API (health, tables, status,
# queries by POST and GET, typed errors with line and column), the dashboard's panels (every
# panel in every unit = its own KQL, filters, validation, the answer cache), bearer-token
# authentication,
# read-only methods, security headers, and static files that cannot leave their directory.
# usage: serve_test.sh FLOWLENS_BINARY
set -u
bin=$(realpath "$1")
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

"$bin" gen --out logs --scale small --hours 3 --seed 13 -q --enrichment enr
"$bin" ingest --data d logs -q --topology enr/topology.json || fail "ingest"
mkdir -p site
echo '<!doctype html><title>flowlens</title>' >site/index.html
echo 'secret' >site/.hidden
echo 'outside' >outside.txt
echo 's3cr3t-token' >token

"$bin" serve --data d --listen 127.0.0.1:0 --auth-token-file token --static site --query-timeout 0.2 \
  >serve.out 2>serve.err &
server_pid=$!
for _ in $(seq 50); do grep -q 'http://' serve.out 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' serve.out | head -1 | cut -d: -f2)
[ -n "$port" ] && pass "listening on 127.0.0.1:$port" || { fail "server did not start: $(cat serve.err)"; exit 1; }
base="http://127.0.0.1:$port"
auth=(-H "Authorization: Bearer s3cr3t-token")

# --- authentication ---
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/health")
[ "$code" = 401 ] && pass "no token: 401" || fail "no token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "$base/api/health")
[ "$code" = 401 ] && pass "wrong token: 401" || fail "wrong token: $code"
[ "$(curl -s "${auth[@]}" "$base/api/health")" = '{"ok":true}' ] && pass "token: health" || fail "health"
grep -q 's3cr3t' serve.out serve.err && fail "the token appears in the server's output" \
  || pass "the token is never printed"

# --- requests from other sites (DNS rebinding, cross-site pages) ---
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -H 'Host: evil.example.com' "$base/api/health")
[ "$code" = 403 ] && pass "a foreign Host (DNS rebinding): 403" || fail "foreign host: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -H 'Origin: http://evil.example' -X POST --data '{"query":"print 1"}' "$base/api/query")
[ "$code" = 403 ] && pass "a cross-site POST (foreign Origin): 403" || fail "cross-site post: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -H 'Sec-Fetch-Site: cross-site' -G --data-urlencode 'q=print 1' "$base/api/query")
[ "$code" = 403 ] && pass "a cross-site GET (Sec-Fetch-Site): 403" || fail "cross-site get: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -H "Origin: http://127.0.0.1:$port" -H 'Sec-Fetch-Site: same-origin' -X POST --data '{"query":"print 1"}' "$base/api/query")
[ "$code" = 200 ] && pass "a same-origin POST from the dashboard: 200" || fail "same-origin post: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -H "Host: localhost:$port" "$base/api/health")
[ "$code" = 200 ] && pass "Host localhost: 200" || fail "localhost host: $code"

# --- tables and status ---
curl -s "${auth[@]}" "$base/api/tables" >tables.json
jq -e '(.tables | map(.name) | index("FlowTuples")) != null and ([.tables[] | select(.name == "NTANetAnalytics") | .columns[] | select(.name == "FlowType" and .type == "string")] | length) == 1' tables.json >/dev/null \
  && pass "tables with columns and types" || fail "tables: $(head -c 200 tables.json)"
curl -s "${auth[@]}" "$base/api/status" >status.json
rows=$("$bin" query --data d --format csv 'FlowTuples | count' | tail -1)
jq -e --argjson rows "$rows" '(.tables[] | select(.name == "FlowTuples") | .rows) == $rows and .newest_tuple != null and (.sources.count > 0)' status.json >/dev/null \
  && pass "status: FlowTuples rows = count() ($rows), newest tuple, sources" || fail "status: $(cat status.json)"
src=$(jq -r '.recent_sources[0].source' status.json)
src_rows=$("$bin" query --data d --format csv "FlowTuples | where Source == '$src' | count" | tail -1)
jq -e --argjson n "$src_rows" '.recent_sources[0].tuples == $n and (.recent_sources | length) <= 20 and .ingests[0].status == "completed" and .ingests[0].tuples == '"$rows"' and .ingests[0].message == null and (.recent_sources | all(.lag_seconds > 0 and .last_error == null)) and .failing_count == 0 and .failing_sources == []' status.json >/dev/null \
  && pass "status: recent sources ($src_rows tuples in the newest) and the ingest run ($rows tuples)" || fail "status sources/ingests: $(jq -c '.recent_sources[0], .ingests' status.json)"

# --- queries ---
query='NTANetAnalytics | summarize Flows = sum(AllowedInFlows + AllowedOutFlows), n = count() by FlowType | sort by FlowType asc | render columnchart with (title="by type")'
"$bin" query --data d --format json "$query" >cli.json
jq -n --arg q "$query" '{query: $q}' | curl -s "${auth[@]}" -X POST --data-binary @- "$base/api/query" >api.json
cmp -s <(jq -S . cli.json) <(jq -S . api.json) && jq -e '.tables[0].render.kind == "columnchart" and .tables[0].render.properties.title == "by type"' api.json >/dev/null \
  && pass "POST /api/query = flowlens query --format json, with the render hint" || fail "query: $(head -c 300 api.json)"
out=$(curl -s "${auth[@]}" -G --data-urlencode 'q=print x = 1 + 1' "$base/api/query")
[ "$(jq -c '.tables[0].rows' <<<"$out")" = '[[2]]' ] && pass "GET /api/query?q=" || fail "GET query: $out"
evil='print s = "<img src=x onerror=alert(1)>\"quoted\"\\back"'
out=$(jq -n --arg q "$evil" '{query: $q}' | curl -s "${auth[@]}" -X POST --data-binary @- "$base/api/query")
[ "$(jq -r '.tables[0].rows[0][0]' <<<"$out")" = '<img src=x onerror=alert(1)>"quoted"\back' ] \
  && pass "strings come back as JSON strings, exactly" || fail "escaping: $out"

# --- errors ---
out=$(jq -n '{query: "FlowTuples\n| where DestPrt == 443"}' | curl -s -w '\n%{http_code}' "${auth[@]}" -X POST --data-binary @- "$base/api/query")
body=$(head -1 <<<"$out")
[ "$(tail -1 <<<"$out")" = 400 ] && jq -e '.error.line == 2 and .error.column == 9 and .error.length == 7 and .error.kind == "semantic" and (.error.message | contains("did you mean '"'"'DestPort'"'"'"))' <<<"$body" >/dev/null \
  && pass "query error: 400 with line, column, length, suggestion" || fail "error: $out"
code=$(curl -s -o timeout.json -w '%{http_code}' "${auth[@]}" -G --data-urlencode 'q=range x from 1 to 5000000 step 1 | summarize count() by x % 1000003' "$base/api/query")
[ "$code" = 422 ] && jq -e '.error.kind == "runtime" and (.error.message | contains("timeout"))' timeout.json >/dev/null \
  && pass "a query over the server's timeout: 422" || fail "timeout: $code $(cat timeout.json)"
code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST --data 'not json' "$base/api/query")
[ "$code" = 400 ] && pass "a body that is not JSON: 400" || fail "bad body: $code"

# --- read-only, headers, static files ---
for method in PUT DELETE PATCH; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X "$method" --data '{}' "$base/api/query")
  [ "$code" = 405 ] && pass "$method: 405" || fail "$method: $code"
done
headers=$(curl -s -D - -o /dev/null "$base/")
grep -qi "^Content-Security-Policy: default-src 'self'" <<<"$headers" && grep -qi '^X-Content-Type-Options: nosniff' <<<"$headers" \
  && pass "Content-Security-Policy and nosniff" || fail "headers: $headers"
[ "$(curl -s "$base/")" = '<!doctype html><title>flowlens</title>' ] && pass "static index.html" || fail "index"
for path in '/../outside.txt' '/%2e%2e/outside.txt' '/..%2foutside.txt' '/.hidden' '/site/../../outside.txt'; do
  code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$base$path")
  [ "$code" = 404 ] && pass "no escape: $path" || fail "path $path: $code"
done

# --- dashboard panels ---
curl -s "${auth[@]}" "$base/api/panels" >panels.json
jq -e '([.views[].id] | index("overview") != null and index("status") != null) and (.choices.flow_types | length) > 0 and .data.to != null and ([.views[].panels[]] | length) >= 25' panels.json >/dev/null \
  && pass "panel catalogue: views, panels, filter choices, data range" || fail "panels: $(head -c 300 panels.json)"
want_subnets=$("$bin" query --data d --format csv 'union (NTANetAnalytics | project S = SrcSubnet), (NTANetAnalytics | project S = DestSubnet) | where isnotempty(S) | summarize by S | sort by S asc' | tail -n +2 | jq -R . | jq -sc .)
jq -e --argjson s "$want_subnets" '.choices.subnets == $s and (.choices.subnets | length) > 0 and .choices.vnets == ([.choices.subnets[] | split("/")[0:2] | join("/")] | unique)' panels.json >/dev/null \
  && pass "filter choices: every subnet in the data, and their VNets" || fail "choices: $(jq -c .choices panels.json)"
ip=$("$bin" query --data d --format csv 'NTANetAnalytics | where isnotempty(SrcIp) | summarize n = count() by SrcIp | top 1 by n desc, SrcIp asc | project SrcIp' | tail -1)
country=$(curl -s "${auth[@]}" "$base/api/panels/geo.countries" | jq -r '.result.tables[0].rows[0][0] // "US"')  # no geo-IP here
bad=0; checked=0
for id in $(jq -r '.views[].panels[].id' panels.json); do
  for unit in flows bytes packets; do
    args="unit=$unit"
    case $id in ip.*) args="$args&ip=$ip" ;; geo.country) args="$args&country=$country" ;; esac
    code=$(curl -s "${auth[@]}" -o panel.json -w '%{http_code}' "$base/api/panels/$id?$args")
    jq '{query: .query}' panel.json | curl -s "${auth[@]}" -X POST --data-binary @- "$base/api/query" >again.json
    if [ "$code" != 200 ] || ! cmp -s <(jq -S .result panel.json) <(jq -S 'del(.warnings)' again.json); then
      bad=$((bad + 1)); echo "  $id ($unit): $code $(head -c 200 panel.json)"
    fi
    checked=$((checked + 1))
  done
done
[ "$bad" = 0 ] && pass "every panel in every unit answers, and its KQL re-run through /api/query gives the same result ($checked answers)" \
  || fail "$bad of $checked panel answers failed or differ from their own KQL"
empty_bad=0
for id in $(jq -r '.views[].panels[].id' panels.json); do
  args="flowtype=NoSuchType"
  case $id in ip.*) args="$args&ip=$ip" ;; geo.country) args="$args&country=$country" ;; esac
  code=$(curl -s "${auth[@]}" -o panel.json -w '%{http_code}' "$base/api/panels/$id?$args")
  [ "$code" = 200 ] || { empty_bad=$((empty_bad + 1)); echo "  $id (no matching flows): $code $(head -c 200 panel.json)"; }
done
[ "$empty_bad" = 0 ] && pass "every panel answers when no flow matches the filters" || fail "$empty_bad panels fail on an empty selection"
curl -s "${auth[@]}" "$base/api/panels/overview.totals?status=Denied" >denied.json
window=$(jq -r .query denied.json | grep -E '^let (Start|End) = ' | tr '\n' ' ')
want=$("$bin" query --data d --format csv "$window NTANetAnalytics | where FlowStartTime >= Start and FlowStartTime < End | summarize sum(DeniedInFlows + DeniedOutFlows)" | tail -1)
jq -e --argjson want "$want" '.result.tables[0] as $t | [range(0; $t.columns | length) | {key: $t.columns[.].name, value: $t.rows[0][.]}] | from_entries | .Denied == $want and .Allowed == 0 and .Total == $want' denied.json >/dev/null \
  && pass "status=Denied: Totals show only the denied flows ($want, = independent KQL)" || fail "denied totals: $(jq -c .result denied.json) want $want"
curl -s "${auth[@]}" -G "$base/api/panels/dist.flowtype" --data-urlencode 'vnet=x" or true or "' >inj.json
jq -e '(.result.tables[0].rows | length) == 0 and (.query | contains("startswith \"x\\\" or true or \\\"/\""))' inj.json >/dev/null \
  && pass "a filter value stays one string literal (no KQL injection)" || fail "injection: $(head -c 400 inj.json)"
code=$(curl -s "${auth[@]}" -o err.json -w '%{http_code}' "$base/api/panels/dist.l7?unit=frames")
[ "$code" = 400 ] && jq -e '.error.message | contains("unit")' err.json >/dev/null && pass "bad unit: 400 naming it" || fail "bad unit: $code"
code=$(curl -s "${auth[@]}" -o err.json -w '%{http_code}' "$base/api/panels/dist.l7?flowtyp=x")
[ "$code" = 400 ] && pass "unknown filter: 400" || fail "unknown filter: $code"
code=$(curl -s "${auth[@]}" -o err.json -w '%{http_code}' "$base/api/panels/ip.peers")
[ "$code" = 400 ] && jq -e '.error.message | contains("ip=")' err.json >/dev/null && pass "missing ip: 400" || fail "missing ip: $code"
code=$(curl -s "${auth[@]}" -o /dev/null -w '%{http_code}' "$base/api/panels/no.such")
[ "$code" = 404 ] && pass "unknown panel: 404" || fail "unknown panel: $code"
# The answer cache: a repeated request is a hit; a commit to the store invalidates it.
curl -s "${auth[@]}" -o /dev/null "$base/api/panels/status.freshness"
curl -s "${auth[@]}" -D hdr -o before.json "$base/api/panels/status.freshness"
grep -qi 'x-flowlens-cache: hit' hdr && pass "a repeated panel comes from the cache" || fail "no cache hit: $(cat hdr)"
"$bin" gen --out logs2 --scale small --hours 1 --seed 14 -q
"$bin" ingest --data d logs2 -q || fail "second ingest"
curl -s "${auth[@]}" -D hdr -o after.json "$base/api/panels/status.freshness"
rows=$("$bin" query --data d --format csv 'FlowTuples | count' | tail -1)
grep -qi 'x-flowlens-cache: miss' hdr && jq -e --argjson rows "$rows" '.result.tables[0].rows[] | select(.[0] == "FlowTuples") | .[1] == $rows' after.json >/dev/null \
  && pass "after an ingest the panel is computed again ($rows tuples)" || fail "stale cache: $(cat hdr) $(jq -c .result after.json)"

kill "$server_pid"
wait "$server_pid"
rc=$?
server_pid=""
[ "$rc" = 0 ] && pass "SIGTERM stops the server cleanly" || fail "server exit $rc"
if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all serve end-to-end checks passed"
