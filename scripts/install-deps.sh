#!/usr/bin/env bash
# Installs every system package flowlens needs to build, test, benchmark and demo on Debian 12.
# Idempotent and non-interactive: packages already present are left alone, and apt is only
# touched when something is missing. Run as root (CI and the dev machine are root); otherwise
# it re-runs itself through sudo when sudo exists.
#
# Usage: scripts/install-deps.sh [build|test|bench|all]   (default: all)
set -euo pipefail

profile="${1:-all}"

# Packages needed to configure and compile flowlens (the default build also compiles the unit
# tests and micro-benchmarks, so GoogleTest and Google Benchmark are build dependencies; libcurl,
# pugixml and OpenSSL serve the Azure Blob Storage client).
build_pkgs=(
  g++ make cmake ninja-build pkg-config git ca-certificates
  libsimdjson-dev libcli11-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libzstd-dev libxxhash-dev libmaxminddb-dev libre2-dev libcpp-httplib-dev
  libcurl4-openssl-dev libpugixml-dev libssl-dev
)
# Extra packages for `make test`: the clang libFuzzer build, formatting checks, jq for the
# golden and end-to-end scripts, GNU time for peak memory, script(1) for the terminal test,
# Python 3 (standard library only) for the query engine's differential test against SQLite,
# Chromium for the dashboard's browser tests (driven headless by playwright-core from web/).
test_pkgs=(
  clang libclang-rt-14-dev clang-format time jq bsdutils curl python3 chromium
)
# Extra packages for `make bench`: timing, and ClickHouse as a baseline for the ingest benchmark
# (the bench script starts its own server on 127.0.0.1 in a temporary directory; the jq and
# DuckDB baselines need jq and Node.js).
bench_pkgs=(
  hyperfine clickhouse-server clickhouse-client wrk
)

wanted=("${build_pkgs[@]}")
case "$profile" in
  build) ;;
  test) wanted+=("${test_pkgs[@]}") ;;
  bench) wanted+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  all) wanted+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench|all]" >&2; exit 2 ;;
esac
# npm fetches the free geo-IP and ASN databases (scripts/install-geoip.sh) and Node.js runs
# the DuckDB baseline; keep an existing installation (for example a newer NodeSource build)
# instead of replacing it with Debian's.
command -v node >/dev/null 2>&1 || wanted+=(nodejs)
command -v npm >/dev/null 2>&1 || wanted+=(npm)

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root; install them or run as root" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
