// Record-level behaviour: atomic records, key order, groups, the reference's expected totals.
#include <gtest/gtest.h>

#include <algorithm>

#include "output/parse_summary.h"
#include "test_support.h"

namespace flowlens::test {
namespace {

TEST(RecordParser, MicrosoftSampleMatchesTheReferenceTotals) {
  // reference/flowlog-format.md §4.1: allowed outbound 5 flows; bytes src->dest 4528,
  // dest->src 43292; 9 denied inbound tuples.
  std::string input = read_file(std::string(FLOWLENS_TEST_DATA) + "/vnet_v4_ms_sample.json");
  ASSERT_FALSE(input.empty());
  struct Totals final : ChunkConsumer {
    ParseSummary s;
    void consume(ParsedChunk& c) override { s.add(c); }
  } totals;
  std::vector<InputSpec> inputs = {
      InputSpec{"ms", input.size(), [&input] { return std::make_unique<MemoryReader>(input); }}};
  run_parse_pipeline(inputs, PipelineOptions{}, totals);
  const ParseSummary& s = totals.s;
  EXPECT_EQ(s.tuples, 19u);
  EXPECT_EQ(s.by_state[1], 5u);  // B: five allowed outbound flows start
  EXPECT_EQ(s.by_state[3], 5u);  // E
  EXPECT_EQ(s.by_state[4], 9u);  // D
  EXPECT_EQ(s.by_status[1], 9u);
  EXPECT_EQ(s.by_direction[0], 9u);
  EXPECT_EQ(s.bytes_src_to_dest, 4528u);
  EXPECT_EQ(s.bytes_dest_to_src, 43292u);
  EXPECT_EQ(s.packets_src_to_dest, 3u + 3 + 3 + 2 + 22);
  EXPECT_EQ(s.packets_dest_to_src, 2u + 4 + 4 + 1 + 33);
  EXPECT_EQ(s.errors, 0u);
}

const std::string kGood = "1700000000100,10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0";

TEST(RecordParser, ARecordIsAcceptedOrRejectedWhole) {
  // The syntax error comes after the tuples were read: none of them may be emitted.
  std::string broken = vnet_record("2023-11-14T22:14:20.1000000Z", {kGood, kGood});
  broken.insert(broken.size() - 1, ",\"late\":nul");
  ParseOutcome got = parse_bytes(blob({broken}));
  EXPECT_TRUE(got.rows.empty());
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].code, ParseErrorCode::invalid_json);
  EXPECT_EQ(got.stats.rejected_records, 1u);
  EXPECT_EQ(got.stats.rejected_tuples, 2u);
}

TEST(RecordParser, ABadTupleRejectsOnlyItself) {
  ParseOutcome got = parse_bytes(
      blob({vnet_record("2023-11-14T22:14:20.1000000Z",
                        {kGood, "1700000000100,10.0.0.4,20.60.1.2,5,443,6,O,B,NX,0,0,0", kGood})}));
  EXPECT_EQ(got.rows.size(), 2u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].tuple_index, 1);
  EXPECT_EQ(got.errors[0].code, ParseErrorCode::tuple_field_count);
}

TEST(RecordParser, KeyOrderDoesNotMatter) {
  const std::vector<std::string> parts = {
      "\"time\":\"2023-11-14T22:14:20.1000000Z\"",
      "\"flowLogVersion\":4",
      "\"macAddress\":\"00224871C205\"",
      "\"flowLogResourceID\":\"/F\"",
      "\"targetResourceID\":\"/T\"",
      "\"flowRecords\":{\"flows\":[{\"flowGroups\":[{\"flowTuples\":[\"" + kGood +
          "\"],\"rule\":\"R\"}],\"aclID\":\"A\"}]}",
  };
  std::vector<std::size_t> order = {0, 1, 2, 3, 4, 5};
  std::vector<std::string> first;
  int permutations = 0;
  do {
    std::string record = "{";
    for (std::size_t i = 0; i < order.size(); ++i)
      record += (i ? "," : "") + parts[order[i]];
    record += "}";
    ParseOutcome got = parse_bytes(blob({record}));
    ASSERT_TRUE(got.errors.empty()) << record;
    ASSERT_EQ(got.rows.size(), 1u);
    if (first.empty()) first = got.rows;
    ASSERT_EQ(got.rows, first) << record;
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 720);
}

TEST(RecordParser, EscapedStringsAreUnescaped) {
  std::string record =
      vnet_record("2023-11-14T22:14:20.1000000Z",
                  {"\\u0031700000000100,10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0"},
                  "Rule \\\"A\\\" \\u00e9\\n");
  ParseOutcome got = parse_bytes(blob({record}));
  ASSERT_TRUE(got.errors.empty()) << format_error_line(got.errors[0]);
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_NE(got.rows[0].find("\"AclRule\":\"Rule \\\"A\\\" \u00e9\\n\""), std::string::npos)
      << got.rows[0];
  EXPECT_NE(got.rows[0].find("\"FlowTime\":\"2023-11-14T22:13:20.1000000Z\""), std::string::npos);
}

TEST(RecordParser, NsgGroupWithBadMacIsRejectedWithItsTuplesOnly) {
  std::string nsg =
      "{\"time\":\"2018-11-13T12:00:35.3899262Z\",\"resourceId\":\"/N\",\"properties\":{"
      "\"Version\":2,\"flows\":[{\"rule\":\"R1\",\"flows\":[{\"mac\":\"XYZ\",\"flowTuples\":["
      "\"1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,\"]},{\"mac\":\"000d3af87856\","
      "\"flowTuples\":[\"1542110379,10.5.16.4,203.0.113.117,59932,443,T,O,A,E,1,66,1,66\"]}]}]}}";
  ParseOutcome got = parse_bytes(blob({nsg}));
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_NE(got.rows[0].find("\"MacAddress\":\"000D3AF87856\""), std::string::npos);
  EXPECT_NE(got.rows[0].find("\"AclId\":\"/N\""), std::string::npos);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].code, ParseErrorCode::invalid_mac);
  EXPECT_EQ(got.stats.rejected_tuples, 1u);
}

TEST(RecordParser, RecordWithBothShapesIsNotGuessed) {
  std::string both = vnet_record("2023-11-14T22:14:20.1000000Z", {kGood});
  both.insert(1, "\"properties\":{\"Version\":2,\"flows\":[]},");
  ParseOutcome got = parse_bytes(blob({both}));
  EXPECT_TRUE(got.rows.empty());
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].code, ParseErrorCode::not_a_flow_log);
}

}  // namespace
}  // namespace flowlens::test
