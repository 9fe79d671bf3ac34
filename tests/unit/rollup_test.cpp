// The Traffic Analytics rollup (design §4): counters, folding of public peers into the
// 7-field lists, source-port sets, FlowType, interval assignment, and the merge of partial rows
// that makes the result independent of how tuples were split across commits.
#include "aggregate/rollup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "aggregate/flow_type.h"
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
      const std::vector<std::vector<std::string>>& commits, const store::TableDef& table) {
    std::vector<store::OpenSegment> segments;
    std::vector<std::pair<IpAddress, std::string>> nics;
    int n = 0;
    for (const auto& commit : commits) {
      RollupBuilder builder(10 * kTicksPerMinute);
      for (const FlowBatch& batch : test::parse_batches(test::blob(commit))) {
        builder.add(batch, kMinTicks);
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

}  // namespace
}  // namespace flowlens::aggregate
