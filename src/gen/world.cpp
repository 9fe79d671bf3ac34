#include "gen/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "gen/random.h"

namespace flowlens::gen {

const char* const kRuleNames[kRuleCount] = {
    "DefaultRule_AllowVnetInBound",      "DefaultRule_AllowAzureLoadBalancerInBound",
    "DefaultRule_DenyAllInBound",        "DefaultRule_AllowVnetOutBound",
    "DefaultRule_AllowInternetOutBound", "DefaultRule_DenyAllOutBound",
    "UserRule_AllowHttpsInbound",        "UserRule_AllowAppFromWeb",
    "UserRule_AllowSqlFromApp",          "UserRule_AllowSshFromJumpbox",
};

namespace {

std::uint32_t v4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// First octets of public address space, grouped loosely by the region they are mostly
// allocated to. Clients are drawn from /16 blocks under these, so a geo-IP database spreads
// them over many countries.
constexpr std::array<int, 96> kPublicFirstOctets = {
    // North America
    3, 4, 8, 12, 13, 15, 18, 23, 24, 34, 35, 44, 47, 50, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73,
    74, 75, 76, 96, 97, 98, 99,
    // Europe
    2, 5, 31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94,
    95, 109, 151, 176, 178, 185, 188, 217,
    // Asia-Pacific
    1, 14, 27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 110, 111, 112, 113, 114, 115, 116, 117, 118,
    119, 121, 122,
    // Latin America and Africa
    177, 179, 186, 187, 189, 190, 191, 200};

bool is_public_v4(std::uint32_t a) {
  int o1 = static_cast<int>(a >> 24), o2 = static_cast<int>((a >> 16) & 0xff);
  if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224) return false;
  if (o1 == 100 && o2 >= 64 && o2 < 128) return false;
  if (o1 == 169 && o2 == 254) return false;
  if (o1 == 172 && o2 >= 16 && o2 < 32) return false;
  if (o1 == 192 && o2 == 168) return false;
  if (o1 == 20 || o1 == 40 || o1 == 52 || o1 == 13) return false;  // kept for Azure services
  return true;
}

std::uint32_t random_public_ip(Rng& rng) {
  for (;;) {
    std::uint32_t a = v4(kPublicFirstOctets[rng.below(kPublicFirstOctets.size())],
                         static_cast<int>(rng.below(256)), static_cast<int>(rng.below(256)),
                         1 + static_cast<int>(rng.below(254)));
    if (is_public_v4(a)) return a;
  }
}

std::string make_mac(Rng& rng) {
  // Azure NIC MACs mostly carry Microsoft's OUIs 00-22-48 and 00-0D-3A.
  const char* oui = rng.chance(0.7) ? "002248" : "000D3A";
  return fmt::format("{}{:06X}", oui, rng.below(1u << 24));
}

}  // namespace

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string make_guid(std::uint64_t seed, std::uint64_t id) {
  std::uint64_t s = mix_seed(seed, 0x6e1d, id);
  std::uint64_t a = splitmix64(s), b = splitmix64(s);
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

std::vector<std::size_t> World::nics_with_role(Role role) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < nics.size(); ++i) {
    if (nics[i].role == role) out.push_back(i);
  }
  return out;
}

