#include "enrich/azure_cli_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "enrich/topology_file.h"

namespace flowlens::enrich {
namespace {

const std::string kDir = std::string(FLOWLENS_ENRICH_DATA) + "/az/";
const std::string kHub = "3f1c2a9e-7b4d-4c21-9a55-0e8d6b2f4a10";
const std::string kSpoke = "b7e4d2c1-5a63-4f8e-8d21-6c9f0a3e7b52";

std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  for (const char* f : {"vnets.json", "nics.json", "nsgs.json", "vnet-gateways.json",
                        "local-gateways.json", "connections.json", "vms.json"}) {
    out.push_back(kDir + f);
  }
  return out;
}

Cidr cidr(std::string_view text) {
  Cidr c;
  EXPECT_TRUE(parse_cidr(text, c)) << text;
  return c;
}
IpAddress ip(std::string_view text) {
  IpAddress a{};
  EXPECT_TRUE(parse_ip(text, a)) << text;
  return a;
}

template <typename T>
const T& named(const std::vector<T>& items, const std::string& name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.name == name; });
  if (it == items.end()) throw std::runtime_error("no " + name);
  return *it;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const EnrichError& e) {
    return e.what();
  }
  return "";
}

class AzureCliImport : public ::testing::Test {
 protected:
  void SetUp() override { t = import_azure_cli(fixtures(), &skipped); }
  Topology t;
  std::size_t skipped = 0;
};

TEST_F(AzureCliImport, CountsAndSubscriptions) {
  EXPECT_EQ(t.vnets.size(), 2u);
  EXPECT_EQ(t.nics.size(), 4u);  // spare-nic has no MAC address yet
  EXPECT_EQ(t.nsgs.size(), 3u);
  EXPECT_EQ(t.peerings.size(), 2u);
  EXPECT_EQ(t.gateways.size(), 2u);
  EXPECT_EQ(t.sites.size(), 2u);
  EXPECT_EQ(t.connections.size(), 2u);
  EXPECT_EQ(skipped, 1u);
  ASSERT_EQ(t.subscriptions.size(), 2u);
  EXPECT_EQ(t.subscriptions[0], (TopoSubscription{kHub, ""}));  // upper case in vnets.json
  EXPECT_EQ(t.subscriptions[1], (TopoSubscription{kSpoke, ""}));
}

TEST_F(AzureCliImport, VnetsAndSubnets) {
  const TopoVnet& hub = named(t.vnets, "hub-vnet");
  EXPECT_EQ(hub.subscription, kHub);
  EXPECT_EQ(hub.resource_group, "Net-Hub");
  EXPECT_EQ(hub.region, "westeurope");
  EXPECT_EQ(hub.prefixes, std::vector<Cidr>{cidr("10.10.0.0/16")});
  ASSERT_EQ(hub.subnets.size(), 2u);
  EXPECT_EQ(hub.subnets[0].name, "GatewaySubnet");
  EXPECT_EQ(hub.subnets[0].prefixes, std::vector<Cidr>{cidr("10.10.255.0/27")});
  EXPECT_EQ(hub.subnets[0].nsg, "");
  EXPECT_EQ(hub.subnets[1].name, "snet-shared");
  EXPECT_EQ(hub.subnets[1].nsg, "nsg-shared");
  EXPECT_EQ(hub.subnets[1].nsg_resource_group, "Net-Hub");

  const TopoVnet& spoke = named(t.vnets, "spoke-vnet");
  EXPECT_EQ(spoke.subscription, kSpoke);
  EXPECT_EQ(spoke.resource_group, "rg-spoke");
  EXPECT_EQ(spoke.region, "northeurope");
  EXPECT_EQ(spoke.prefixes, (std::vector<Cidr>{cidr("10.20.0.0/16"), cidr("fd00:20::/48")}));
  ASSERT_EQ(spoke.subnets.size(), 2u);
  EXPECT_EQ(spoke.subnets[0].name, "snet-web");
  EXPECT_EQ(spoke.subnets[0].prefixes,
            (std::vector<Cidr>{cidr("10.20.1.0/24"), cidr("fd00:20:0:1::/64")}));
  EXPECT_EQ(spoke.subnets[0].nsg, "nsg-web");
  EXPECT_EQ(spoke.subnets[0].nsg_resource_group, "rg-spoke");
  EXPECT_EQ(spoke.subnets[1].name, "snet-db");
  EXPECT_EQ(spoke.subnets[1].prefixes, std::vector<Cidr>{cidr("10.20.2.0/24")});
  EXPECT_EQ(spoke.subnets[1].nsg, "");
}

