// Everything flowlens knows about an address, from the enrichment inputs a user provides
// (design §6; all optional, all offline): the topology, Azure service tags, threat feeds, a
// geo-IP country database and ASN data.
//
// An Enricher is built once per ingest (or per reader) and is immutable afterwards: its lookups
// are const and safe from every parse worker at once. Lookups are not cached here; the rollup
// caches per address (see aggregate/classifier.h).
//
// The inputs of a data directory are copied into DIR/enrichment/ when given to `ingest`
// (enrichment_store.h), so that later ingests and every reader use the same data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "enrich/geo_db.h"
#include "enrich/prefix_map.h"
#include "enrich/service_tags.h"
#include "enrich/threat_feed.h"
#include "enrich/topology.h"

namespace flowlens::enrich {

// Where the inputs are. Empty paths: that input is absent.
struct EnrichmentSources {
  std::string topology;                   // flowlens topology file
  std::string geoip;                      // country MMDB
  std::vector<std::string> asn;           // ASN MMDB or CSV files
  std::string service_tags;               // ServiceTags_Public_*.json
  std::vector<std::string> threat_feeds;  // plain, CSV or STIX files
  bool empty() const {
    return topology.empty() && geoip.empty() && asn.empty() && service_tags.empty() &&
           threat_feeds.empty();
  }
};

// The Azure platform's virtual public IP (DNS, load-balancer probes, the wire server):
// always AzurePublic, location Global.
inline const IpAddress kAzurePlatformIp = IpAddress::from_v4(0xA83F8110);  // 168.63.129.16

// What a public address is (design §6, reference §2.1-2.2).
struct PublicInfo {
  enum class Kind : std::uint8_t { kExternal, kAzure, kMalicious };
  Kind kind = Kind::kExternal;
  std::string country;       // ISO alpha-2 ("" unknown): ExternalPublic and MaliciousFlow
  std::string azure_region;  // AzurePublic: the service tag's region, "Global" when global
  std::string details;       // PublicIpDetails: the Azure service, or "AS<n> <organisation>"
  std::uint32_t asn = 0;
  const std::vector<ThreatInfo>* threats = nullptr;  // MaliciousFlow
};

// Where an address sits in the topology.
struct Endpoint {
  const TopoVnet* vnet = nullptr;
  const TopoSubnet* subnet = nullptr;
  const TopoNic* nic = nullptr;
  const TopoSite* site = nullptr;              // an on-premises prefix (S2S)
  const TopoConnection* connection = nullptr;  // the connection that reaches that site
  const TopoGateway* p2s_gateway = nullptr;    // a point-to-site client pool's gateway (P2S)
  bool found() const { return vnet != nullptr || site != nullptr || p2s_gateway != nullptr; }
};

class Enricher {
 public:
  // Loads every input; throws EnrichError naming the input that is wrong.
  // `topology`, when given, is used instead of sources.topology (already read and merged).
  static std::shared_ptr<const Enricher> load(const EnrichmentSources& sources,
                                              const Topology* topology = nullptr);
  // An enricher that knows nothing (inference from the flow logs only).
  Enricher() = default;
  // Indexes point into the topology: never copied.
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  bool has_topology() const { return !topology_.empty(); }
  bool has_country() const { return country_ != nullptr; }
  bool has_asn() const { return !asn_.empty(); }

  // A public address: service tag first (Microsoft-owned), then threat feeds, then external.
  // 168.63.129.16 (the Azure platform's virtual public IP) is always AzurePublic, Global.
  // `details` false skips PublicIpDetails and the ASN organisation (the rollup's hot path).
  PublicInfo public_info(const IpAddress& ip, bool details = true) const;
  std::string country(const IpAddress& ip) const;
  AsnInfo asn(const IpAddress& ip) const;

  // A private or customer address in the topology (NIC addresses first, then subnets, VNets,
  // on-premises sites and VPN client pools, longest prefix first).
  Endpoint endpoint(const IpAddress& ip) const;
  // The NSG whose resourceGuid is `acl_id` (VNet logs) or whose ARM id it is (NSG logs).
  const TopoNsg* nsg_for_acl(std::string_view acl_id) const;
  // The VNet whose lower-cased ARM id is `id` (as network_of_target() returns), or nullptr.
  const TopoVnet* vnet_by_id(std::string_view id) const;

  const Topology& topology() const { return topology_; }
  // One line per input: what was loaded ("topology: 3 VNets, 9 subnets, 29 NICs", ...).
  std::vector<std::string> summary() const;

 private:
  void index_topology();

  Topology topology_;
  std::unique_ptr<CountryDb> country_;
  AsnDb asn_;
  ServiceTags service_tags_;
  ThreatIntel threats_;
  std::vector<std::string> loaded_;
  // Topology indexes (pointers into topology_, which never changes after load).
  std::unordered_map<IpAddress, const TopoNic*, IpAddressHash> nic_by_ip_;
  PrefixMap<Endpoint> prefixes_;                                // subnets, VNets, sites, pools
  std::unordered_map<std::string, const TopoNsg*> nsg_by_key_;  // guid or lower-cased ARM id
  std::unordered_map<std::string, const TopoVnet*> vnet_by_id_;
};

// "westeurope"-style region name of a VNet/NSG/NIC, and ARM ids built from topology objects.
std::string arm_vnet_id(const TopoVnet& vnet);

}  // namespace flowlens::enrich
