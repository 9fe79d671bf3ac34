#include "enrich/topology_file.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace flowlens::enrich {
namespace {

const std::string kDir = std::string(FLOWLENS_ENRICH_DATA) + "/topology/";
const std::string kSub = "3f1c2a9e-7b4d-4c21-9a55-0e8d6b2f4a10";

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

// The message of the EnrichError `f` throws ("" when it throws none).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const EnrichError& e) {
    return e.what();
  }
  return "";
}

std::string nic_json(std::string_view mac) {
  std::string out =
      R"({"nics": [{"resourceGroup": "rg", "name": "n", "privateIps": ["10.0.0.4"], )";
  out += R"("mac": ")";
  out += mac;
  out += R"("}]})";
  return out;
}

TEST(TopologyFileParse, ReadsEveryFieldOfTheExample) {
  Topology t = load_topology_file(kDir + "example.json");

  ASSERT_EQ(t.subscriptions.size(), 1u);
  EXPECT_EQ(t.subscriptions[0].id, kSub);  // lower-cased
  EXPECT_EQ(t.subscriptions[0].name, "Contoso Connectivity");

  ASSERT_EQ(t.vnets.size(), 2u);
  const TopoVnet& hub = t.vnets[0];
  EXPECT_EQ(hub.subscription, kSub);
  EXPECT_EQ(hub.resource_group, "Net-Hub");
  EXPECT_EQ(hub.name, "hub-vnet");
  EXPECT_EQ(hub.region, "westeurope");  // from "West Europe"
  EXPECT_EQ(hub.prefixes, (std::vector<Cidr>{cidr("10.10.0.0/16"), cidr("fd00:10::/48")}));
  ASSERT_EQ(hub.subnets.size(), 2u);
  EXPECT_EQ(hub.subnets[0].name, "GatewaySubnet");
  EXPECT_EQ(hub.subnets[0].prefixes, std::vector<Cidr>{cidr("10.10.255.0/27")});
  EXPECT_EQ(hub.subnets[0].nsg, "");
  EXPECT_EQ(hub.subnets[0].nsg_resource_group, "");
  EXPECT_EQ(hub.subnets[1].name, "snet-shared");
  EXPECT_EQ(hub.subnets[1].prefixes,
            (std::vector<Cidr>{cidr("10.10.1.0/24"), cidr("fd00:10:0:1::/64")}));
  EXPECT_EQ(hub.subnets[1].nsg, "nsg-shared");
  EXPECT_EQ(hub.subnets[1].nsg_resource_group, "Net-Hub");
  const TopoVnet& spoke = t.vnets[1];
  EXPECT_EQ(spoke.resource_group, "Net-Spoke");
  EXPECT_EQ(spoke.region, "northeurope");
  ASSERT_EQ(spoke.subnets.size(), 1u);
  EXPECT_EQ(spoke.subnets[0].nsg, "");  // null is absent

  ASSERT_EQ(t.nics.size(), 2u);
  const TopoNic& dns = t.nics[0];
  EXPECT_EQ(dns.subscription, kSub);
  EXPECT_EQ(dns.resource_group, "Net-Hub");
  EXPECT_EQ(dns.name, "dns-1-nic");
  EXPECT_EQ(dns.mac, "000D3A1B2C3D");
  EXPECT_EQ(dns.private_ips, (std::vector<IpAddress>{ip("10.10.1.4"), ip("fd00:10:0:1::4")}));
  EXPECT_EQ(dns.public_ips, std::vector<IpAddress>{ip("20.67.120.14")});
  EXPECT_EQ(dns.vm, "dns-1");
  EXPECT_EQ(dns.vm_resource_group, "NET-HUB");
  EXPECT_EQ(dns.vnet, "hub-vnet");
  EXPECT_EQ(dns.vnet_resource_group, "Net-Hub");
  EXPECT_EQ(dns.subnet, "snet-shared");
  EXPECT_EQ(dns.nsg, "dns-1-nsg");
  EXPECT_EQ(dns.nsg_resource_group, "Net-Hub");
  EXPECT_EQ(dns.region, "westeurope");
  const TopoNic& app = t.nics[1];  // only the required keys
  EXPECT_EQ(app.mac, "000D3A4E5F60");
  EXPECT_EQ(app.subscription, "");
  EXPECT_TRUE(app.public_ips.empty());
  EXPECT_EQ(app.vm, "");

  ASSERT_EQ(t.nsgs.size(), 1u);
  EXPECT_EQ(t.nsgs[0].subscription, kSub);
  EXPECT_EQ(t.nsgs[0].resource_group, "Net-Hub");
  EXPECT_EQ(t.nsgs[0].name, "nsg-shared");
  EXPECT_EQ(t.nsgs[0].guid, "5e2d8c41-93ab-4f7e-b6c0-1d2e3f405162");
  EXPECT_EQ(t.nsgs[0].region, "westeurope");

  ASSERT_EQ(t.peerings.size(), 1u);
  const TopoPeering& p = t.peerings[0];
  EXPECT_EQ(p.subscription, kSub);
  EXPECT_EQ(p.resource_group, "Net-Hub");
  EXPECT_EQ(p.vnet, "hub-vnet");
  EXPECT_EQ(p.name, "hub-to-spoke");
  EXPECT_EQ(p.remote_vnet_id,
            "/subscriptions/3f1c2a9e-7b4d-4c21-9a55-0e8d6b2f4a10/resourcegroups/net-spoke/"
            "providers/microsoft.network/virtualnetworks/spoke-vnet");
  EXPECT_TRUE(p.allow_forwarded_traffic);
  EXPECT_TRUE(p.allow_gateway_transit);
  EXPECT_FALSE(p.use_remote_gateways);

  ASSERT_EQ(t.gateways.size(), 1u);
  const TopoGateway& g = t.gateways[0];
  EXPECT_EQ(g.subscription, kSub);
  EXPECT_EQ(g.resource_group, "Net-Hub");
  EXPECT_EQ(g.name, "hub-vpngw");
  EXPECT_EQ(g.type, "Vpn");
  EXPECT_EQ(g.vnet, "hub-vnet");
  EXPECT_EQ(g.vnet_resource_group, "Net-Hub");
  EXPECT_EQ(g.region, "westeurope");
  EXPECT_EQ(g.vpn_client_pools, std::vector<Cidr>{cidr("172.16.201.0/24")});

  ASSERT_EQ(t.sites.size(), 1u);
  const TopoSite& s = t.sites[0];
  EXPECT_EQ(s.subscription, kSub);
  EXPECT_EQ(s.resource_group, "Net-Hub");
  EXPECT_EQ(s.name, "onprem-amsterdam");
  EXPECT_EQ(s.prefixes, (std::vector<Cidr>{cidr("192.168.0.0/16"), cidr("172.20.0.0/22")}));
  EXPECT_EQ(s.gateway_ip, "203.0.113.10");

  ASSERT_EQ(t.connections.size(), 1u);
  const TopoConnection& c = t.connections[0];
  EXPECT_EQ(c.subscription, kSub);
  EXPECT_EQ(c.resource_group, "Net-Hub");
  EXPECT_EQ(c.name, "hub-to-amsterdam");
  EXPECT_EQ(c.type, "IPsec");
  EXPECT_EQ(c.gateway, "hub-vpngw");
  EXPECT_EQ(c.gateway_resource_group, "Net-Hub");
  EXPECT_EQ(c.site, "onprem-amsterdam");
  EXPECT_EQ(c.site_resource_group, "Net-Hub");
}