TEST_F(AzureCliImport, PeeringsBothWays) {
  const TopoPeering& out = named(t.peerings, "hub-to-spoke");
  EXPECT_EQ(out.subscription, kHub);
  EXPECT_EQ(out.resource_group, "Net-Hub");
  EXPECT_EQ(out.vnet, "hub-vnet");
  EXPECT_EQ(out.remote_vnet_id,
            "/subscriptions/b7e4d2c1-5a63-4f8e-8d21-6c9f0a3e7b52/resourcegroups/rg-spoke/"
            "providers/microsoft.network/virtualnetworks/spoke-vnet");
  EXPECT_TRUE(out.allow_forwarded_traffic);
  EXPECT_TRUE(out.allow_gateway_transit);
  EXPECT_FALSE(out.use_remote_gateways);
  const TopoPeering& back = named(t.peerings, "spoke-to-hub");
  EXPECT_EQ(back.subscription, kSpoke);
  EXPECT_EQ(back.vnet, "spoke-vnet");
  EXPECT_EQ(back.remote_vnet_id,
            "/subscriptions/3f1c2a9e-7b4d-4c21-9a55-0e8d6b2f4a10/resourcegroups/net-hub/"
            "providers/microsoft.network/virtualnetworks/hub-vnet");
  EXPECT_TRUE(back.allow_forwarded_traffic);
  EXPECT_FALSE(back.allow_gateway_transit);
  EXPECT_TRUE(back.use_remote_gateways);
}

TEST_F(AzureCliImport, NicsWithVmsAddressesAndNsgs) {
  const TopoNic& dns = named(t.nics, "hub-dns-nic");
  EXPECT_EQ(dns.subscription, kHub);
  EXPECT_EQ(dns.resource_group, "Net-Hub");
  EXPECT_EQ(dns.mac, "000D3A1B2C3D");
  EXPECT_EQ(dns.private_ips, std::vector<IpAddress>{ip("10.10.1.4")});
  EXPECT_TRUE(dns.public_ips.empty());
  EXPECT_EQ(dns.vm, "hub-dns");  // from the NIC's own virtualMachine
  EXPECT_EQ(dns.vm_resource_group, "NET-HUB");
  EXPECT_EQ(dns.vnet, "hub-vnet");
  EXPECT_EQ(dns.vnet_resource_group, "Net-Hub");
  EXPECT_EQ(dns.subnet, "snet-shared");
  EXPECT_EQ(dns.nsg, "");
  EXPECT_EQ(dns.region, "westeurope");

  const TopoNic& web1 = named(t.nics, "web-1-nic");
  EXPECT_EQ(web1.subscription, kSpoke);
  EXPECT_EQ(web1.mac, "000D3A4E5F60");
  EXPECT_EQ(web1.private_ips, (std::vector<IpAddress>{ip("10.20.1.4"), ip("fd00:20:0:1::4")}));
  EXPECT_EQ(web1.public_ips, std::vector<IpAddress>{ip("20.67.120.14")});
  EXPECT_EQ(web1.vm, "web-1");  // from vms.json, which names the NIC's group in upper case
  EXPECT_EQ(web1.vm_resource_group, "rg-spoke");
  EXPECT_EQ(web1.vnet, "spoke-vnet");
  EXPECT_EQ(web1.subnet, "snet-web");
  EXPECT_EQ(web1.nsg, "web-1-nsg");
  EXPECT_EQ(web1.nsg_resource_group, "rg-spoke");
  EXPECT_EQ(web1.region, "northeurope");

  const TopoNic& web2 = named(t.nics, "web-2-nic");
  EXPECT_TRUE(web2.public_ips.empty());  // only the public IP's id was listed
  EXPECT_EQ(web2.vm, "web-2");
  EXPECT_EQ(web2.vm_resource_group, "rg-spoke");

  const TopoNic& db = named(t.nics, "db-1-nic");
  EXPECT_EQ(db.mac, "000D3A778899");
  EXPECT_EQ(db.vm, "db-1");
  EXPECT_EQ(db.subnet, "snet-db");
}

TEST_F(AzureCliImport, NsgGuids) {
  EXPECT_EQ(named(t.nsgs, "nsg-shared").guid, "5e2d8c41-93ab-4f7e-b6c0-1d2e3f405162");
  EXPECT_EQ(named(t.nsgs, "nsg-shared").resource_group, "Net-Hub");
  EXPECT_EQ(named(t.nsgs, "nsg-web").guid, "9b1f6a07-3c2d-4e58-a9f1-7c6d5e4b3a21");
  EXPECT_EQ(named(t.nsgs, "web-1-nsg").region, "northeurope");
}

