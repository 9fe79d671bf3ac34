#!/usr/bin/env bash
# Enrichment end to end (design §6): a generated estate with its topology, service tags and
# threat feed, plus the real geo-IP and ASN databases, ingested through the CLI. Checks every
# FlowType rule on the data, the topology columns, public-IP enrichment in NTANetAnalytics,
# NTAIpDetails and FlowTuples, the Azure CLI importer path, and that a malformed input stops
# the ingest with a clear message before anything is stored.
# usage: enrich_test.sh FLOWLENS_BINARY
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
geo="$here/../../third_party/ip-location-db/node_modules/@ip-location-db"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

"$bin" gen --out logs --scale small --hours 6 --seed 5 --enrichment enr -q
geo_args=(--geoip "$geo/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"
          --asn "$geo/asn/asn-ipv4.csv" --asn "$geo/asn/asn-ipv6.csv")
"$bin" ingest --data d logs -q --topology enr/topology.json --service-tags enr/service-tags.json \
  --threats enr/threats.csv "${geo_args[@]}" || fail "ingest with enrichment"
"$bin" export --data d NTANetAnalytics >na.json
"$bin" export --data d NTAIpDetails >ipd.json
"$bin" export --data d FlowTuples >ft.json

types=$(jq -r .FlowType na.json | sort -u | tr '\n' ' ')
[ "$types" = "AzurePublic ExternalPublic InterVNet IntraVNet MaliciousFlow P2S S2S Unknown UnknownPrivate " ] \
  && pass "all nine flow types: $types" || fail "flow types: $types"
# Each rule, on the addresses the generator placed for it.
jq -e -s 'map(select(.FlowType == "S2S")) | length > 0 and all(.[]; (.SrcIp | startswith("192.168.50.")) and .ConnectionType == "VpnGateway" and (.ConnectionName | endswith("/rg-network/cn-amsterdam-dc")))' na.json >/dev/null \
  && pass "S2S: on-premises site prefix, VPN connection named" || fail "S2S rows"
jq -e -s 'map(select(.FlowType == "P2S")) | length > 0 and all(.[]; (.SrcIp | startswith("172.16.201.")) and .ConnectionName == "vpngw-hub_" + .SrcIp)' na.json >/dev/null \
  && pass "P2S: client pool, ConnectionName gateway_clientIP" || fail "P2S rows"
jq -e -s 'map(select(.FlowType == "UnknownPrivate")) | length > 0 and all(.[]; .DestIp == "10.250.7.20")' na.json >/dev/null \
  && pass "UnknownPrivate: a private address outside the topology" || fail "UnknownPrivate rows"
jq -e -s 'map(select(.FlowType == "Unknown")) | length > 0 and all(.[]; .DestIp == "100.64.10.5")' na.json >/dev/null \
  && pass "Unknown: a shared-space address" || fail "Unknown rows"
jq -e -s 'map(select(.FlowType == "IntraVNet")) | length > 0 and all(.[]; (.SrcSubnet | split("/")[1]) == (.DestSubnet | split("/")[1]))' na.json >/dev/null \
  && pass "IntraVNet: both subnets in one VNet" || fail "IntraVNet rows"
jq -e -s 'map(select(.FlowType == "InterVNet")) | length > 0 and all(.[]; (.SrcSubnet | split("/")[1]) != (.DestSubnet | split("/")[1]) and .ConnectionType == "VNetPeering")' na.json >/dev/null \
  && pass "InterVNet: two VNets, peered" || fail "InterVNet rows"
jq -e -s 'map(select(.FlowType == "AzurePublic")) | length > 0 and all(.[]; .AzureRegion != "" and .Country == "")' na.json >/dev/null \
  && pass "AzurePublic rows carry AzureRegion" || fail "AzurePublic rows"
jq -e -s 'map(select(.FlowType == "AzurePublic" and (.DestPublicIps | startswith("20.60.")))) | length > 0 and all(.[]; .AzureRegion == "westeurope")' na.json >/dev/null \
  && pass "service tag Storage.WestEurope gives region westeurope" || fail "service tag region"
jq -e -s 'map(select(.FlowType == "ExternalPublic")) | length > 0 and (map(select(.Country != "")) | length) * 100 / length > 95' na.json >/dev/null \
  && pass "ExternalPublic rows have a country (>95%)" || fail "countries"
