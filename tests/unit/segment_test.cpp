// Segment files: rows written come back exactly, zone maps describe each row group, and any
// damage to the file (a flipped byte anywhere, truncation) is detected instead of misread.
#include "store/segment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/table_schema.h"
#include "test_support.h"

namespace flowlens::store {
namespace {

namespace fs = std::filesystem;

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flowlens-segment-test-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Writes `rows` IngestErrors rows whose Time is 1000 * row.
std::string write_errors_segment(const fs::path& dir, std::size_t rows) {
  auto w = new_segment_writer(ingest_errors_table());
  for (std::size_t r = 0; r < rows; ++r) {
    w->column(0).add_int(static_cast<std::int64_t>(r) * 1000);
    w->column(1).add_string("source-" + std::to_string(r % 5));
    if (r % 3 == 0) {
      w->column(2).add_null();
    } else {
      w->column(2).add_int(static_cast<std::int64_t>(r));
    }
    w->column(3).add_int(-1);
    w->column(4).add_int(static_cast<std::int64_t>(r) * 17);
    w->column(5).add_string("invalid_json");
    w->column(6).add_string("message " + std::to_string(r));
    w->column(7).add_string("");
    w->row_appended();
  }
  std::string path = (dir / "t.fls").string();
  w->write(path, 12345);
  return path;
}

TEST_F(SegmentTest, RowsRoundTripAcrossRowGroups) {
  const std::size_t rows = kRowGroupRows + 1234;
  std::string path = write_errors_segment(dir_, rows);
  std::string error;
  auto r = SegmentReader::open(path, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->rows(), rows);
  EXPECT_EQ(r->created(), 12345);
  EXPECT_EQ(r->table_id(), static_cast<std::uint16_t>(TableId::kIngestErrors));
  ASSERT_EQ(r->row_groups().size(), 2u);
  EXPECT_EQ(r->row_groups()[0].rows, kRowGroupRows);
  EXPECT_EQ(r->row_groups()[1].min_time, static_cast<std::int64_t>(kRowGroupRows) * 1000);
  EXPECT_EQ(r->row_groups()[1].max_time, static_cast<std::int64_t>(rows - 1) * 1000);
  std::size_t row = 0;
  for (std::size_t g = 0; g < 2; ++g) {
    ColumnData time, source, record, message;
    ASSERT_TRUE(r->read(g, 0, time, error)) << error;
    ASSERT_TRUE(r->read(g, 1, source, error)) << error;
    ASSERT_TRUE(r->read(g, 2, record, error)) << error;
    ASSERT_TRUE(r->read(g, 6, message, error)) << error;
    for (std::size_t i = 0; i < time.size(); ++i, ++row) {
      ASSERT_EQ(time.ints[i], static_cast<std::int64_t>(row) * 1000);
      ASSERT_EQ(source.string_at(i), "source-" + std::to_string(row % 5));
      ASSERT_EQ(record.is_null(i), row % 3 == 0);
      if (row % 3 != 0) {
        ASSERT_EQ(record.ints[i], static_cast<std::int64_t>(row));
      }
      ASSERT_EQ(message.string_at(i), "message " + std::to_string(row));
    }
  }
  EXPECT_EQ(row, rows);
}

TEST_F(SegmentTest, EveryFlippedByteIsDetected) {
  std::string path = write_errors_segment(dir_, 200);
  std::string original = test::read_file(path);
  ASSERT_FALSE(original.empty());
  // Flip one byte at a time (every byte of a small file) and require that opening or reading
  // some block fails.
  for (std::size_t at = 0; at < original.size(); ++at) {
    std::string damaged = original;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    std::string damaged_path = (dir_ / "damaged.fls").string();
    std::ofstream(damaged_path, std::ios::binary | std::ios::trunc) << damaged;
    std::string error;
    auto r = SegmentReader::open(damaged_path, error);
    bool detected = !r;
    if (r) {
      for (std::size_t g = 0; g < r->row_groups().size() && !detected; ++g) {
        for (std::size_t c = 0; c < r->columns().size() && !detected; ++c) {
          ColumnData d;
          detected = !r->read(g, c, d, error);
        }
      }
    }
    // Bytes of the header's creation time and reserved field are not covered by a checksum;
    // everything else is.
    bool unchecked = at >= 12 && at < 24;
    if (!unchecked) {
      EXPECT_TRUE(detected) << "byte " << at << " of " << original.size();
    }
  }
}

TEST_F(SegmentTest, TruncatedFilesAreRejected) {
  std::string path = write_errors_segment(dir_, 100);
  std::string original = test::read_file(path);
  for (std::size_t n :
       {std::size_t{0}, std::size_t{10}, original.size() / 2, original.size() - 1}) {
    std::string cut_path = (dir_ / "cut.fls").string();
    std::ofstream(cut_path, std::ios::binary | std::ios::trunc) << original.substr(0, n);
    std::string error;
    EXPECT_FALSE(SegmentReader::open(cut_path, error)) << n;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace flowlens::store
