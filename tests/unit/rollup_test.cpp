// The Traffic Analytics rollup (design §4): counters, folding of public peers into the
// 7-field lists, source-port sets, FlowType, interval assignment, and the merge of partial rows
// that makes the result independent of how tuples were split across commits.
#include "aggregate/rollup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "aggregate/flow_type.h"
#include "enrich/cidr.h"
#include "store/ip_details.h"
#include "store/rollup_merge.h"
#include "store/snapshot.h"
#include "test_support.h"

namespace flowlens::aggregate {
namespace {

namespace fs = std::filesystem;

std::string record(const std::string& time, const std::string& mac, const std::string& vnet,
                   const std::string& rule, const std::vector<std::string>& tuples) {
  std::string t;
  for (const auto& tuple : tuples)
    t += (t.empty() ? "\"" : ",\"") + tuple + "\"";
  return "{\"time\":\"" + time + "\",\"flowLogVersion\":4,\"macAddress\":\"" + mac +
         "\",\"category\":\"FlowLogFlowEvent\",\"flowLogResourceID\":\"/SUBSCRIPTIONS/S1/"
         "RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/"
         "NETWORKWATCHER_WESTEUROPE/FLOWLOGS/FL\",\"targetResourceID\":\"/subscriptions/s1/"
         "resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/" +
         vnet + "\",\"flowRecords\":{\"flows\":[{\"aclID\":\"acl-1\",\"flowGroups\":[{\"rule\":\"" +
         rule + "\",\"flowTuples\":[" + t + "]}]}]}}";
}

// 2023-11-14T22:13:20.100Z
constexpr long long kT0 = 1700000000100;
std::string at(long long ms_after) {
  return std::to_string(kT0 + ms_after);
}

// NIC A (10.0.0.4, vnet1), NIC B (10.0.0.5, vnet1), NIC C (10.1.0.4, vnet2).
std::vector<std::string> records() {
  return {
      record("2023-11-14T22:15:00.0000000Z", "00000000000A", "vnet1", "AllowWeb",
             {at(0) + ",10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0",
              at(60000) + ",10.0.0.4,20.60.1.2,50000,443,6,O,C,NX,10,1000,20,2000",
              at(90000) + ",10.0.0.4,20.60.1.2,50000,443,6,O,E,NX,5,500,6,600",
              at(1000) + ",10.0.0.4,20.60.1.3,50001,443,6,O,B,X,0,0,0,0",
              at(10000) + ",203.0.113.9,10.0.0.4,40000,22,6,I,D,NX,0,0,0,0",
              at(2000) + ",10.0.0.4,10.0.1.5,50002,1433,6,O,B,NX,0,0,0,0",
              at(3000) + ",10.0.0.4,10.0.0.5,50003,80,6,O,B,NX,0,0,0,0",
              at(4000) + ",10.0.0.4,10.1.0.4,50004,53,17,O,B,NX,0,0,0,0",
              // 22:20:00.000: the next 10-minute interval
              std::to_string(1700000400000) + ",10.0.0.4,20.60.1.2,50005,443,6,O,B,NX,0,0,0,0"}),
      record("2023-11-14T22:15:00.0000000Z", "00000000000B", "vnet1", "AllowVnet",
             {at(3000) + ",10.0.0.4,10.0.0.5,50003,80,6,I,B,NX,0,0,0,0"}),
      record("2023-11-14T22:15:00.0000000Z", "00000000000C", "vnet2", "AllowVnet",
             {at(4000) + ",10.0.0.4,10.1.0.4,50004,53,17,I,B,NX,0,0,0,0"}),
  };
}

class RollupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flowlens-rollup-test-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Rolls up each group of records as one commit (one segment per table), then reads the
  // table back merged, with FlowType resolved. Rows are NDJSON-like maps.
  std::vector<std::map<std::string, std::string>> rollup(
      const std::vector<std::vector<std::string>>& commits, const store::TableDef& table,
      const enrich::Enricher* enricher = nullptr,
      std::vector<std::string>* tuple_flow_types = nullptr) {
    std::vector<store::OpenSegment> segments;
    std::vector<std::pair<IpAddress, std::string>> nics;
    int n = 0;
    for (const auto& commit : commits) {
      RollupBuilder builder(10 * kTicksPerMinute, enricher);
      for (const FlowBatch& batch : test::parse_batches(test::blob(commit))) {
        TupleEnrichment enrichment;
        builder.add(batch, kMinTicks, &enrichment);
        if (tuple_flow_types != nullptr) {
          for (std::uint8_t t : enrichment.flow_type)
            tuple_flow_types->emplace_back(kFlowTypeNames[t]);
        }
      }
      auto analytics = store::new_segment_writer(store::net_analytics_table());
      builder.flush(*analytics, 42);
      auto more = builder.take_nic_addresses();
      nics.insert(nics.end(), more.begin(), more.end());
      std::string path = (dir_ / (std::to_string(n++) + ".fls")).string();
      analytics->write(path, 42);
      std::string error;
      auto reader = store::SegmentReader::open(path, error);
      EXPECT_TRUE(reader) << error;
      segments.push_back({store::SegmentRecord{}, std::move(reader)});
    }
    FlowTypeResolver resolver(nics);
    store::RowBatchBuilder merged(store::net_analytics_table());
    store::merge_rollup(segments, store::net_analytics_table(), kMinTicks, kMaxTicks, merged, {});
    resolver.resolve_batch(merged.batch());
    store::RowBatchBuilder derived(store::ip_details_table());
    if (table.id == store::TableId::kNTAIpDetails)
      store::derive_ip_details(merged.batch(), derived);
    store::RowBatchBuilder& builder = table.id == store::TableId::kNTAIpDetails ? derived : merged;
    std::vector<std::map<std::string, std::string>> rows;
    for (std::uint32_t r : builder.batch().rows) {
      std::map<std::string, std::string> row;
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const store::ColumnData& d = builder.batch().columns[c];
        std::string v;
        if (d.is_null(r)) {
          v = "null";
        } else if (d.type == store::ColumnType::kString) {
          v = d.string_at(r);
        } else if (d.type == store::ColumnType::kDateTime) {
          v = format_iso8601(d.ints[r]);
        } else {
          v = std::to_string(d.ints[r]);
        }
        row[std::string(table.columns[c].name)] = v;
      }
      rows.push_back(row);
    }
    return rows;
  }

