// The customer's network as flowlens knows it (design §6): subscriptions, virtual networks and
// their subnets, NICs and VMs, NSGs, peerings, gateways with their connections and point-to-site
// client pools, and on-premises sites (local network gateways). It decides FlowType (IntraVNet,
// InterVNet, S2S, P2S, UnknownPrivate) and fills the Src/Dest Subscription, Region, Subnet, NIC,
// VM, AclGroup and Connection columns.
//
// A Topology comes from a flowlens topology file (topology_file.h, documented in
// docs/enrichment.md) or from Azure CLI output (azure_cli_import.h). Names follow Traffic
// Analytics: resource group and name are kept apart and joined as `rg/name` where TA does.
// All references between objects are by name within a resource group (as in ARM ids), resolved
// by TopologyIndex; a dangling reference is reported when the topology is loaded.
#pragma once

#include <string>
#include <vector>

#include "common/ip_address.h"
#include "enrich/cidr.h"

namespace flowlens::enrich {

struct TopoSubscription {
  std::string id;  // GUID, lower case
  std::string name;

  bool operator==(const TopoSubscription&) const = default;
};

struct TopoSubnet {
  std::string name;
  std::vector<Cidr> prefixes;
  std::string nsg;  // NSG name (same subscription), "" when none
  std::string nsg_resource_group;

  bool operator==(const TopoSubnet&) const = default;
};

struct TopoVnet {
  std::string subscription;  // GUID, lower case
  std::string resource_group;
  std::string name;
  std::string region;  // Azure region name, lower case without spaces: "westeurope"
  std::vector<Cidr> prefixes;
  std::vector<TopoSubnet> subnets;

  bool operator==(const TopoVnet&) const = default;
};

struct TopoNic {
  std::string subscription;
  std::string resource_group;
  std::string name;
  std::string mac;  // 12 upper-case hex digits, no separators (as in flow logs)
  std::vector<IpAddress> private_ips;
  std::vector<IpAddress> public_ips;  // the customer's own public addresses on this NIC
  std::string vm;                     // VM name ("" when not attached); same resource group
  std::string vm_resource_group;
  std::string vnet;  // VNet and subnet of its first IP configuration
  std::string vnet_resource_group;
  std::string subnet;
  std::string nsg;  // NIC-level NSG name, "" when none
  std::string nsg_resource_group;
  std::string region;

  bool operator==(const TopoNic&) const = default;
};

struct TopoNsg {
  std::string subscription;
  std::string resource_group;
  std::string name;
  std::string guid;  // resourceGuid: what VNet flow logs carry as aclID, lower case
  std::string region;

  bool operator==(const TopoNsg&) const = default;
};

struct TopoPeering {
  std::string subscription;  // of the local VNet
  std::string resource_group;
  std::string vnet;  // local VNet name
  std::string name;
  std::string remote_vnet_id;  // full ARM id of the remote VNet, lower case
  bool allow_forwarded_traffic = false;
  bool allow_gateway_transit = false;
  bool use_remote_gateways = false;

  bool operator==(const TopoPeering&) const = default;
};

struct TopoGateway {  // a virtual network gateway
  std::string subscription;
  std::string resource_group;
  std::string name;
  std::string type;  // "Vpn" or "ExpressRoute"
  std::string vnet;  // the VNet whose GatewaySubnet holds it
  std::string vnet_resource_group;
  std::string region;
  std::vector<Cidr> vpn_client_pools;  // point-to-site client address pools

  bool operator==(const TopoGateway&) const = default;
};

struct TopoSite {  // an on-premises network: a local network gateway, or ExpressRoute prefixes
  std::string subscription;
  std::string resource_group;
  std::string name;
  std::vector<Cidr> prefixes;
  std::string gateway_ip;  // the site's public VPN endpoint, "" for ExpressRoute

  bool operator==(const TopoSite&) const = default;
};

struct TopoConnection {  // a gateway connection
  std::string subscription;
  std::string resource_group;
  std::string name;
  std::string type;     // "IPsec", "Vnet2Vnet" or "ExpressRoute"
  std::string gateway;  // virtual network gateway name (same subscription)
  std::string gateway_resource_group;
  std::string site;  // local network gateway name ("" for ExpressRoute without one)
  std::string site_resource_group;

  bool operator==(const TopoConnection&) const = default;
};

struct Topology {
  std::vector<TopoSubscription> subscriptions;
  std::vector<TopoVnet> vnets;
  std::vector<TopoNic> nics;
  std::vector<TopoNsg> nsgs;
  std::vector<TopoPeering> peerings;
  std::vector<TopoGateway> gateways;
  std::vector<TopoSite> sites;
  std::vector<TopoConnection> connections;

  bool empty() const { return vnets.empty() && nics.empty(); }
  bool operator==(const Topology&) const = default;
  // Appends everything of `other` (used to combine several import files).
  void merge(Topology other);
};

}  // namespace flowlens::enrich