jq -e -s 'all(.[]; (.FlowType == "ExternalPublic" or .FlowType == "MaliciousFlow" or .FlowType == "AzurePublic") == ((.SrcIp == "") or (.DestIp == "")))' na.json >/dev/null \
  && pass "public peers folded" || fail "folding"
jq -e -s 'map(select(.DestVm != "" or .SrcVm != "")) | length > 0 and all(.[]; (.SrcVm + .DestVm) | test("^rg-[a-z]+/vm-"))' na.json >/dev/null \
  && pass "VM columns rg/vm" || fail "VM columns"
jq -e -s 'all(.[]; .AclGroup | test("^[0-9a-f-]{36}/rg-[a-z]+/nsg-") or startswith("/") or (. | test("^[0-9a-f-]{36}$")))' na.json >/dev/null \
  && pass "AclGroup mapped to subscription/rg/nsg" || fail "AclGroup"
jq -e -s 'map(select(.AclGroup | test("^[0-9a-f-]{36}/rg-"))) | length > 0' na.json >/dev/null \
  && pass "NSG GUIDs resolved through the topology" || fail "NSG mapping"

# NTAIpDetails: location, WHOIS, threat columns.
jq -e -s 'map(select(.Ip == "168.63.129.16")) | length > 0 and all(.[]; .FlowType == "AzurePublic" and .Location == "Global" and .PublicIpDetails == "Microsoft Virtual Public IP")' ipd.json >/dev/null \
  && pass "168.63.129.16 is AzurePublic, Global" || fail "168.63.129.16"
first_bad=$(sed -n 2p enr/threats.csv | cut -d, -f1)
jq -e -s --arg ip "$first_bad" 'map(select(.Ip == $ip)) | length > 0 and all(.[]; .FlowType == "MaliciousFlow" and .ThreatType == "C2" and .Port == 443 and .DnsDomain == "bad0.example.net" and (.Location | length) == 2)' ipd.json >/dev/null \
  && pass "malicious address: threat type, port, domain, country" || fail "malicious details"
jq -e -s 'map(select(.FlowType == "ExternalPublic")) | (map(select(.PublicIpDetails | test("^AS[0-9]+ "))) | length) * 100 / length > 90' ipd.json >/dev/null \
  && pass "external addresses carry AS number and organisation (>90%)" || fail "ASN details"

# FlowTuples: per-tuple FlowType, countries and ASNs.
[ "$(jq -r .FlowType ft.json | sort -u | wc -l)" = 9 ] && pass "FlowTuples carries FlowType" || fail "FlowTuples FlowType"
jq -e -s 'map(select(.FlowType == "ExternalPublic" and .FlowDirection == "Inbound")) | length > 0 and (map(select(.SrcCountry != "" and .SrcAsn > 0)) | length) * 100 / length > 90' ft.json >/dev/null \
  && pass "FlowTuples SrcCountry/SrcAsn of inbound public peers" || fail "FlowTuples countries"
[ "$(jq -s 'length' ft.json)" = "$("$bin" parse logs | wc -l)" ] && pass "every tuple stored once" || fail "tuple count"

# The inputs were kept: a second run without flags enriches the same way (nothing new here).
"$bin" ingest --data d logs -q || fail "re-ingest"
ls d/enrichment/topology.json d/enrichment/threats >/dev/null 2>&1 && pass "inputs stored in the data directory" || fail "stored inputs"

# NTATopologyDetails: one snapshot per topology given, rows per resource plus a status row.
"$bin" export --data d NTATopologyDetails >topo.json
nics=$(jq '.nics | length' enr/topology.json)
jq -e -s --argjson nics "$nics" '(map(select(.AzureResourceType == "VirtualNetwork")) | length) == 3 and (map(select(.AzureResourceType == "NetworkInterface")) | length) == $nics and (map(select(.AzureResourceType == "VirtualSubnetwork" and .VirtualSubnetwork == "rg-network/vnet-hub-weu/snet-mgmt")) | length) == 1' topo.json >/dev/null \
  && pass "NTATopologyDetails: VNets, subnets, NICs ($nics)" || fail "topology rows"
jq -e -s 'map(select(.SubType == "StatusMessage" and .ComponentType == "Topology" and .Status == "Completed")) | length == 1' topo.json >/dev/null \
  && pass "NTATopologyDetails: a Completed status row per subscription" || fail "topology status row"