  fs::path dir_;
};

const std::map<std::string, std::string>* find_row(
    const std::vector<std::map<std::string, std::string>>& rows,
    const std::map<std::string, std::string>& where) {
  const std::map<std::string, std::string>* found = nullptr;
  for (const auto& row : rows) {
    bool match = true;
    for (const auto& [k, v] : where)
      match = match && row.at(k) == v;
    if (match) {
      EXPECT_EQ(found, nullptr) << "more than one row matches";
      found = &row;
    }
  }
  EXPECT_NE(found, nullptr) << "no row matches";
  return found;
}

TEST_F(RollupTest, CountersFoldingAndFlowTypes) {
  auto rows = rollup({records()}, store::net_analytics_table());
  ASSERT_EQ(rows.size(), 8u);
  // Outbound to two public peers on 443 in the first interval: one folded row.
  const auto* web = find_row(
      rows, {{"DestPort", "443"}, {"FlowIntervalStartTime", "2023-11-14T22:10:00.0000000Z"}});
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->at("FlowType"), "ExternalPublic");
  EXPECT_EQ(web->at("SrcIp"), "10.0.0.4");
  EXPECT_EQ(web->at("DestIp"), "");
  EXPECT_EQ(web->at("SrcPublicIps"), "");
  EXPECT_EQ(web->at("DestPublicIps"), "20.60.1.2|1|1|15|26|1500|2600 20.60.1.3|1|0|0|0|0|0");
  EXPECT_EQ(web->at("SrcPorts"), "50000|50001");
  EXPECT_EQ(web->at("AllowedOutFlows"), "2");
  EXPECT_EQ(web->at("AllowedInFlows"), "0");
  EXPECT_EQ(web->at("DeniedOutFlows"), "0");
  EXPECT_EQ(web->at("CompletedFlows"), "1");
  EXPECT_EQ(web->at("PacketsSrcToDest"), "15");
  EXPECT_EQ(web->at("PacketsDestToSrc"), "26");
  EXPECT_EQ(web->at("BytesSrcToDest"), "1500");
  EXPECT_EQ(web->at("BytesDestToSrc"), "2600");
  EXPECT_EQ(web->at("RecordCount"), "4");
  EXPECT_EQ(web->at("FlowEncryption"), "Encrypted, Unencrypted");
  EXPECT_EQ(web->at("FlowStartTime"), "2023-11-14T22:13:20.1000000Z");
  EXPECT_EQ(web->at("FlowEndTime"), "2023-11-14T22:14:50.1000000Z");
  EXPECT_EQ(web->at("FlowIntervalEndTime"), "2023-11-14T22:20:00.0000000Z");
  EXPECT_EQ(web->at("L7Protocol"), "https");
  EXPECT_EQ(web->at("L4Protocol"), "TCP");
  EXPECT_EQ(web->at("AclGroup"), "acl-1");
  EXPECT_EQ(web->at("AclRule"), "AllowWeb");
  EXPECT_EQ(web->at("MacAddress"), "00000000000A");
  EXPECT_EQ(web->at("TargetResourceType"), "VNET");
  EXPECT_EQ(web->at("SrcSubscription"), "s1");
  EXPECT_EQ(web->at("SrcRegion"), "westeurope");
  EXPECT_EQ(web->at("DestRegion"), "");
  EXPECT_EQ(web->at("SubType"), "FlowLog");
  EXPECT_EQ(web->at("FaSchemaVersion"), "3");
  EXPECT_EQ(web->at("IsFlowCapturedAtUdrHop"), "null");

  // The same flow's next interval is its own row.
  const auto* later = find_row(
      rows, {{"DestPort", "443"}, {"FlowIntervalStartTime", "2023-11-14T22:20:00.0000000Z"}});
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(later->at("DestPublicIps"), "20.60.1.2|1|0|0|0|0|0");
  EXPECT_EQ(later->at("RecordCount"), "1");

  // Denied inbound from a public scanner: folded into SrcPublicIps, a denied start.
  const auto* ssh = find_row(rows, {{"DestPort", "22"}});
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->at("SrcIp"), "");
  EXPECT_EQ(ssh->at("DestIp"), "10.0.0.4");
  EXPECT_EQ(ssh->at("SrcPublicIps"), "203.0.113.9|1|0|0|0|0|0");
  EXPECT_EQ(ssh->at("FlowStatus"), "Denied");
  EXPECT_EQ(ssh->at("DeniedInFlows"), "1");
  EXPECT_EQ(ssh->at("DestSubscription"), "s1");

  // Private peers: same VNet, other VNet, never seen.
  EXPECT_EQ(find_row(rows, {{"DestPort", "1433"}})->at("FlowType"), "UnknownPrivate");
  EXPECT_EQ(find_row(rows, {{"DestPort", "80"}, {"MacAddress", "00000000000A"}})->at("FlowType"),
            "IntraVNet");
  EXPECT_EQ(find_row(rows, {{"DestPort", "80"}, {"MacAddress", "00000000000B"}})->at("FlowType"),
            "IntraVNet");
  EXPECT_EQ(find_row(rows, {{"DestPort", "53"}, {"MacAddress", "00000000000A"}})->at("FlowType"),
            "InterVNet");
  EXPECT_EQ(find_row(rows, {{"DestPort", "53"}, {"MacAddress", "00000000000C"}})->at("FlowType"),
            "InterVNet");
  EXPECT_EQ(find_row(rows, {{"DestPort", "53"}, {"MacAddress", "00000000000A"}})->at("SrcIp"),
            "10.0.0.4");
}

