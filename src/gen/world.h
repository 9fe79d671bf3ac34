// The synthetic estate that `flowlens gen` logs: one subscription with a hub VNet, an
// application spoke and a data spoke in another region (peered), subnets with their NSGs and
// rules, an Azure Virtual Network Manager admin rule, VMs with NICs, and the outside world
// (internet clients, scanners, a few known-malicious hosts, Azure service endpoints).
// Everything is derived from the seed and the scale, so the same arguments give the same world.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ip_address.h"

namespace flowlens::gen {

enum class Scale { kSmall, kMedium, kLarge };
enum class Role : std::uint8_t { kWeb, kApp, kDb, kAnalytics, kDns, kJump };

struct Nsg {
  std::string name;
  std::string guid;  // resourceGuid: the aclID VNet flow logs carry
  std::string resource_group;
};

struct VNet {
  std::string name;
  std::string region;
  std::string resource_group;
  std::uint32_t prefix;  // /16
  std::string flow_log_name;
  std::string flow_log_guid;
};

struct Subnet {
  std::string name;
  std::size_t vnet;
  std::size_t nsg;
  std::uint32_t prefix;  // /24
  Role role;
};

struct Nic {
  std::string mac;  // 12 upper-case hex digits
  std::string vm;
  std::size_t subnet;
  Role role;
  IpAddress ip;
  bool has_ipv6;
  IpAddress ipv6;
  bool compromised;  // beacons to a malicious host
};

// Which ACL and rule decided a flow. VNet logs show the NSG's GUID or the AVNM admin
// configuration's GUID as aclID; NSG logs show only NSG rules (AVNM denials appear there as
// the NSG's DefaultRule_DenyAllInBound).
struct Verdict {
  bool avnm;          // decided by the AVNM admin rule
  std::uint8_t rule;  // index into kRuleNames (NSG rules)
};

enum RuleId : std::uint8_t {
  kAllowVnetInBound,
  kAllowAzureLoadBalancerInBound,
  kDenyAllInBound,
  kAllowVnetOutBound,
  kAllowInternetOutBound,
  kDenyAllOutBound,
  kAllowHttpsInbound,
  kAllowAppFromWeb,
  kAllowSqlFromApp,
  kAllowSshFromJump,
  kRuleCount
};
extern const char* const kRuleNames[kRuleCount];
inline constexpr const char* kAvnmRulePrefix = "BlockHighRiskTCPPortsFromInternet_";

struct AzureService {
  std::string name;  // e.g. Storage.WestEurope
  std::uint32_t prefix;
  int prefix_len;
};

struct World {
  std::string subscription;  // lower-case GUID
  std::string avnm_guid;     // aclID of the AVNM security admin configuration
  std::string avnm_rule;     // BlockHighRiskTCPPortsFromInternet_<guid>
  std::vector<VNet> vnets;
  std::vector<Nsg> nsgs;
  std::vector<Subnet> subnets;
  std::vector<Nic> nics;
  std::vector<std::uint32_t> client_prefixes;  // /16 blocks internet clients come from
  std::vector<std::uint32_t> scanner_ips;
  std::vector<std::uint32_t> malicious_ips;
  std::vector<AzureService> services;
  std::vector<std::uint32_t> external_hosts;  // software updates, CDNs
  // Hybrid connectivity of the hub: an on-premises site reached over a site-to-site VPN, the
  // point-to-site VPN client pool, and private/special peers no topology knows.
  std::uint32_t onprem_prefix;     // /24
  std::uint32_t p2s_pool;          // /24
  std::uint32_t unmapped_private;  // a private address outside every VNet and site
  std::uint32_t shared_address;    // RFC 6598 (100.64/10): neither private nor public
  double rate;                     // traffic multiplier for the scale

  std::vector<std::size_t> nics_with_role(Role role) const;
};

World build_world(std::uint64_t seed, Scale scale);

std::string make_guid(std::uint64_t seed, std::uint64_t id);
std::string upper(std::string s);

}  // namespace flowlens::gen
