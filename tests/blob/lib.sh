# Shared by the blob test scripts (sourced): Azurite and the fault proxy on 127.0.0.1, and the
# check helpers. The caller sets `here` (this folder) and `work` (a scratch folder) first, and
# calls blob_cleanup from its EXIT trap.

azurite_pid=
proxy_pid=
failures=0
checks=0

# Azurite's documented development account (blob-rest.md §8.1); not a secret.
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

blob_cleanup() {
  stop_proxy
  if [[ -n $azurite_pid ]]; then kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; fi
}

# Starts Azurite in memory; sets port, endpoint, shared_key and the writer's environment. Port
# 0: the system picks a free port and Azurite prints it (blob-rest.md §8.1). Started directly
# with node so that one process id stops it.
start_azurite() {
  local azurite=$here/node_modules/azurite/dist/src/blob/main.js
  if [[ ! -f $azurite ]]; then
    echo "$(basename "$0"): $here/node_modules is missing: run 'npm ci' in tests/blob (make test does)" >&2
    exit 1
  fi
  node "$azurite" --blobHost 127.0.0.1 --blobPort 0 --inMemoryPersistence --disableTelemetry \
    >"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  port=
  for _ in $(seq 1 150); do
    port=$(sed -n 's|.*successfully listens on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/azurite.log")
    [[ -n $port ]] && break
    kill -0 "$azurite_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $port ]]; then
    echo "$(basename "$0"): Azurite did not start:" >&2
    cat "$work/azurite.log" >&2
    exit 1
  fi
  endpoint=http://127.0.0.1:$port/devstoreaccount1
  export BLOB_ENDPOINT=$endpoint BLOB_ACCOUNT=devstoreaccount1 BLOB_KEY=$key
  shared_key="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=$endpoint;"
}

# start_proxy FAULTS (see fault_proxy.mjs) in front of Azurite; sets proxy_endpoint and
# proxy_key (a connection string through it). Replaces a running proxy.
start_proxy() {
  stop_proxy
  node "$here/fault_proxy.mjs" "$port" "$1" >"$work/proxy.out" 2>"$work/proxy.log" &
  proxy_pid=$!
  local pport=
  for _ in $(seq 1 100); do
    pport=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$work/proxy.out")
    [[ -n $pport ]] && break
    sleep 0.05
  done
  proxy_endpoint=http://127.0.0.1:$pport/devstoreaccount1
  proxy_key="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=$proxy_endpoint;"
}

stop_proxy() {
  if [[ -n $proxy_pid ]]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  proxy_pid=
}

check() {  # check NAME EXPECTED ACTUAL
  checks=$((checks + 1))
  if [[ "$2" != "$3" ]]; then
    failures=$((failures + 1))
    printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3" >&2
  fi
}
contains() {  # contains NAME NEEDLE HAYSTACK
  checks=$((checks + 1))
  if [[ "$3" != *"$2"* ]]; then
    failures=$((failures + 1))
    printf 'FAIL %s\n  expected to contain: %s\n  actual: %s\n' "$1" "$2" "$3" >&2
  fi
}
lacks() {  # lacks NAME NEEDLE HAYSTACK
  checks=$((checks + 1))
  if [[ "$3" == *"$2"* ]]; then
    failures=$((failures + 1))
    # The haystack is not printed: it may hold the secret the check is about.
    printf 'FAIL %s\n  must not contain: %s\n' "$1" "$2" >&2
  fi
}