TEST_F(AzureCliImport, GatewaysSitesAndConnections) {
  const TopoGateway& vpn = named(t.gateways, "hub-vpngw");
  EXPECT_EQ(vpn.type, "Vpn");
  EXPECT_EQ(vpn.subscription, kHub);
  EXPECT_EQ(vpn.resource_group, "Net-Hub");
  EXPECT_EQ(vpn.vnet, "hub-vnet");
  EXPECT_EQ(vpn.vnet_resource_group, "Net-Hub");
  EXPECT_EQ(vpn.region, "westeurope");
  EXPECT_EQ(vpn.vpn_client_pools, std::vector<Cidr>{cidr("172.16.201.0/24")});
  const TopoGateway& er = named(t.gateways, "hub-ergw");
  EXPECT_EQ(er.type, "ExpressRoute");
  EXPECT_EQ(er.vnet, "hub-vnet");
  EXPECT_TRUE(er.vpn_client_pools.empty());

  const TopoSite& ams = named(t.sites, "onprem-amsterdam");
  EXPECT_EQ(ams.prefixes, (std::vector<Cidr>{cidr("192.168.0.0/16"), cidr("172.20.0.0/22")}));
  EXPECT_EQ(ams.gateway_ip, "203.0.113.10");
  EXPECT_EQ(ams.resource_group, "Net-Hub");
  const TopoSite& dub = named(t.sites, "onprem-dublin");
  EXPECT_EQ(dub.prefixes, std::vector<Cidr>{cidr("10.200.0.0/16")});
  EXPECT_EQ(dub.gateway_ip, "");  // addressed by fqdn

  const TopoConnection& s2s = named(t.connections, "hub-to-amsterdam");
  EXPECT_EQ(s2s.type, "IPsec");
  EXPECT_EQ(s2s.gateway, "hub-vpngw");
  EXPECT_EQ(s2s.gateway_resource_group, "Net-Hub");
  EXPECT_EQ(s2s.site, "onprem-amsterdam");
  EXPECT_EQ(s2s.site_resource_group, "Net-Hub");
  const TopoConnection& er_conn = named(t.connections, "hub-er-connection");
  EXPECT_EQ(er_conn.type, "ExpressRoute");
  EXPECT_EQ(er_conn.gateway, "hub-ergw");
  EXPECT_EQ(er_conn.site, "");
}

TEST_F(AzureCliImport, FileOrderIsIrrelevant) {
  std::vector<std::string> reversed = fixtures();
  std::reverse(reversed.begin(), reversed.end());
  std::size_t skipped_reversed = 0;
  EXPECT_EQ(import_azure_cli(reversed, &skipped_reversed), t);
  EXPECT_EQ(skipped_reversed, skipped);
}

TEST_F(AzureCliImport, ResultIsAValidTopologyFile) {
  std::string json = topology_to_json(t);
  EXPECT_EQ(parse_topology_json(json, "imported.json"), t);
}

TEST(AzureCliImportJson, SkipsUnknownTypesAndAcceptsASingleObject) {
  std::size_t skipped = 99;
  Topology t = import_azure_cli_json(R"([
    {"type": "Microsoft.Network/publicIPAddresses", "name": "pip"},
    {"type": "Microsoft.Storage/storageAccounts", "name": "sa"},
    {"name": "no type at all"},
    {"type": "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS", "name": "n",
     "id": "/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/networkSecurityGroups/n",
     "resourceGuid": "ABC", "location": "East US 2"}
  ])",
                                     "mixed.json", &skipped);
  EXPECT_EQ(skipped, 3u);
  ASSERT_EQ(t.nsgs.size(), 1u);
  EXPECT_EQ(t.nsgs[0], (TopoNsg{"s", "G", "n", "abc", "eastus2"}));

  t = import_azure_cli_json(R"({"type": "Microsoft.Network/localNetworkGateways", "name": "l",
    "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/localNetworkGateways/l",
    "localNetworkAddressSpace": {"addressPrefixes": ["10.9.0.0/16"]}})",
                            "one.json", &skipped);
  EXPECT_EQ(skipped, 0u);
  ASSERT_EQ(t.sites.size(), 1u);
  EXPECT_EQ(t.sites[0].prefixes, std::vector<Cidr>{cidr("10.9.0.0/16")});
}