TEST_F(RollupTest, PublicAddressesPerInterval) {
  auto rows = rollup({records()}, store::ip_details_table());
  std::vector<std::string> seen;
  for (const auto& r : rows)
    seen.push_back(r.at("FlowIntervalStartTime").substr(11, 5) + " " + r.at("Ip"));
  EXPECT_EQ(seen, (std::vector<std::string>{"22:10 20.60.1.2", "22:10 20.60.1.3",
                                            "22:10 203.0.113.9", "22:20 20.60.1.2"}));
  EXPECT_EQ(rows[0].at("FlowType"), "ExternalPublic");
}

TEST_F(RollupTest, SplittingTuplesAcrossCommitsChangesNothing) {
  // Each tuple of NIC A in its own commit, in reverse order (late data), merges to the same rows.
  auto all = records();
  std::vector<std::vector<std::string>> commits;
  std::vector<std::string> tuples = {
      at(0) + ",10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0",
      at(60000) + ",10.0.0.4,20.60.1.2,50000,443,6,O,C,NX,10,1000,20,2000",
      at(90000) + ",10.0.0.4,20.60.1.2,50000,443,6,O,E,NX,5,500,6,600",
      at(1000) + ",10.0.0.4,20.60.1.3,50001,443,6,O,B,X,0,0,0,0",
      at(10000) + ",203.0.113.9,10.0.0.4,40000,22,6,I,D,NX,0,0,0,0",
      at(2000) + ",10.0.0.4,10.0.1.5,50002,1433,6,O,B,NX,0,0,0,0",
      at(3000) + ",10.0.0.4,10.0.0.5,50003,80,6,O,B,NX,0,0,0,0",
      at(4000) + ",10.0.0.4,10.1.0.4,50004,53,17,O,B,NX,0,0,0,0",
      std::to_string(1700000400000) + ",10.0.0.4,20.60.1.2,50005,443,6,O,B,NX,0,0,0,0"};
  for (auto it = tuples.rbegin(); it != tuples.rend(); ++it) {
    commits.push_back(
        {record("2023-11-14T22:15:00.0000000Z", "00000000000A", "vnet1", "AllowWeb", {*it})});
  }
  commits.push_back({all[2]});
  commits.push_back({all[1]});
  for (const store::TableDef* table : {&store::net_analytics_table(), &store::ip_details_table()}) {
    auto whole = rollup({all}, *table);
    auto split = rollup(commits, *table);
    EXPECT_EQ(whole, split) << table->name;
  }
}

