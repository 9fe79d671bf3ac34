#!/usr/bin/env bash
# Installs the free geo-IP and ASN databases flowlens enriches with (npm packages pinned by
# third_party/ip-location-db/package-lock.json): a CC0 country database in MMDB format and
# CC BY 4.0 ASN ranges (RouteViews + DB-IP; the DB-IP terms ask for a visible link back in a
# user interface that shows the data). Idempotent: does nothing when they are present.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir="$here/third_party/ip-location-db"
if [ -f "$dir/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" ] &&
   [ -f "$dir/node_modules/@ip-location-db/asn/asn-ipv4.csv" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || "$here/scripts/install-deps.sh" build
echo "install-geoip: fetching the ip-location-db packages from npm"
cd "$dir" && npm ci --no-audit --no-fund --silent