World build_world(std::uint64_t seed, Scale scale) {
  World w;
  Rng rng(mix_seed(seed, 0x30c1d));
  std::uint64_t guid_id = 0;
  w.subscription = make_guid(seed, guid_id++);
  w.avnm_guid = make_guid(seed, guid_id++);
  w.avnm_rule = std::string(kAvnmRulePrefix) + make_guid(seed, guid_id++);

  struct SubnetPlan {
    const char* name;
    Role role;
    int count;
  };
  // NIC counts per role by scale.
  // Sized so that a day is about 25 MB (small), 1 GB (medium) and over 5 GB (large).
  int k = scale == Scale::kSmall ? 1 : scale == Scale::kMedium ? 4 : 24;
  w.rate = scale == Scale::kSmall ? 0.5 : scale == Scale::kMedium ? 12.0 : 14.0;

  struct VNetPlan {
    const char* name;
    const char* region;
    const char* rg;
    int second_octet;
    std::vector<SubnetPlan> subnets;
  };
  std::vector<VNetPlan> plans = {
      {"vnet-hub-weu",
       "westeurope",
       "rg-network",
       0,
       {{"snet-dns", Role::kDns, 1 + k / 4}, {"snet-mgmt", Role::kJump, 1}}},
      {"vnet-app-weu",
       "westeurope",
       "rg-app",
       1,
       {{"snet-web", Role::kWeb, 2 * k + 1},
        {"snet-app", Role::kApp, 2 * k},
        {"snet-db", Role::kDb, k}}},
      {"vnet-data-eus", "eastus", "rg-data", 2, {{"snet-analytics", Role::kAnalytics, k + 1}}},
  };

  for (const VNetPlan& vp : plans) {
    VNet vnet{vp.name,
              vp.region,
              vp.rg,
              v4(10, vp.second_octet, 0, 0),
              fmt::format("{}-{}-flowlog", vp.name, vp.rg),
              make_guid(seed, guid_id++)};
    std::size_t vnet_index = w.vnets.size();
    w.vnets.push_back(vnet);
    int third = 1;
    for (const SubnetPlan& sp : vp.subnets) {
      std::string nsg_name = fmt::format("nsg-{}", std::string(sp.name).substr(5));
      w.nsgs.push_back(Nsg{nsg_name, make_guid(seed, guid_id++), vp.rg});
      std::size_t subnet_index = w.subnets.size();
      w.subnets.push_back(Subnet{sp.name, vnet_index, w.nsgs.size() - 1,
                                 v4(10, vp.second_octet, third++, 0), sp.role});
      for (int i = 0; i < sp.count; ++i) {
        Nic nic{};
        nic.mac = make_mac(rng);
        nic.vm = fmt::format("vm-{}-{:02d}", std::string(sp.name).substr(5), i + 1);
        nic.subnet = subnet_index;
        nic.role = sp.role;
        nic.ip =
            IpAddress::from_v4(w.subnets[subnet_index].prefix + 4 + static_cast<std::uint32_t>(i));
        // The web tier is dual-stack; Azure's documentation uses ace:cab:deca::/48 for VNets.
        nic.has_ipv6 = sp.role == Role::kWeb;
        if (nic.has_ipv6) {
          parse_ip(fmt::format("ace:cab:deca:{:x}::{:x}", third - 1, 4 + i), nic.ipv6);
        }
        nic.compromised = false;
        w.nics.push_back(nic);
      }
    }
  }
  // One application VM has been compromised and beacons out.
  auto apps = w.nics_with_role(Role::kApp);
  if (!apps.empty()) w.nics[apps[apps.size() / 2]].compromised = true;

  for (int i = 0; i < 600; ++i) {
    std::uint32_t ip = random_public_ip(rng);
    w.client_prefixes.push_back(ip & 0xffff0000u);
  }
  for (int i = 0; i < 900; ++i)
    w.scanner_ips.push_back(random_public_ip(rng));
  for (int i = 0; i < 8; ++i)
    w.malicious_ips.push_back(random_public_ip(rng));
  for (int i = 0; i < 40; ++i)
    w.external_hosts.push_back(random_public_ip(rng));
  w.onprem_prefix = v4(192, 168, 50, 0);
  w.p2s_pool = v4(172, 16, 201, 0);
  w.unmapped_private = v4(10, 250, 7, 20);
  w.shared_address = v4(100, 64, 10, 5);
  w.services = {
      {"Storage.WestEurope", v4(20, 60, 0, 0), 16},       {"Storage.EastUS", v4(52, 239, 0, 0), 16},
      {"AzureKeyVault.WestEurope", v4(20, 61, 0, 0), 18}, {"AzureMonitor", v4(20, 50, 0, 0), 16},
      {"AzureActiveDirectory", v4(20, 190, 128, 0), 18},  {"Sql.WestEurope", v4(40, 68, 0, 0), 16},
      {"AzureCloud.EastUS", v4(13, 68, 0, 0), 16},
  };
  return w;
}

}  // namespace flowlens::gen
