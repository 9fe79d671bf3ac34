// Resume points: after any chunk an input can be continued from its resume point, getting
// exactly the records not yet seen; a grown blob continues where the shorter one ended.
#include <gtest/gtest.h>

#include "test_support.h"

namespace flowlens::test {
namespace {

std::vector<std::string> records(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) {
    out.push_back(vnet_record("2023-11-14T22:" + std::to_string(10 + i) + ":20.1000000Z",
                              {"17000000" + std::to_string(10000 + i) + ",10.0.0.4,20.60.1.2," +
                               std::to_string(40000 + i) + ",443,6,O,E,NX,1,2,3,4"}));
  }
  return out;
}

// Rows of `all` for records before `record_count` (each test record has one tuple).
std::vector<std::string> first_rows(const ParseOutcome& all, std::int64_t record_count) {
  return {all.rows.begin(), all.rows.begin() + record_count};
}

TEST(Resume, FromEveryChunkBoundaryTheRestIsExactlyTheMissingRecords) {
  std::string input = blob(records(0, 30));
  ParseOutcome full = parse_bytes(input, 1, 0, 1024);
  ASSERT_EQ(full.rows.size(), 30u);
  ASSERT_GT(full.resumes.size(), 3u);
  for (const ResumePoint& p : full.resumes) {
    EXPECT_EQ(p.hash, prefix_hash(std::string_view(input).substr(0, p.offset)));
    ParseOutcome rest = parse_bytes_from(input, p, 1024);
    EXPECT_TRUE(rest.errors.empty());
    std::vector<std::string> rows = first_rows(full, p.records);
    rows.insert(rows.end(), rest.rows.begin(), rest.rows.end());
    EXPECT_EQ(rows, full.rows) << "resumed at " << p.offset;
  }
  // The closing ]} is never inside the consumed prefix.
  EXPECT_EQ(full.resumes.back().offset, input.size() - 2);
}

TEST(Resume, AGrownBlobYieldsOnlyItsNewRecords) {
  for (bool terminated : {true, false}) {
    std::string v1 = blob(records(0, 4), terminated);
    std::string v2 = blob(records(0, 9), terminated);
    ResumePoint p = parse_bytes(v1).resumes.back();
    ASSERT_EQ(p.records, 4);
    // The prefix Azure never rewrites hashes the same in the longer blob.
    ASSERT_EQ(p.hash, prefix_hash(std::string_view(v2).substr(0, p.offset)));
    ParseOutcome grown = parse_bytes_from(v2, p);
    EXPECT_TRUE(grown.errors.empty());
    ParseOutcome expected = parse_bytes(blob(records(4, 9)));
    // Same tuples (the record indexes continue from 4, which rows do not show).
    EXPECT_EQ(grown.rows, expected.rows);
    EXPECT_EQ(grown.resumes.back().records, 9);
    // Nothing new: nothing read.
    EXPECT_TRUE(parse_bytes_from(v1, p).rows.empty());
  }
}

TEST(Resume, ARecordCutOffAtTheEndIsReadAgainWhenComplete) {
  std::string complete = blob(records(0, 3), false);
  std::string cut = complete.substr(0, complete.size() - 40);  // the last record loses its end
  ParseOutcome first = parse_bytes(cut);
  ASSERT_EQ(first.rows.size(), 2u);
  ASSERT_EQ(first.errors.size(), 1u);
  EXPECT_EQ(first.errors[0].code, ParseErrorCode::truncated_record);
  ResumePoint p = first.resumes.back();
  EXPECT_EQ(p.records, 2);
  ParseOutcome rest = parse_bytes_from(complete, p);
  EXPECT_TRUE(rest.errors.empty());
  ASSERT_EQ(rest.rows.size(), 1u);
  EXPECT_EQ(rest.rows[0], parse_bytes(complete).rows[2]);
}

TEST(Resume, DamageInTheMiddleIsNotReportedTwice) {
  auto recs = records(0, 5);
  recs[2] = recs[2].substr(0, 30) + "\"" + recs[2].substr(30);  // unbalanced quote
  std::string v1 = blob(recs, false);
  ParseOutcome first = parse_bytes(v1);
  EXPECT_EQ(first.rows.size(), 4u);
  EXPECT_EQ(first.errors.size(), 1u);
  auto more = recs;
  for (auto& r : records(5, 7))
    more.push_back(r);
  std::string v2 = blob(more, false);
  ParseOutcome rest = parse_bytes_from(v2, first.resumes.back());
  EXPECT_TRUE(rest.errors.empty());
  EXPECT_EQ(rest.rows.size(), 2u);
}

TEST(Resume, RecordsOnePerLineGrowToo) {
  std::string v1, v2;
  auto recs = records(0, 6);
  for (int i = 0; i < 6; ++i) {
    if (i < 3) v1 += recs[static_cast<std::size_t>(i)] + "\n";
    v2 += recs[static_cast<std::size_t>(i)] + "\n";
  }
  ResumePoint p = parse_bytes(v1).resumes.back();
  ParseOutcome rest = parse_bytes_from(v2, p);
  EXPECT_TRUE(rest.errors.empty());
  EXPECT_EQ(rest.rows.size(), 3u);
}

}  // namespace
}  // namespace flowlens::test
