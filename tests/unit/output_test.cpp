#include <gtest/gtest.h>

#include "common/json_text.h"
#include "output/flow_columns.h"
#include "output/flow_rows.h"
#include "test_support.h"

namespace flowlens {
namespace {

std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonText, EscapesEverythingThatCouldBreakOutOfAString) {
  EXPECT_EQ(json("plain"), "\"plain\"");
  EXPECT_EQ(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json("line\nfeed\ttab\r"), "\"line\\nfeed\\ttab\\r\"");
  EXPECT_EQ(json(std::string("nul\0bell\x07", 9)), "\"nul\\u0000bell\\u0007\"");
  EXPECT_EQ(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");                    // valid UTF-8 kept
  EXPECT_EQ(json("bad\xff\xc3"), "\"bad\\ufffd\\ufffd\"");              // invalid bytes replaced
  EXPECT_EQ(json("\xe2\x80\xa8x\xe2\x80\xa9"), "\"\\u2028x\\u2029\"");  // JS line separators
  EXPECT_EQ(
      json("</script><img src=x onerror=alert(1)>"),
      "\"</script><img src=x onerror=alert(1)>\"");  // JSON-safe; HTML escaping is the UI's job
}

TEST(JsonText, CsvFieldsAreQuotedOnlyWhenNeeded) {
  std::string out;
  append_csv_field(out, "plain");
  out += '|';
  append_csv_field(out, "a,b");
  out += '|';
  append_csv_field(out, "say \"hi\"");
  out += '|';
  append_csv_field(out, "two\nlines");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"");
}

TEST(FlowRows, CsvHeaderListsTheContractColumnsInOrder) {
  std::string header = csv_header();
  EXPECT_EQ(header,
            "FlowTime,RecordTime,SrcIp,DestIp,SrcPort,DestPort,Protocol,L4Protocol,FlowDirection,"
            "FlowState,FlowStatus,FlowEncryption,PacketsSrcToDest,BytesSrcToDest,PacketsDestToSrc,"
            "BytesDestToSrc,MacAddress,AclId,AclRule,TargetResourceId,FlowLogResourceId,"
            "FlowLogVersion,Source\n");
  EXPECT_EQ(kFlowColumns.size(), 23u);
}

TEST(FlowRows, CsvRowCarriesTheSameValuesAsNdjson) {
  std::string input = test::blob({test::vnet_record(
      "2022-09-14T09:00:52.5625085Z",
      {"1663146003606,10.0.0.6,2001:db8::1,23956,443,17,O,E,NX_LOCAL_DST,3,767,2,1580"},
      "Rule, with \\\"quotes\\\"")});
  struct Rows final : ChunkConsumer {
    std::string csv;
    void consume(ParsedChunk& c) override { render_rows(c.batch, RowFormat::kCsv, csv); }
  } rows;
  std::vector<InputSpec> inputs = {InputSpec{
      "in,put.json", input.size(), [&input] { return std::make_unique<MemoryReader>(input); }}};
  run_parse_pipeline(inputs, PipelineOptions{}, rows);
  EXPECT_EQ(rows.csv,
            "2022-09-14T09:00:03.6060000Z,2022-09-14T09:00:52.5625085Z,10.0.0.6,2001:db8::1,23956,"
            "443,17,UDP,Outbound,E,Allowed,NX_LOCAL_DST,3,767,2,1580,00224871C205,acl-1,"
            "\"Rule, with \"\"quotes\"\"\",/subscriptions/s/virtualNetworks/v,/SUBSCRIPTIONS/S/"
            "FLOWLOGS/F,4,\"in,put.json\"\n");
}

}  // namespace
}  // namespace flowlens
