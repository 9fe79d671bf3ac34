// The splitter and the pipeline around it, through parse_bytes(): results must not depend on
// how the input arrives (read sizes, chunk sizes, threads).
#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"

namespace flowlens::test {
namespace {

std::vector<std::string> sample_records(int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> tuples;
    for (int k = 0; k <= i % 5; ++k) {
      tuples.push_back("1700000000" + std::to_string(100 + i * 10 + k) + ",10.0.0." +
                       std::to_string(i % 250) + ",20.60.1.2," + std::to_string(40000 + k) +
                       ",443,6,O,E,NX,1,2,3," + std::to_string(i));
    }
    records.push_back(
        vnet_record("2023-11-14T22:14:20.1000000Z", tuples,
                    i % 3 == 0 ? "rule \\\"quoted\\\" {[" : "Rule_" + std::to_string(i)));
  }
  return records;
}

TEST(RecordSplitter, SameResultWhateverTheReadAndChunkSizes) {
  std::string input = blob(sample_records(40));
  ParseOutcome whole = parse_bytes(input);
  ASSERT_TRUE(whole.errors.empty()) << format_error_line(whole.errors[0]);
  ASSERT_EQ(whole.stats.records, 40u);
  for (std::size_t read : {1u, 2u, 3u, 5u, 17u, 64u, 65u, 999u}) {
    for (std::size_t chunk : {1024u, 4096u, 65536u}) {
      ParseOutcome got = parse_bytes(input, 1, read, chunk);
      ASSERT_TRUE(got.errors.empty()) << "read " << read << " chunk " << chunk;
      ASSERT_EQ(got.rows, whole.rows) << "read " << read << " chunk " << chunk;
    }
  }
  for (unsigned threads : {2u, 3u, 8u}) {
    ParseOutcome got = parse_bytes(input, threads, 7, 1024);
    ASSERT_EQ(got.rows, whole.rows) << threads;
  }
}

TEST(RecordSplitter, PrettyPrintedAndConcatenatedDocuments) {
  std::string pretty = "\n\n  {  \"records\" :\n [\n  " + sample_records(2)[0] + " ,\n\t" +
                       sample_records(2)[1] + "\r\n ] \n }  \n";
  ParseOutcome once = parse_bytes(pretty);
  ASSERT_TRUE(once.errors.empty());
  ParseOutcome twice = parse_bytes(pretty + pretty, 1, 3);
  ASSERT_TRUE(twice.errors.empty());
  EXPECT_EQ(twice.rows.size(), 2 * once.rows.size());
}

TEST(RecordSplitter, EnvelopeKeysAfterTheRecordsAreSkipped) {
  std::string input =
      "{\"records\":[" + sample_records(1)[0] + "],\"extra\":{\"a\":[1,\"]}\"]},\"more\":true}";
  ParseOutcome got = parse_bytes(input, 1, 4);
  EXPECT_TRUE(got.errors.empty());
  EXPECT_EQ(got.stats.records, 1u);
}

TEST(RecordSplitter, BlobStillBeingWrittenIsNotAnError) {
  auto records = sample_records(3);
  for (std::size_t read : {0u, 1u, 13u}) {
    ParseOutcome got = parse_bytes(blob(records, /*terminated=*/false), 1, read);
    EXPECT_TRUE(got.errors.empty());
    EXPECT_TRUE(got.unterminated);
    EXPECT_EQ(got.stats.records, 3u);
  }
  // Just the head block: a blob created a moment ago.
  ParseOutcome head = parse_bytes("{\"records\":[");
  EXPECT_TRUE(head.errors.empty());
  EXPECT_TRUE(head.unterminated);
  EXPECT_FALSE(parse_bytes(blob(records)).unterminated);
}

TEST(RecordSplitter, RecordIndexesAndOffsetsAreExact) {
  auto records = sample_records(4);
  records[2] = records[2].substr(0, 40) + "\"broken\"" + records[2].substr(40);  // invalid JSON
  std::string input = blob(records);
  ParseOutcome got = parse_bytes(input, 1, 11);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].record_index, 2);
  EXPECT_EQ(got.errors[0].byte_offset, input.find(records[2]));
  EXPECT_EQ(got.errors[0].source, "test.json");
  EXPECT_EQ(got.stats.records, 3u);
}

TEST(RecordSplitter, OversizedRecordIsRejectedAndItsNeighboursKept) {
  auto records = sample_records(3);
  std::vector<std::string> big_tuples(
      200, "1700000000100,10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0");
  records[1] = vnet_record("2023-11-14T22:14:20.1000000Z", big_tuples);
  for (std::size_t read : {0u, 100u}) {
    ParseOutcome got = parse_bytes(blob(records), 1, read, 1024, "t.json", 4096);
    ASSERT_EQ(got.errors.size(), 1u) << read;
    EXPECT_EQ(got.errors[0].code, ParseErrorCode::record_too_large);
    EXPECT_EQ(got.errors[0].record_index, 1);
    EXPECT_EQ(got.stats.records, 2u);
    EXPECT_EQ(got.stats.rejected_records, 1u);  // counted although the splitter rejected it
  }
}

}  // namespace
}  // namespace flowlens::test

namespace flowlens::test {
namespace {

// Inputs the fuzzer once found to give read-dependent results (tests/fuzz/regressions).
TEST(RecordSplitter, FuzzRegressionsGiveTheSameResultHoweverTheyAreRead) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FLOWLENS_FUZZ_REGRESSIONS)) {
    std::string bytes = read_file(entry.path());
    auto key = [](const ParseOutcome& o) {
      std::vector<std::string> k = o.rows;
      for (const auto& e : o.errors) {
        k.push_back(std::to_string(e.record_index) + ' ' + std::to_string(e.tuple_index) + ' ' +
                    std::to_string(e.byte_offset) + ' ' + std::string(error_code_name(e.code)));
      }
      return k;
    };
    auto reference = key(parse_bytes(bytes, 1, 0, 1 << 20, "f", 16 * 1024));
    EXPECT_EQ(key(parse_bytes(bytes, 1, 1, 1024, "f", 16 * 1024)), reference) << entry.path();
    EXPECT_EQ(key(parse_bytes(bytes, 3, 7, 1024, "f", 16 * 1024)), reference) << entry.path();
    EXPECT_EQ(key(parse_bytes(bytes, 2, 64, 4096, "f", 16 * 1024)), reference) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 2u);
}

}  // namespace
}  // namespace flowlens::test