TEST(TopologyFileParse, MissingArraysAreEmpty) {
  Topology t = parse_topology_json("{}", "empty.json");
  EXPECT_EQ(t, Topology{});
  EXPECT_TRUE(t.empty());
}

TEST(TopologyFileRoundTrip, ExampleSurvivesWriteAndRead) {
  Topology t = load_topology_file(kDir + "example.json");
  std::string json = topology_to_json(t);
  Topology back = parse_topology_json(json, "written.json");
  EXPECT_EQ(back, t);
  EXPECT_EQ(topology_to_json(back), json);  // stable output
  EXPECT_EQ(json.back(), '\n');
  EXPECT_NE(json.find("\n  \"vnets\": [\n    {\n      \"subscription\": "), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("prefixes": ["10.10.0.0/16", "fd00:10::/48"])"), std::string::npos);
  EXPECT_NE(json.find(R"("mac": "000D3A1B2C3D")"), std::string::npos);
}

TEST(TopologyFileRoundTrip, EscapesStrings) {
  Topology t;
  TopoSubscription s;
  s.id = "sub";
  s.name = std::string("quote\" back\\slash\ttab\nnl \x01 ctl \xc3\xa9");
  t.subscriptions.push_back(s);
  TopoVnet v;
  v.subscription = "sub";
  v.resource_group = "rg \"x\"";
  v.name = "v";
  v.prefixes = {cidr("10.0.0.0/8")};
  t.vnets.push_back(v);
  std::string json = topology_to_json(t);
  EXPECT_NE(json.find(R"(quote\" back\\slash\ttab\nnl \u0001 ctl)"), std::string::npos) << json;
  EXPECT_EQ(parse_topology_json(json, "t.json"), t);
}

TEST(TopologyFileRoundTrip, EmptyTopology) {
  std::string json = topology_to_json(Topology{});
  EXPECT_EQ(
      json,
      "{\n  \"subscriptions\": [],\n  \"vnets\": [],\n  \"nics\": [],\n  \"nsgs\": [],\n"
      "  \"peerings\": [],\n  \"gateways\": [],\n  \"sites\": [],\n  \"connections\": []\n}\n");
  EXPECT_EQ(parse_topology_json(json, "t.json"), Topology{});
}

TEST(TopologyFileNormalise, MacAddressVariants) {
  for (const char* mac : {"00-0D-3A-1B-2C-3D", "00:0d:3a:1b:2c:3d", "000D3A1B2C3D", "000d3a1b2c3d",
                          "000d.3a1b.2c3d"}) {
    Topology t = parse_topology_json(nic_json(mac), "mac.json");
    ASSERT_EQ(t.nics.size(), 1u) << mac;
    EXPECT_EQ(t.nics[0].mac, "000D3A1B2C3D") << mac;
  }
  for (const char* bad :
       {"", "00-0D-3A-1B-2C", "00-0D-3A-1B-2C-3D-4E", "000D3A1B2C3G", "zz", "-000D3A1B2C3D",
        "00--0D3A1B2C3D", "000D3A1B2C3D-", "00 0D 3A 1B 2C 3D"}) {
    std::string message = error_of([&] { parse_topology_json(nic_json(bad), "mac.json"); });
    EXPECT_NE(message.find("mac.json: nics[0].mac: "), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("is not a MAC address"), std::string::npos) << message;
  }
}

TEST(TopologyFileNormalise, RegionsGuidsAndSubscriptions) {
  Topology t = parse_topology_json(R"({
    "subscriptions": [{"id": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"}],
    "vnets": [{"subscription": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", "resourceGroup": "RG",
               "name": "v", "region": "North Central US", "prefixes": []}],
    "nsgs": [{"name": "n", "guid": "ABCDEF01-2345-6789-ABCD-EF0123456789", "region": "UK South"}],
    "gateways": [{"name": "g", "type": "expressroute", "region": "westeurope"}],
    "connections": [{"name": "c", "type": "ipsec"}]
  })",
                                   "norm.json");
  EXPECT_EQ(t.subscriptions[0].id, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  EXPECT_EQ(t.subscriptions[0].name, "");
  EXPECT_EQ(t.vnets[0].subscription, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  EXPECT_EQ(t.vnets[0].resource_group, "RG");  // resource groups keep their case
  EXPECT_EQ(t.vnets[0].region, "northcentralus");
  EXPECT_EQ(t.nsgs[0].guid, "abcdef01-2345-6789-abcd-ef0123456789");
  EXPECT_EQ(t.nsgs[0].region, "uksouth");
  EXPECT_EQ(t.gateways[0].type, "ExpressRoute");
  EXPECT_EQ(t.connections[0].type, "IPsec");
}

TEST(TopologyFileErrors, BadPrefixNamesFileAndPath) {
  std::string message = error_of([] { load_topology_file(kDir + "bad_prefix.json"); });
  EXPECT_NE(message.find("bad_prefix.json: vnets[2].prefixes[0]: \"10.0.0.0/33\" is not an "
                         "address prefix"),
            std::string::npos)
      << message;
}

TEST(TopologyFileErrors, BadMacNamesFileAndPath) {
  std::string message = error_of([] { load_topology_file(kDir + "bad_mac.json"); });
  EXPECT_NE(message.find("bad_mac.json: nics[1].mac: \"00-0D-3A-00-00-0G\" is not a MAC address"),
            std::string::npos)
      << message;
}

TEST(TopologyFileErrors, MissingKeyNamesFileAndKey) {
  std::string message = error_of([] { load_topology_file(kDir + "missing_key.json"); });
  EXPECT_NE(message.find("missing_key.json: nics[0]: missing \"mac\""), std::string::npos)
      << message;
}

TEST(TopologyFileErrors, InvalidJsonNamesFileAndOffset) {
  // Byte 61 is the "}" after the trailing comma on line 3.
  std::string message = error_of([] { load_topology_file(kDir + "invalid.json"); });
  EXPECT_NE(message.find("invalid.json: invalid JSON at byte 61: "), std::string::npos) << message;
}

TEST(TopologyFileErrors, MissingFile) {
  std::string message = error_of([] { load_topology_file(kDir + "no-such-file.json"); });
  EXPECT_NE(message.find("no-such-file.json: cannot open"), std::string::npos) << message;
}

TEST(TopologyFileErrors, RequiredKeysTypesAndValues) {
  struct Case {
    const char* json;
    const char* expected;
  };
  for (Case c : {
           Case{R"([])", "t.json: the top level must be an object, found an array"},
           Case{R"({"vnets": {}})", "t.json: vnets: expected an array, found an object"},
           Case{R"({"vnets": [1]})", "t.json: vnets[0]: expected an object, found a number"},
           Case{R"({"vnets": [{"resourceGroup": "r", "name": "v", "prefixes": []}]})",
                "t.json: vnets[0]: missing \"subscription\""},
           Case{R"({"vnets": [{"subscription": "s", "resourceGroup": "r", "name": "v"}]})",
                "t.json: vnets[0]: missing \"prefixes\""},
           Case{R"({"vnets": [{"subscription": "s", "resourceGroup": "r", "name": 5,
                               "prefixes": []}]})",
                "t.json: vnets[0].name: expected a string, found a number"},
           Case{R"({"vnets": [{"subscription": "s", "resourceGroup": "r", "name": "v",
                               "prefixes": [], "subnets": [{"name": "s"}]}]})",
                "t.json: vnets[0].subnets[0]: missing \"prefixes\""},
           Case{R"({"nics": [{"resourceGroup": "r", "name": "n", "mac": "000D3A000001",
                              "privateIps": []}]})",
                "t.json: nics[0].privateIps: must list at least one address"},
           Case{R"({"nics": [{"resourceGroup": "r", "name": "n", "mac": "000D3A000001",
                              "privateIps": ["10.0.0.256"]}]})",
                "t.json: nics[0].privateIps[0]: \"10.0.0.256\" is not an IP address"},
           Case{R"({"nsgs": [{"name": "n"}]})", "t.json: nsgs[0]: missing \"guid\""},
           Case{R"({"peerings": [{"allowForwardedTraffic": "yes"}]})",
                "t.json: peerings[0].allowForwardedTraffic: expected true or false, found a "
                "string"},
           Case{R"({"gateways": [{"type": "LocalGateway"}]})",
                "t.json: gateways[0].type: \"LocalGateway\" is not one of \"Vpn\", "
                "\"ExpressRoute\""},
           Case{R"({"sites": [{"gatewayIp": "vpn.example.net"}]})",
                "t.json: sites[0].gatewayIp: \"vpn.example.net\" is not an IP address"},
       }) {
    std::string message = error_of([&] { parse_topology_json(c.json, "t.json"); });
    EXPECT_EQ(message, c.expected) << c.json;
  }
}

}  // namespace
}  // namespace flowlens::enrich
