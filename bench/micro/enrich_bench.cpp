// Lookups per second of the enrichment inputs, on the real geo-IP and ASN databases that
// scripts/install-geoip.sh installs (the benchmark is skipped when they are absent) and a
// generated service-tags file and threat feed. Each benchmark checks a known answer before it
// times: 8.8.8.8 is in the US and AS15169.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "enrich/enricher.h"
#include "gen/enrichment_files.h"

namespace {

using flowlens::IpAddress;
namespace fs = std::filesystem;

std::shared_ptr<const flowlens::enrich::Enricher> load(bool geo_only) {
  fs::path geo =
      fs::path(FLOWLENS_SOURCE_DIR) / "third_party/ip-location-db/node_modules/@ip-location-db";
  fs::path mmdb = geo / "geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb";
  if (!fs::exists(mmdb)) return nullptr;
  flowlens::enrich::EnrichmentSources s;
  s.geoip = mmdb.string();
  s.asn = {(geo / "asn/asn-ipv4.csv").string(), (geo / "asn/asn-ipv6.csv").string()};
  if (!geo_only) {
    fs::path dir = fs::temp_directory_path() / "flowlens-enrich-bench";
    flowlens::gen::write_enrichment_files(
        flowlens::gen::build_world(1, flowlens::gen::Scale::kMedium), dir.string());
    s.topology = (dir / "topology.json").string();
    s.service_tags = (dir / "service-tags.json").string();
    s.threat_feeds = {(dir / "threats.csv").string()};
  }
  return flowlens::enrich::Enricher::load(s);
}

std::vector<IpAddress> random_addresses(std::size_t n) {
  std::mt19937_64 rng(7);
  std::vector<IpAddress> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(IpAddress::from_v4(static_cast<std::uint32_t>(rng())));
  }
  return out;
}

void public_lookup(benchmark::State& state, bool details) {
  auto e = load(false);
  if (!e) {
    state.SkipWithError("geo-IP databases not installed (scripts/install-geoip.sh)");
    return;
  }
  IpAddress google = IpAddress::from_v4(0x08080808);
  auto check = e->public_info(google, true);
  if (check.country != "US" || check.asn != 15169) {
    state.SkipWithError("8.8.8.8 did not resolve to US / AS15169");
    return;
  }
  auto ips = random_addresses(1 << 16);
  std::size_t i = 0;
  for (auto _ : state) {
    auto info = e->public_info(ips[i++ & 0xffff], details);
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_PublicInfo(benchmark::State& s) {
  public_lookup(s, false);
}
void BM_PublicInfoWithDetails(benchmark::State& s) {
  public_lookup(s, true);
}
BENCHMARK(BM_PublicInfo);
BENCHMARK(BM_PublicInfoWithDetails);

void BM_TopologyEndpoint(benchmark::State& state) {
  auto e = load(false);
  if (!e) {
    state.SkipWithError("geo-IP databases not installed");
    return;
  }
  IpAddress nic = IpAddress::from_v4(0x0A010104);  // 10.1.1.4: vm-web-01
  if (e->endpoint(nic).nic == nullptr) {
    state.SkipWithError("10.1.1.4 is not a NIC of the generated topology");
    return;
  }
  std::vector<IpAddress> ips;
  for (std::uint32_t i = 0; i < 4096; ++i)
    ips.push_back(IpAddress::from_v4(0x0A000000 | (i * 2654435761u & 0x03ffff)));
  std::size_t i = 0;
  for (auto _ : state) {
    auto ep = e->endpoint(ips[i++ & 4095]);
    benchmark::DoNotOptimize(ep);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TopologyEndpoint);

}  // namespace
