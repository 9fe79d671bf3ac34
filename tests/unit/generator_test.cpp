// The generator: deterministic, Azure's byte and path layout, and exactly the totals the
// parser reads back.
#include <gtest/gtest.h>

#include <regex>

#include "gen/blob_writer.h"
#include "gen/world.h"
#include "output/parse_summary.h"
#include "test_support.h"

namespace flowlens::gen {
namespace {

const Ticks kStart = 1793491200LL * kTicksPerSecond;  // 2026-11-01T00:00:00Z
const std::int64_t kHour = kStart / kTicksPerHour;

TEST(Generator, SameSeedSameBytesOtherSeedOtherBytes) {
  World a = build_world(42, Scale::kSmall);
  World b = build_world(42, Scale::kSmall);
  World c = build_world(43, Scale::kSmall);
  ASSERT_EQ(a.nics.size(), b.nics.size());
  for (std::size_t nic = 0; nic < a.nics.size(); ++nic) {
    std::string x, y, z;
    BlobRequest r{nic, kHour + 14, LogKind::kVNet, 60};
    render_blob(a, 42, r, x);
    render_blob(b, 42, r, y);
    EXPECT_EQ(x, y) << nic;
    EXPECT_EQ(blob_path(a, r), blob_path(b, r));
    render_blob(c, 43, r, z);
    EXPECT_NE(x, z) << nic;
  }
}

TEST(Generator, WritesAzuresBlobLayout) {
  World w = build_world(1, Scale::kSmall);
  std::string out;
  BlobRequest r{0, kHour + 9, LogKind::kVNet, 60};
  render_blob(w, 1, r, out);
  ASSERT_GT(out.size(), 100u);
  EXPECT_EQ(out.substr(0, 13), "{\"records\":[{");          // head block, then the first record
  EXPECT_EQ(out.substr(out.size() - 4), "}}]}");            // the last record, then the tail block
  EXPECT_NE(out.find("}},{\"time\":"), std::string::npos);  // later records start with ,{
  EXPECT_EQ(out.find(' '), std::string::npos);              // compact
  EXPECT_TRUE(std::regex_match(
      blob_path(w, r),
      std::regex(
          "insights-logs-flowlogflowevent/flowLogResourceID=/[0-9A-F-]{36}_NETWORKWATCHERRG/"
          "NETWORKWATCHER_[A-Z]+_[A-Z0-9-]+/y=2026/m=11/d=01/h=09/m=00/macAddress=[0-9A-F]{12}/"
          "PT1H.json")))
      << blob_path(w, r);
  BlobRequest nsg{0, kHour + 9, LogKind::kNsgV2, 60};
  EXPECT_TRUE(std::regex_match(
      blob_path(w, nsg),
      std::regex(
          "insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/[0-9A-F-]{36}/"
          "RESOURCEGROUPS/[A-Z-]+/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-[A-Z]+/"
          "y=2026/m=11/d=01/h=09/m=00/macAddress=[0-9A-F]{12}/PT1H.json")))
      << blob_path(w, nsg);
  // A blob still being written has no tail block.
  BlobRequest partial{0, kHour + 9, LogKind::kVNet, 20};
  render_blob(w, 1, partial, out);
  EXPECT_EQ(out.substr(out.size() - 2), "}}");
}

// What the parser reads back is exactly what the generator says it wrote.
void expect_parse_matches(LogKind kind) {
  World w = build_world(5, Scale::kSmall);
  BlobStats expected;
  ParseSummary parsed;
  struct Sum final : ChunkConsumer {
    ParseSummary* s;
    void consume(ParsedChunk& c) override { s->add(c); }
  } sum;
  sum.s = &parsed;
  std::vector<std::string> blobs;
  std::vector<InputSpec> inputs;
  for (std::int64_t h = kHour; h < kHour + 3; ++h) {
    for (std::size_t nic = 0; nic < w.nics.size(); ++nic) {
      std::string out;
      expected.merge(render_blob(w, 5, BlobRequest{nic, h, kind, h == kHour + 2 ? 30 : 60}, out));
      if (!out.empty()) blobs.push_back(std::move(out));
    }
  }
  for (const std::string& b : blobs) {
    inputs.push_back(InputSpec{"b", b.size(), [&b] { return std::make_unique<MemoryReader>(b); }});
  }
  run_parse_pipeline(inputs, PipelineOptions{{}, 2}, sum);
  ASSERT_GT(expected.tuples, 1000u);
  EXPECT_EQ(parsed.errors, 0u);
  EXPECT_EQ(parsed.inputs, expected.files);
  EXPECT_EQ(parsed.unterminated_inputs, expected.unterminated);
  EXPECT_GT(expected.unterminated, 0u);
  EXPECT_EQ(parsed.bytes, expected.bytes);
  EXPECT_EQ(parsed.records, expected.records);
  EXPECT_EQ(parsed.tuples, expected.tuples);
  EXPECT_EQ(parsed.by_version, expected.by_version);
  EXPECT_EQ(parsed.by_state, expected.by_state);
  EXPECT_EQ(parsed.by_status, expected.by_status);
  EXPECT_EQ(parsed.by_direction, expected.by_direction);
  EXPECT_EQ(parsed.by_protocol, expected.by_protocol);
  EXPECT_EQ(parsed.packets_src_to_dest, expected.packets_src_to_dest);
  EXPECT_EQ(parsed.bytes_src_to_dest, expected.bytes_src_to_dest);
  EXPECT_EQ(parsed.packets_dest_to_src, expected.packets_dest_to_src);
  EXPECT_EQ(parsed.bytes_dest_to_src, expected.bytes_dest_to_src);
  EXPECT_EQ(parsed.first_flow, expected.first_flow);
  EXPECT_EQ(parsed.last_flow, expected.last_flow);
}

TEST(Generator, VNetTotalsMatchWhatIsParsed) {
  expect_parse_matches(LogKind::kVNet);
}
TEST(Generator, NsgV1TotalsMatchWhatIsParsed) {
  expect_parse_matches(LogKind::kNsgV1);
}
TEST(Generator, NsgV2TotalsMatchWhatIsParsed) {
  expect_parse_matches(LogKind::kNsgV2);
}

TEST(Generator, TrafficIsRealistic) {
  World w = build_world(1, Scale::kSmall);
  ParseSummary s;
  struct Sum final : ChunkConsumer {
    ParseSummary* s;
    std::size_t ipv6 = 0, x = 0, platform = 0;
    void consume(ParsedChunk& c) override {
      s->add(c);
      for (std::size_t i = 0; i < c.batch.size(); ++i) {
        ipv6 += !c.batch.src_ip[i].is_v4();
        x += c.batch.encryption_name(i) == "X";
        platform += format_ip(c.batch.src_ip[i]) == "168.63.129.16" ||
                    format_ip(c.batch.dest_ip[i]) == "168.63.129.16";
      }
    }
  } sum;
  sum.s = &s;
  std::vector<std::string> blobs;
  for (std::int64_t h = kHour; h < kHour + 24; ++h) {
    for (std::size_t nic = 0; nic < w.nics.size(); ++nic) {
      std::string out;
      render_blob(w, 1, BlobRequest{nic, h, LogKind::kVNet, 60}, out);
      if (!out.empty()) blobs.push_back(std::move(out));
    }
  }
  std::vector<InputSpec> inputs;
  for (const std::string& b : blobs) {
    inputs.push_back(InputSpec{"b", b.size(), [&b] { return std::make_unique<MemoryReader>(b); }});
  }
  run_parse_pipeline(inputs, PipelineOptions{{}, 2}, sum);
  EXPECT_GT(s.by_state[4], 1000u);          // denied scans
  EXPECT_GT(s.by_state[2], 100u);           // long flows report C every 5 minutes
  EXPECT_GT(s.by_protocol[1], 1000u);       // UDP (DNS)
  EXPECT_GT(sum.ipv6, 100u);                // dual-stack web tier
  EXPECT_GT(sum.x, 100u);                   // encrypted SQL traffic
  EXPECT_GT(sum.platform, 1000u);           // DNS and load-balancer probes via 168.63.129.16
  EXPECT_EQ(s.macs.size(), w.nics.size());  // every NIC logs
  EXPECT_GT(s.by_direction[0], 0u);
  EXPECT_GT(s.by_direction[1], 0u);
}

}  // namespace
}  // namespace flowlens::gen
