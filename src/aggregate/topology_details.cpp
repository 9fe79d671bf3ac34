#include "aggregate/topology_details.h"

#include <map>
#include <set>
#include <string>

#include "store/table_schema.h"

namespace flowlens::aggregate {
namespace {

std::string join_name(std::string_view a, std::string_view b) {
  std::string out(a);
  out += '/';
  out += b;
  return out;
}

template <typename T, typename F>
std::string space_list(const std::vector<T>& items, F&& text) {
  std::string out;
  for (const T& item : items) {
    if (!out.empty()) out += ' ';
    out += text(item);
  }
  return out;
}

std::string prefixes(const std::vector<enrich::Cidr>& list) {
  return space_list(list, [](const enrich::Cidr& c) { return enrich::format_cidr(c); });
}

std::string addresses(const std::vector<IpAddress>& list) {
  return space_list(list, [](const IpAddress& ip) { return format_ip(ip); });
}

// One row: the named cells, the rest empty (null for booleans).
class Row {
 public:
  Row(store::RowBatchBuilder& out, Ticks processed) : out_(out), processed_(processed) {}
  Row& set(std::string_view column, std::string value) {
    cells_[std::string(column)] = std::move(value);
    return *this;
  }
  Row& flag(std::string_view column, bool value) {
    flags_[std::string(column)] = value;
    return *this;
  }
  void emit() {
    const store::TableDef& t = store::topology_details_table();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      std::string name(t.columns[c].name);
      if (name == "TimeGenerated" || name == "TimeProcessed") {
        out_.put_int(c, processed_);
      } else if (t.columns[c].type == store::ColumnType::kBool) {
        auto it = flags_.find(name);
        if (it == flags_.end()) {
          out_.put_null(c);
        } else {
          out_.put_int(c, it->second ? 1 : 0);
        }
      } else {
        auto it = cells_.find(name);
        out_.put_string(c, it == cells_.end() ? std::string_view() : std::string_view(it->second));
      }
    }
    out_.end_row();
  }

 private:
  store::RowBatchBuilder& out_;
  Ticks processed_;
  std::map<std::string, std::string> cells_;
  std::map<std::string, bool> flags_;
};

}  // namespace

