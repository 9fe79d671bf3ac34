#include "enrich/enricher.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "enrich/json_input.h"
#include "enrich/topology_file.h"

namespace flowlens::enrich {
namespace {

using json_input::to_lower;

std::string arm_id(std::string_view subscription, std::string_view resource_group,
                   std::string_view type, std::string_view name) {
  return to_lower(
      fmt::format("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/{}/{}",
                  subscription, resource_group, type, name));
}

}  // namespace

std::string arm_vnet_id(const TopoVnet& vnet) {
  return arm_id(vnet.subscription, vnet.resource_group, "virtualNetworks", vnet.name);
}

std::shared_ptr<const Enricher> Enricher::load(const EnrichmentSources& sources,
                                               const Topology* topology) {
  auto e = std::make_shared<Enricher>();
  if (topology != nullptr || !sources.topology.empty()) {
    e->topology_ = topology != nullptr ? *topology : load_topology_file(sources.topology);
    e->index_topology();
    std::size_t subnets = 0;
    for (const TopoVnet& v : e->topology_.vnets)
      subnets += v.subnets.size();
    e->loaded_.push_back(fmt::format(
        "topology {}: {} VNets, {} subnets, {} NICs, {} NSGs, {} on-premises sites, {} gateways",
        topology != nullptr ? "(as given)" : sources.topology, e->topology_.vnets.size(), subnets,
        e->topology_.nics.size(), e->topology_.nsgs.size(), e->topology_.sites.size(),
        e->topology_.gateways.size()));
  }
  if (!sources.geoip.empty()) {
    e->country_ = std::make_unique<CountryDb>(sources.geoip);
    e->loaded_.push_back(fmt::format("geo-IP {}", sources.geoip));
  }
  for (const std::string& path : sources.asn) {
    e->asn_.add(path);
    e->loaded_.push_back(fmt::format("ASN {}", path));
  }
  if (!sources.service_tags.empty()) {
    e->service_tags_ = ServiceTags::load(sources.service_tags);
    e->loaded_.push_back(fmt::format("service tags {}: {} tags, {} prefixes", sources.service_tags,
                                     e->service_tags_.tags(), e->service_tags_.prefixes()));
  }
  for (const std::string& path : sources.threat_feeds) {
    ThreatFeedStats stats = e->threats_.add_feed(path);
    e->loaded_.push_back(fmt::format(
        "threat feed {}: {} indicators{}", path, stats.indicators,
        stats.skipped > 0 ? fmt::format(" ({} non-IP skipped)", stats.skipped) : std::string()));
  }
  return e;
}

void Enricher::index_topology() {
  for (TopoVnet& vnet : topology_.vnets) {
    vnet_by_id_[arm_vnet_id(vnet)] = &vnet;
  }
  auto find_vnet = [&](std::string_view resource_group, std::string_view name) -> const TopoVnet* {
    for (const TopoVnet& v : topology_.vnets) {
      if (to_lower(v.name) == to_lower(name) &&
          (resource_group.empty() || to_lower(v.resource_group) == to_lower(resource_group))) {
        return &v;
      }
    }
    return nullptr;
  };
  // Subnets before their VNets: a subnet that spans its whole VNet keeps the subnet.
  for (const TopoVnet& vnet : topology_.vnets) {
    for (const TopoSubnet& subnet : vnet.subnets) {
      for (const Cidr& p : subnet.prefixes)
        prefixes_.insert(p, Endpoint{&vnet, &subnet});
    }
  }
  for (const TopoVnet& vnet : topology_.vnets) {
    for (const Cidr& p : vnet.prefixes)
      prefixes_.insert(p, Endpoint{&vnet});
  }
  for (const TopoSite& site : topology_.sites) {
    Endpoint e;
    e.site = &site;
    for (const TopoConnection& c : topology_.connections) {
      if (to_lower(c.site) == to_lower(site.name)) e.connection = &c;
    }
    for (const Cidr& p : site.prefixes)
      prefixes_.insert(p, e);
  }
  for (const TopoGateway& gateway : topology_.gateways) {
    Endpoint e;
    e.p2s_gateway = &gateway;
    e.vnet = find_vnet(gateway.vnet_resource_group, gateway.vnet);
    for (const Cidr& p : gateway.vpn_client_pools)
      prefixes_.insert(p, e);
  }
  for (const TopoNic& nic : topology_.nics) {
    for (const IpAddress& ip : nic.private_ips)
      nic_by_ip_.emplace(ip, &nic);
  }
  for (const TopoNsg& nsg : topology_.nsgs) {
    if (!nsg.guid.empty()) nsg_by_key_[to_lower(nsg.guid)] = &nsg;
    nsg_by_key_[arm_id(nsg.subscription, nsg.resource_group, "networkSecurityGroups", nsg.name)] =
        &nsg;
  }
}

PublicInfo Enricher::public_info(const IpAddress& ip, bool details) const {
  PublicInfo info;
  if (ip == kAzurePlatformIp) {
    info.kind = PublicInfo::Kind::kAzure;
    info.azure_region = "Global";
    info.details = "Microsoft Virtual Public IP";
    return info;
  }
  if (const ServiceTag* tag = service_tags_.lookup(ip)) {
    info.kind = PublicInfo::Kind::kAzure;
    info.azure_region = tag->region.empty() ? "Global" : tag->region;
    info.details = tag->service.empty() ? tag->name : tag->service;
    return info;
  }
  info.country = country(ip);
  if (const std::vector<ThreatInfo>* threats = threats_.lookup(ip)) {
    info.kind = PublicInfo::Kind::kMalicious;
    info.threats = threats;
  }
  if (!details) {
    info.asn = asn_.lookup_number(ip);
    return info;
  }
  AsnInfo a = asn(ip);
  info.asn = a.number;
  if (a.number != 0) {
    info.details = a.organisation.empty() ? fmt::format("AS{}", a.number)
                                          : fmt::format("AS{} {}", a.number, a.organisation);
  }
  return info;
}

std::string Enricher::country(const IpAddress& ip) const {
  return country_ ? country_->country(ip) : std::string();
}

AsnInfo Enricher::asn(const IpAddress& ip) const {
  return asn_.lookup(ip);
}

Endpoint Enricher::endpoint(const IpAddress& ip) const {
  if (topology_.empty()) return {};
  auto nic = nic_by_ip_.find(ip);
  const Endpoint* by_prefix = prefixes_.longest_match(ip);
  Endpoint e = by_prefix != nullptr ? *by_prefix : Endpoint{};
  if (nic != nic_by_ip_.end()) e.nic = nic->second;
  return e;
}

const TopoNsg* Enricher::nsg_for_acl(std::string_view acl_id) const {
  if (nsg_by_key_.empty()) return nullptr;
  auto it = nsg_by_key_.find(to_lower(acl_id));
  return it == nsg_by_key_.end() ? nullptr : it->second;
}

const TopoVnet* Enricher::vnet_by_id(std::string_view id) const {
  auto it = vnet_by_id_.find(std::string(id));
  return it == vnet_by_id_.end() ? nullptr : it->second;
}

std::vector<std::string> Enricher::summary() const {
  return loaded_;
}

}  // namespace flowlens::enrich