TEST(AzureCliImportJson, VnetGatewayListConnectionsShape) {
  // `az network vnet-gateway list-connections` prints the same connection resources.
  Topology t = import_azure_cli_json(R"([{
    "connectionType": "Vnet2Vnet", "name": "a-to-b", "type": "Microsoft.Network/connections",
    "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/connections/a-to-b",
    "virtualNetworkGateway1": {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworkGateways/gw-a"},
    "virtualNetworkGateway2": {"id": "/subscriptions/s/resourceGroups/g2/providers/Microsoft.Network/virtualNetworkGateways/gw-b"}
  }])",
                                     "conns.json");
  ASSERT_EQ(t.connections.size(), 1u);
  EXPECT_EQ(t.connections[0],
            (TopoConnection{"s", "g", "a-to-b", "Vnet2Vnet", "gw-a", "g", "", ""}));
}

TEST(AzureCliImportErrors, MalformedObjectsNameFileIndexAndKey) {
  const std::string nic_prefix = R"([{"type": "Microsoft.Network/publicIPAddresses"}, {
    "type": "Microsoft.Network/networkInterfaces", "name": "web-1-nic",
    "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkInterfaces/web-1-nic",)";
  struct Case {
    std::string json;
    const char* expected;
  };
  for (const Case& c : {
           Case{nic_prefix + R"("macAddress": "zz", "ipConfigurations": []}])",
                "nics.json: [1] (Microsoft.Network/networkInterfaces \"web-1-nic\"): "
                "\"macAddress\" \"zz\" is not a MAC address"},
           Case{nic_prefix +
                    R"("macAddress": "00-0D-3A-00-00-01",
                       "ipConfigurations": [{"privateIPAddress": "10.0.0.400"}]}])",
                "nics.json: [1] (Microsoft.Network/networkInterfaces \"web-1-nic\"): "
                "\"ipConfigurations[0].privateIPAddress\" \"10.0.0.400\" is not an IP address"},
           Case{nic_prefix + R"("macAddress": "00-0D-3A-00-00-01", "ipConfigurations": [{}]}])",
                "nics.json: [1] (Microsoft.Network/networkInterfaces \"web-1-nic\"): missing "
                "\"ipConfigurations[].privateIPAddress\""},
           Case{nic_prefix + R"("macAddress": 7}])",
                "nics.json: [1] (Microsoft.Network/networkInterfaces \"web-1-nic\"): "
                "\"macAddress\" must be a string, found a number"},
           Case{R"([{"type": "Microsoft.Network/networkSecurityGroups", "name": "n"}])",
                "nics.json: [0] (Microsoft.Network/networkSecurityGroups \"n\"): missing \"id\""},
           Case{R"([{"type": "Microsoft.Network/networkSecurityGroups", "name": "n",
                     "id": "/subscriptions/s/providers/x"}])",
                "nics.json: [0] (Microsoft.Network/networkSecurityGroups \"n\"): \"id\" "
                "\"/subscriptions/s/providers/x\" is not an Azure resource id"},
           Case{R"([{"type": "Microsoft.Network/virtualNetworks", "name": "v",
                     "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
                     "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                     "subnets": [{"name": "a", "addressPrefix": "10.0.0.0/24"},
                                 {"name": "b", "addressPrefix": "10.0.1.0/33"}]}])",
                "nics.json: [0] (Microsoft.Network/virtualNetworks \"v\"): "
                "\"subnets[1].addressPrefix\" \"10.0.1.0/33\" is not an address prefix"},
           Case{R"([{"type": "Microsoft.Network/virtualNetworks", "name": "v",
                     "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
                     "addressSpace": {"addressPrefixes": "10.0.0.0/16"}}])",
                "nics.json: [0] (Microsoft.Network/virtualNetworks \"v\"): "
                "\"addressSpace.addressPrefixes\" must be an array, found a string"},
           Case{
               R"([{"type": "Microsoft.Network/connections", "name": "c", "connectionType": "IPsec",
                     "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/connections/c"}])",
               "nics.json: [0] (Microsoft.Network/connections \"c\"): missing "
               "\"virtualNetworkGateway1.id\""},
           Case{R"([1])", "nics.json: [0]: expected an Azure resource object, found a number"},
           Case{R"("text")", "nics.json: expected an array of Azure resources, found a string"},
       }) {
    std::string message = error_of([&] { import_azure_cli_json(c.json, "nics.json"); });
    EXPECT_EQ(message, c.expected) << c.json;
  }
}

TEST(AzureCliImportErrors, InvalidJsonAndMissingFile) {
  std::string message = error_of([] { import_azure_cli_json("[{\"type\": }]", "bad.json"); });
  EXPECT_NE(message.find("bad.json: invalid JSON at byte 10: "), std::string::npos) << message;
  message = error_of([] { import_azure_cli({kDir + "vnets.json", kDir + "missing.json"}); });
  EXPECT_NE(message.find("missing.json: cannot open"), std::string::npos) << message;
}

}  // namespace
}  // namespace flowlens::enrich