void append_topology_details(const enrich::Topology& t, Ticks processed,
                             store::RowBatchBuilder& out) {
  auto row = [&](std::string_view type, std::string_view subscription, std::string_view region) {
    Row r(out, processed);
    r.set("SubType", "Topology")
        .set("ComponentType", "Topology")
        .set("AzureResourceType", std::string(type))
        .set("Subscription", std::string(subscription))
        .set("Region", std::string(region))
        .set("DiscoveryRegion", std::string(region));
    return r;
  };
  std::map<std::string, std::string> subscription_names;
  for (const enrich::TopoSubscription& s : t.subscriptions)
    subscription_names[s.id] = s.name;
  std::set<std::string> subscriptions;
  auto name_of = [&](std::string_view subscription) {
    subscriptions.insert(std::string(subscription));
    auto it = subscription_names.find(std::string(subscription));
    return it == subscription_names.end() ? std::string() : it->second;
  };

  for (const enrich::TopoVnet& v : t.vnets) {
    row("VirtualNetwork", v.subscription, v.region)
        .set("SubscriptionName", name_of(v.subscription))
        .set("Name", join_name(v.resource_group, v.name))
        .set("AddressPrefixes", prefixes(v.prefixes))
        .emit();
    for (const enrich::TopoSubnet& s : v.subnets) {
      std::string subnet = join_name(join_name(v.resource_group, v.name), s.name);
      row("VirtualSubnetwork", v.subscription, v.region)
          .set("SubscriptionName", name_of(v.subscription))
          .set("Name", subnet)
          .set("VirtualSubnetwork", subnet)
          .set("Subnetwork", subnet)
          .set("AddressPrefixes", prefixes(s.prefixes))
          .set("Nsg", s.nsg.empty() ? std::string()
                                    : join_name(s.nsg_resource_group.empty() ? v.resource_group
                                                                             : s.nsg_resource_group,
                                                s.nsg))
          .emit();
    }
  }
  for (const enrich::TopoNic& n : t.nics) {
    std::string vm =
        n.vm.empty()
            ? std::string()
            : join_name(n.vm_resource_group.empty() ? n.resource_group : n.vm_resource_group, n.vm);
    std::string subnet =
        n.subnet.empty()
            ? std::string()
            : join_name(join_name(n.vnet_resource_group.empty() ? n.resource_group
                                                                : n.vnet_resource_group,
                                  n.vnet),
                        n.subnet);
    row("NetworkInterface", n.subscription, n.region)
        .set("SubscriptionName", name_of(n.subscription))
        .set("Name", join_name(n.resource_group, n.name))
        .set("MacAddress", n.mac)
        .set("PrivateIpAddresses", addresses(n.private_ips))
        .set("PublicIpAddresses", addresses(n.public_ips))
        .set("VirtualMachine", vm)
        .set("Subnetwork", subnet)
        .set("Nsg", n.nsg.empty() ? std::string()
                                  : join_name(n.nsg_resource_group.empty() ? n.resource_group
                                                                           : n.nsg_resource_group,
                                              n.nsg))
        .emit();
    if (!vm.empty()) {
      row("VirtualMachine", n.subscription, n.region)
          .set("SubscriptionName", name_of(n.subscription))
          .set("Name", vm)
          .set("VirtualMachine", vm)
          .set("PrivateIpAddresses", addresses(n.private_ips))
          .set("PublicIpAddresses", addresses(n.public_ips))
          .set("Subnetwork", subnet)
          .emit();
    }
  }
  for (const enrich::TopoNsg& n : t.nsgs) {
    row("NetworkSecurityGroup", n.subscription, n.region)
        .set("SubscriptionName", name_of(n.subscription))
        .set("Name", join_name(n.resource_group, n.name))
        .set("ResourceGuid", n.guid)
        .emit();
  }
  for (const enrich::TopoPeering& p : t.peerings) {
    std::string remote = p.remote_vnet_id;
    std::size_t last = remote.rfind('/');
    std::size_t rg_at = remote.find("/resourcegroups/");
    std::string remote_name;
    if (last != std::string::npos && rg_at != std::string::npos) {
      std::size_t rg_start = rg_at + 16;
      remote_name = join_name(remote.substr(rg_start, remote.find('/', rg_start) - rg_start),
                              remote.substr(last + 1));
    }
    row("VirtualNetworkPeering", p.subscription, "")
        .set("SubscriptionName", name_of(p.subscription))
        .set("Name", join_name(p.resource_group, p.name))
        .set("VirtualNetwork1", join_name(p.resource_group, p.vnet))
        .set("VirtualNetwork2", remote_name)
        .flag("AllowForwardedTraffic", p.allow_forwarded_traffic)
        .flag("AllowGatewayTransit", p.allow_gateway_transit)
        .emit();
  }
  for (const enrich::TopoGateway& g : t.gateways) {
    row("VirtualNetworkGateway", g.subscription, g.region)
        .set("SubscriptionName", name_of(g.subscription))
        .set("Name", join_name(g.resource_group, g.name))
        .set("GatewayType", g.type)
        .set("VirtualNetwork1",
             g.vnet.empty() ? std::string()
                            : join_name(g.vnet_resource_group.empty() ? g.resource_group
                                                                      : g.vnet_resource_group,
                                        g.vnet))
        .set("VpnClientAddressPrefixes", prefixes(g.vpn_client_pools))
        .emit();
  }
  for (const enrich::TopoSite& s : t.sites) {
    row("LocalNetworkGateway", s.subscription, "")
        .set("SubscriptionName", name_of(s.subscription))
        .set("Name", join_name(s.resource_group, s.name))
        .set("AddressPrefixes", prefixes(s.prefixes))
        .set("IpAddress", s.gateway_ip)
        .emit();
  }
  for (const enrich::TopoConnection& c : t.connections) {
    row("VirtualNetworkGatewayConnection", c.subscription, "")
        .set("SubscriptionName", name_of(c.subscription))
        .set("Name", join_name(c.resource_group, c.name))
        .set("ConnectionType", c.type)
        .set("VirtualNetworkGateway1",
             join_name(
                 c.gateway_resource_group.empty() ? c.resource_group : c.gateway_resource_group,
                 c.gateway))
        .set("LocalNetworkGateway",
             c.site.empty() ? std::string()
                            : join_name(c.site_resource_group.empty() ? c.resource_group
                                                                      : c.site_resource_group,
                                        c.site))
        .emit();
  }
  // The snapshot is complete for each subscription it describes.
  for (const std::string& s : subscriptions) {
    Row r(out, processed);
    r.set("SubType", "StatusMessage")
        .set("ComponentType", "Topology")
        .set("Status", "Completed")
        .set("Subscription", s)
        .set("SubscriptionName", subscription_names.count(s) ? subscription_names[s] : "")
        .emit();
  }
}

}  // namespace flowlens::aggregate