TEST(RollupMerge, SetMerges) {
  EXPECT_EQ(store::merge_port_sets({"1|80|443", "22|80", ""}), "1|22|80|443");
  EXPECT_EQ(store::merge_word_sets({"Unencrypted", "Encrypted, Unencrypted", ""}),
            "Encrypted, Unencrypted");
  EXPECT_EQ(store::merge_public_ip_lists({"20.1.2.3|3|3|22|33|2217|32466 9.9.9.9|1|0|1|1|1|1",
                                          "20.1.2.3|1|0|5|4|705|4569 2001:db8::1|1|1|1|1|1|1"}),
            "9.9.9.9|1|0|1|1|1|1 20.1.2.3|4|3|27|37|2922|37035 2001:db8::1|1|1|1|1|1|1");
}

// ---- FlowType rules with enrichment inputs (reference §2.1), one tuple per rule ----------

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

enrich::Cidr cidr(std::string_view text) {
  enrich::Cidr c;
  EXPECT_TRUE(enrich::parse_cidr(text, c)) << text;
  return c;
}

IpAddress ip(std::string_view text) {
  IpAddress a{};
  EXPECT_TRUE(parse_ip(text, a)) << text;
  return a;
}

// vnet1 (10.0.0.0/24, subnet snet-a with NSG nsg-a whose GUID is the logs' aclID "acl-1"),
// vnet2 (10.1.0.0/16), an on-premises site behind connection cn1, a VPN client pool on gw1,
// NIC A (10.0.0.4, vm-a); service tag Storage.WestEurope; a C2 threat listing.
std::shared_ptr<const enrich::Enricher> test_enricher(const std::string& dir) {
  enrich::Topology t;
  enrich::TopoVnet v1;
  v1.subscription = "s1";
  v1.resource_group = "rg";
  v1.name = "vnet1";
  v1.region = "westeurope";
  v1.prefixes = {cidr("10.0.0.0/24")};
  v1.subnets.push_back({"snet-a", {cidr("10.0.0.0/25")}, "nsg-a", "rg"});
  enrich::TopoVnet v2 = v1;
  v2.name = "vnet2";
  v2.region = "northeurope";
  v2.prefixes = {cidr("10.1.0.0/16")};
  v2.subnets = {{"snet-b", {cidr("10.1.0.0/24")}, "", ""}};
  t.vnets = {v1, v2};
  enrich::TopoNic nic;
  nic.subscription = "s1";
  nic.resource_group = "rg";
  nic.name = "nic-a";
  nic.mac = "00000000000A";
  nic.private_ips = {ip("10.0.0.4")};
  nic.vm = "vm-a";
  nic.vnet = "vnet1";
  nic.subnet = "snet-a";
  nic.region = "westeurope";
  t.nics = {nic};
  t.nsgs.push_back({"s1", "rg", "nsg-a", "acl-1", "westeurope"});
  enrich::TopoGateway gw;
  gw.subscription = "s1";
  gw.resource_group = "rg";
  gw.name = "gw1";
  gw.type = "Vpn";
  gw.vnet = "vnet1";
  gw.vpn_client_pools = {cidr("172.16.201.0/24")};
  t.gateways = {gw};
  t.sites.push_back({"s1", "rg", "dc1", {cidr("192.168.50.0/24")}, ""});
  t.connections.push_back({"s1", "rg", "cn1", "IPsec", "gw1", "rg", "dc1", "rg"});
  std::string tags = dir + "/tags.json";
  std::string feed = dir + "/feed.csv";
  write_text(tags, R"({"values": [{"name": "Storage.WestEurope", "properties": {"region": )"
                   R"("westeurope", "systemService": "AzureStorage", "addressPrefixes": )"
                   R"(["20.60.0.0/16"]}}]})");
  write_text(feed, "ip,type,description\n203.0.113.9,C2,botnet controller\n");
  enrich::EnrichmentSources sources;
  sources.service_tags = tags;
  sources.threat_feeds = {feed};
  return enrich::Enricher::load(sources, &t);
}

