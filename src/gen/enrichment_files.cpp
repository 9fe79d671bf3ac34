#include "gen/enrichment_files.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "enrich/topology_file.h"

namespace flowlens::gen {
namespace {

namespace fs = std::filesystem;

enrich::Cidr block(std::uint32_t network, int length) {
  return enrich::Cidr{IpAddress::from_v4(network), 96 + length};
}

enrich::Cidr block6(std::string_view text) {
  enrich::Cidr c;
  enrich::parse_cidr(text, c);
  return c;
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

std::string region_of_tag(std::string_view name) {
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return "";
  std::string r(name.substr(dot + 1));
  for (char& c : r)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return r;
}

}  // namespace

void write_enrichment_files(const World& w, const std::string& dir) {
  fs::create_directories(dir);
  enrich::Topology t;
  t.subscriptions.push_back({w.subscription, "contoso-production"});
  std::size_t hub = 0;
  for (std::size_t v = 0; v < w.vnets.size(); ++v) {
    const VNet& vnet = w.vnets[v];
    enrich::TopoVnet tv;
    tv.subscription = w.subscription;
    tv.resource_group = vnet.resource_group;
    tv.name = vnet.name;
    tv.region = vnet.region;
    tv.prefixes.push_back(block(vnet.prefix, 16));
    for (const Subnet& s : w.subnets) {
      if (s.vnet != v) continue;
      enrich::TopoSubnet ts;
      ts.name = s.name;
      ts.prefixes.push_back(block(s.prefix, 24));
      if (s.role == Role::kWeb) {
        int third = static_cast<int>((s.prefix >> 8) & 0xff);
        ts.prefixes.push_back(block6(fmt::format("ace:cab:deca:{:x}::/64", third)));
        if (tv.prefixes.size() == 1) tv.prefixes.push_back(block6("ace:cab:deca::/48"));
      }
      ts.nsg = w.nsgs[s.nsg].name;
      ts.nsg_resource_group = w.nsgs[s.nsg].resource_group;
      tv.subnets.push_back(ts);
    }
    if (vnet.name.find("hub") != std::string::npos) {
      hub = v;
      enrich::TopoSubnet gw;
      gw.name = "GatewaySubnet";
      gw.prefixes.push_back(block(vnet.prefix | 0xff00u, 27));
      tv.subnets.push_back(gw);
    }
    t.vnets.push_back(tv);
  }
  for (const Nsg& n : w.nsgs) {
    const VNet* region_vnet = &w.vnets[0];
    for (const Subnet& s : w.subnets) {
      if (&w.nsgs[s.nsg] == &n) region_vnet = &w.vnets[s.vnet];
    }
    t.nsgs.push_back({w.subscription, n.resource_group, n.name, n.guid, region_vnet->region});
  }
  for (const Nic& nic : w.nics) {
    const Subnet& s = w.subnets[nic.subnet];
    const VNet& v = w.vnets[s.vnet];
    enrich::TopoNic tn;
    tn.subscription = w.subscription;
    tn.resource_group = v.resource_group;
    tn.name = nic.vm + "-nic";
    tn.mac = nic.mac;
    tn.private_ips.push_back(nic.ip);
    if (nic.has_ipv6) tn.private_ips.push_back(nic.ipv6);
    tn.vm = nic.vm;
    tn.vm_resource_group = v.resource_group;
    tn.vnet = v.name;
    tn.vnet_resource_group = v.resource_group;
    tn.subnet = s.name;
    tn.region = v.region;
    t.nics.push_back(tn);
  }
  // Hub and spoke: the hub peers with each spoke and back.
  const VNet& hub_vnet = w.vnets[hub];
  auto vnet_id = [&](const VNet& v) {
    std::string id = fmt::format(
        "/subscriptions/{}/resourcegroups/{}/providers/microsoft.network/virtualnetworks/{}",
        w.subscription, v.resource_group, v.name);
    for (char& c : id)
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return id;
  };
  for (std::size_t v = 0; v < w.vnets.size(); ++v) {
    if (v == hub) continue;
    const VNet& spoke = w.vnets[v];
    t.peerings.push_back({w.subscription, hub_vnet.resource_group, hub_vnet.name,
                          fmt::format("peer-{}", spoke.name), vnet_id(spoke), true, true, false});
    t.peerings.push_back({w.subscription, spoke.resource_group, spoke.name,
                          fmt::format("peer-{}", hub_vnet.name), vnet_id(hub_vnet), true, false,
                          true});
  }
  enrich::TopoGateway gateway;
  gateway.subscription = w.subscription;
  gateway.resource_group = hub_vnet.resource_group;
  gateway.name = "vpngw-hub";
  gateway.type = "Vpn";
  gateway.vnet = hub_vnet.name;
  gateway.vnet_resource_group = hub_vnet.resource_group;
  gateway.region = hub_vnet.region;
  gateway.vpn_client_pools.push_back(block(w.p2s_pool, 24));
  t.gateways.push_back(gateway);
  enrich::TopoSite site;
  site.subscription = w.subscription;
  site.resource_group = hub_vnet.resource_group;
  site.name = "lgw-amsterdam-dc";
  site.prefixes.push_back(block(w.onprem_prefix, 24));
  site.gateway_ip = "198.51.100.20";
  t.sites.push_back(site);
  t.connections.push_back({w.subscription, hub_vnet.resource_group, "cn-amsterdam-dc", "IPsec",
                           gateway.name, gateway.resource_group, site.name, site.resource_group});
  write(fs::path(dir) / "topology.json", enrich::topology_to_json(t));

  // Service tags in Microsoft's file layout.
  std::string tags = "{\n  \"changeNumber\": 1,\n  \"cloud\": \"Public\",\n  \"values\": [";
  for (std::size_t i = 0; i < w.services.size(); ++i) {
    const AzureService& s = w.services[i];
    std::string base = s.name.substr(0, s.name.find('.'));
    std::string service = base.rfind("Azure", 0) == 0 ? base : "Azure" + base;
    tags += fmt::format(
        "{}\n    {{\"name\": \"{}\", \"id\": \"{}\", \"properties\": {{\"changeNumber\": 1, "
        "\"region\": \"{}\", \"regionId\": 0, \"platform\": \"Azure\", \"systemService\": "
        "\"{}\", \"addressPrefixes\": [\"{}\"], \"networkFeatures\": [\"API\", \"NSG\"]}}}}",
        i == 0 ? "" : ",", s.name, s.name, region_of_tag(s.name), service,
        enrich::format_cidr(block(s.prefix, s.prefix_len)));
  }
  tags += "\n  ]\n}\n";
  write(fs::path(dir) / "service-tags.json", tags);

  // The threat feed: the world's malicious hosts (the first is the compromised VM's C2).
  static constexpr const char* kTypes[][2] = {
      {"C2", "Command-and-control server of a botnet"},
      {"Botnet", "Member of a brute-force botnet"},
      {"Malware", "Serves malware droppers"},
      {"Phishing", "Hosts credential phishing pages"},
      {"CryptoMining", "Cryptomining pool proxy"},
      {"Proxy", "Open proxy used for abuse"},
      {"DDoS", "Takes part in DDoS campaigns"},
      {"MaliciousUrl", "Serves malicious URLs"},
  };
  std::string feed = "ip,type,description,domain,url,port\n";
  for (std::size_t i = 0; i < w.malicious_ips.size(); ++i) {
    const auto& [type, description] = kTypes[i % 8];
    std::string ip = format_ip(IpAddress::from_v4(w.malicious_ips[i]));
    feed += fmt::format("{},{},{},bad{}.example.net,https://bad{}.example.net/x,{}\n", ip, type,
                        description, i, i, i == 0 ? 443 : 0);
  }
  write(fs::path(dir) / "threats.csv", feed);
}

}  // namespace flowlens::gen