jq -e -s 'map(select(.AzureResourceType == "VirtualNetworkGatewayConnection")) | .[0] | .ConnectionType == "IPsec" and .LocalNetworkGateway == "rg-network/lgw-amsterdam-dc" and .VirtualNetworkGateway1 == "rg-network/vpngw-hub"' topo.json >/dev/null \
  && pass "NTATopologyDetails: the S2S connection" || fail "topology connection"
jq -e -s 'map(select(.AzureResourceType == "VirtualNetworkPeering")) | length == 4 and all(.[]; .VirtualNetwork2 != "")' topo.json >/dev/null \
  && pass "NTATopologyDetails: peerings both ways" || fail "topology peerings"
"$bin" status --data d | grep -q "NTATopologyDetails.*derived from the topology inputs" && pass "status lists NTATopologyDetails" || fail "status topology"

# Azure CLI exports as topology: the importer path.
"$bin" ingest --data az logs -q --topology "$here/../enrich/az/"*.json && pass "ingest with Azure CLI exports" || fail "az import ingest"
[ -s az/enrichment/topology.json ] && jq -e '.vnets | length > 0' az/enrichment/topology.json >/dev/null && pass "Azure CLI exports merged into the stored topology" || fail "az topology"

# `flowlens topology` merges exports into an editable file; `flowlens enrich` lists and updates.
"$bin" topology "$here/../enrich/az/"*.json -o merged.json 2>topology.err && jq -e '.vnets | length > 0' merged.json >/dev/null \
  && grep -q "VNets" topology.err && pass "topology merges Azure CLI exports" || fail "topology command"
"$bin" topology merged.json | cmp -s - merged.json && pass "a merged topology reads back unchanged" || fail "topology round trip"
"$bin" enrich --data d >enrich.out && grep -q "threat feed" enrich.out && grep -q "topology" enrich.out \
  && pass "enrich lists the stored inputs" || fail "enrich list"
"$bin" enrich --data d --threats "$here/../enrich/threats/blocklist.txt" >enrich.out && grep -q "blocklist.txt" enrich.out \
  && [ "$(ls d/enrichment/threats)" = "0-blocklist.txt" ] && pass "enrich replaces the threat feeds" || fail "enrich update"
"$bin" enrich --data d --threats "$here/../enrich/threats/unknown_type.csv" 2>enrich.err; rc=$?
[ "$rc" = 2 ] && grep -q "unknown_type.csv" enrich.err && [ "$(ls d/enrichment/threats)" = "0-blocklist.txt" ] \
  && pass "enrich refuses a bad feed (exit 2), keeps the stored one" || fail "enrich bad feed rc $rc"

# Malformed inputs: exit 2, the file and the place named, nothing stored.
expect_bad() {  # NAME GREP ARGS...
  local name=$1 pattern=$2; shift 2
  rm -rf bad
  "$bin" ingest --data bad logs -q "$@" 2>err.txt
  local rc=$?
  if [ "$rc" = 2 ] && grep -q "$pattern" err.txt && [ ! -e bad/segments/FlowTuples ]; then
    pass "$name: exit 2, '$(head -c 120 err.txt)'"
  else
    fail "$name (rc $rc): $(cat err.txt)"
  fi
}
expect_bad "bad threat feed" "bad_address.txt:" --threats "$here/../enrich/threats/bad_address.txt"
expect_bad "bad topology prefix" "bad_prefix.json" --topology "$here/../enrich/topology/bad_prefix.json"
expect_bad "bad service tags" "ServiceTags_invalid.json" --service-tags "$here/../enrich/service-tags/ServiceTags_invalid.json"
printf 'not a database' >fake.mmdb
expect_bad "not an MMDB" "fake.mmdb" --geoip fake.mmdb
expect_bad "missing file" "nothere.csv" --threats nothere.csv
# A bad input given to an existing directory leaves its stored inputs alone.
cp -r d d2
"$bin" ingest --data d2 logs -q --threats "$here/../enrich/threats/bad_address.txt" 2>/dev/null
diff -r d/enrichment/threats d2/enrichment/threats >/dev/null && pass "stored feed kept after a bad one" || fail "stored feed replaced"

echo "$failures failure(s)"
[ "$failures" = 0 ]