TEST_F(RollupTest, EveryFlowTypeRuleWithEnrichment) {
  auto enricher = test_enricher(dir_.string());
  std::vector<std::string> tuple_types;
  auto rows = rollup({{record("2023-11-14T22:15:00.0000000Z", "00000000000A", "vnet1", "R",
                              {at(0) + ",10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0",
                               at(1) + ",203.0.113.9,10.0.0.4,40000,443,6,I,B,NX,0,0,0,0",
                               at(2) + ",10.0.0.4,198.51.100.7,50001,443,6,O,B,NX,0,0,0,0",
                               at(3) + ",192.168.50.10,10.0.0.4,40001,22,6,I,B,NX,0,0,0,0",
                               at(4) + ",172.16.201.5,10.0.0.4,40002,22,6,I,B,NX,0,0,0,0",
                               at(5) + ",10.0.0.4,10.0.0.5,50002,80,6,O,B,NX,0,0,0,0",
                               at(6) + ",10.0.0.4,10.1.0.4,50003,80,6,O,B,NX,0,0,0,0",
                               at(7) + ",10.0.0.4,10.250.0.1,50004,445,6,O,B,NX,0,0,0,0",
                               at(8) + ",10.0.0.4,100.64.0.1,50005,443,6,O,B,NX,0,0,0,0",
                               at(9) + ",10.0.0.4,168.63.129.16,50006,53,17,O,B,NX,0,0,0,0"})}},
                     store::net_analytics_table(), enricher.get(), &tuple_types);
  EXPECT_EQ(tuple_types, (std::vector<std::string>{"AzurePublic", "MaliciousFlow", "ExternalPublic",
                                                   "S2S", "P2S", "IntraVNet", "InterVNet",
                                                   "UnknownPrivate", "Unknown", "AzurePublic"}));
  ASSERT_EQ(rows.size(), 10u);
  auto by_port = [&](const std::string& port, const std::string& type) {
    return find_row(rows, {{"FlowType", type}, {"DestPort", port}});
  };
  const auto* storage = by_port("443", "AzurePublic");
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->at("AzureRegion"), "westeurope");
  EXPECT_EQ(storage->at("Country"), "");
  EXPECT_EQ(storage->at("DestPublicIps"), "20.60.1.2|1|0|0|0|0|0");
  EXPECT_EQ(storage->at("SrcVm"), "rg/vm-a");
  EXPECT_EQ(storage->at("SrcNic"), "rg/nic-a");
  EXPECT_EQ(storage->at("SrcSubnet"), "rg/vnet1/snet-a");
  EXPECT_EQ(storage->at("SrcSubscription"), "s1");
  EXPECT_EQ(storage->at("AclGroup"), "s1/rg/nsg-a");
  const auto* platform = by_port("53", "AzurePublic");
  ASSERT_NE(platform, nullptr);
  EXPECT_EQ(platform->at("AzureRegion"), "Global");
  const auto* bad = find_row(rows, {{"FlowType", "MaliciousFlow"}});
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->at("SrcPublicIps"), "203.0.113.9|1|0|0|0|0|0");
  EXPECT_EQ(bad->at("DestVm"), "rg/vm-a");
  const auto* s2s = find_row(rows, {{"FlowType", "S2S"}});
  ASSERT_NE(s2s, nullptr);
  EXPECT_EQ(s2s->at("SrcIp"), "192.168.50.10");
  EXPECT_EQ(s2s->at("ConnectionType"), "VpnGateway");
  EXPECT_EQ(s2s->at("ConnectionName"), "s1/rg/cn1");
  const auto* p2s = find_row(rows, {{"FlowType", "P2S"}});
  ASSERT_NE(p2s, nullptr);
  EXPECT_EQ(p2s->at("ConnectionName"), "gw1_172.16.201.5");
  const auto* inter = find_row(rows, {{"FlowType", "InterVNet"}});
  ASSERT_NE(inter, nullptr);
  EXPECT_EQ(inter->at("DestSubnet"), "rg/vnet2/snet-b");
  EXPECT_EQ(inter->at("DestRegion"), "northeurope");
  EXPECT_EQ(inter->at("ConnectionType"), "VNetPeering");
  const auto* intra = find_row(rows, {{"FlowType", "IntraVNet"}});
  ASSERT_NE(intra, nullptr);
  EXPECT_EQ(intra->at("DestSubnet"), "rg/vnet1/snet-a");
  EXPECT_EQ(find_row(rows, {{"FlowType", "UnknownPrivate"}})->at("DestIp"), "10.250.0.1");
  EXPECT_EQ(find_row(rows, {{"FlowType", "Unknown"}})->at("DestIp"), "100.64.0.1");
  EXPECT_EQ(find_row(rows, {{"FlowType", "ExternalPublic"}})->at("DestPublicIps"),
            "198.51.100.7|1|0|0|0|0|0");
}

// Without any input the same tuples fall back to inference: public peers ExternalPublic (the
// platform address still AzurePublic), private ones resolved from the NICs seen.
TEST_F(RollupTest, WithoutEnrichmentOnlyInference) {
  std::vector<std::string> tuple_types;
  rollup({{record("2023-11-14T22:15:00.0000000Z", "00000000000A", "vnet1", "R",
                  {at(0) + ",10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0",
                   at(1) + ",192.168.50.10,10.0.0.4,40001,22,6,I,B,NX,0,0,0,0",
                   at(2) + ",10.0.0.4,100.64.0.1,50005,443,6,O,B,NX,0,0,0,0",
                   at(3) + ",10.0.0.4,168.63.129.16,50006,53,17,O,B,NX,0,0,0,0"})}},
         store::net_analytics_table(), nullptr, &tuple_types);
  EXPECT_EQ(tuple_types,
            (std::vector<std::string>{"ExternalPublic", "Private", "Unknown", "AzurePublic"}));
}

}  // namespace
}  // namespace flowlens::aggregate
