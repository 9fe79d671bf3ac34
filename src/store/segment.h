// Segment files: the immutable, checksummed, compressed columnar files that hold table rows.
//
//   offset 0                                                       file end
//   +--------+----------------------------------+-----------+---------+
//   | header | column blocks (zstd frames)      | directory | trailer |
//   +--------+----------------------------------+-----------+---------+
//   header (32 bytes): magic "FLWSEG01", u16 format version, u16 table id, u32 reserved,
//                      i64 created (ticks), u64 row count
//   blocks:            for each row group, for each column, one zstd frame holding the
//                      column's raw block (see column_codec.h)
//   directory:         zstd frame: columns (name, type, string kind), the time column, and
//                      for each row group: row count, min/max of the time column, and for each
//                      column: offset, compressed and raw size, XXH3-64 checksum of the
//                      compressed bytes, min/max of integer values
//   trailer (32 bytes): u64 directory offset, u64 directory size, u64 XXH3-64 of the
//                      directory, magic "FLWSEGND"
// Multi-byte values are little-endian. A file whose trailer, directory or any block fails its
// checksum is rejected as corrupt; nothing in it is returned.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/column.h"
#include "store/column_codec.h"

namespace flowlens::store {

inline constexpr std::uint16_t kSegmentFormatVersion = 1;
inline constexpr std::size_t kRowGroupRows = 65536;  // the default
// Rollup rows are wide (public-IP lists can run to kilobytes): smaller groups bound the memory
// of readers that hold a few decoded groups at once.
inline constexpr std::size_t kRollupRowGroupRows = 16384;

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kLong;
  StringKind kind = StringKind::kText;
  bool delta = false;  // integers: delta-encode (times, sorted ids)
};

struct BlockInfo {
  std::uint64_t offset = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t raw_size = 0;
  std::uint64_t checksum = 0;
  bool has_minmax = false;
  std::int64_t min = 0;
  std::int64_t max = 0;
};

struct RowGroupInfo {
  std::uint64_t rows = 0;
  bool has_time = false;
  std::int64_t min_time = 0;
  std::int64_t max_time = 0;
  std::vector<BlockInfo> blocks;  // one per column
};

// Row groups already encoded and compressed, with their blocks' offsets relative to `data`:
// built on one thread (a SegmentWriter's take_fragment) and appended to a segment on another.
struct SegmentFragment {
  std::vector<RowGroupInfo> row_groups;
  std::string data;
  std::uint64_t rows = 0;
};

// Builds a segment in memory, one row group at a time, and writes it to disk.
class SegmentWriter {
 public:
  // `time_column`: index of the column whose min/max form the zone maps, or -1.
  SegmentWriter(std::uint16_t table_id, std::vector<ColumnSpec> columns, int time_column,
                int zstd_level = 1, std::size_t row_group_rows = kRowGroupRows);

  ColumnBuilder& column(std::size_t i) { return builders_[i]; }
  std::size_t column_count() const { return builders_.size(); }
  // After appending the same number of values to every column: closes the row group when it
  // is full. Returns true when it did.
  bool row_appended();
  // The same for `n` rows at once; the caller never appends past the row group's end.
  bool rows_appended(std::size_t n);
  // Rows appended to the row group still open, and the room left in it.
  std::size_t pending_rows() const { return pending_rows_; }
  std::size_t row_group_room() const { return row_group_rows_ - pending_rows_; }
  // Compresses the rows appended since the last row group into a new row group.
  void flush_row_group();
  // Hands over every row group written so far (closing the open one) and starts over empty.
  SegmentFragment take_fragment();
  // Appends row groups encoded elsewhere (with the same columns) after those written so far.
  void append_fragment(SegmentFragment&& fragment);

  std::uint64_t rows() const { return rows_ + pending_rows_; }
  std::uint64_t compressed_bytes() const { return pieces_size_ + data_.size(); }
  std::int64_t min_time() const { return min_time_; }
  std::int64_t max_time() const { return max_time_; }
  bool has_time() const { return has_time_; }

  // Writes the segment to `path` durably: a temporary file in the same directory, fsync,
  // rename, fsync of the directory. Throws std::runtime_error on I/O failure.
  void write(const std::string& path, std::int64_t created);

 private:
  std::uint16_t table_id_;
  std::vector<ColumnSpec> specs_;
  std::vector<ColumnBuilder> builders_;
  int time_column_;
  int zstd_level_;
  std::size_t row_group_rows_;
  // Compressed blocks in file order (offsets relative to the header end): appended fragments,
  // then the blocks compressed here.
  std::vector<std::string> pieces_;
  std::uint64_t pieces_size_ = 0;
  std::string data_;
  std::vector<RowGroupInfo> row_groups_;
  std::uint64_t rows_ = 0;
  std::uint64_t pending_rows_ = 0;
  bool has_time_ = false;
  std::int64_t min_time_ = 0;
  std::int64_t max_time_ = 0;
  std::string raw_;
};

// Reads a segment file. Keeps the file open, so a segment deleted after open stays readable.
class SegmentReader {
 public:
  // Opens and validates header, trailer and directory. Returns nullptr and `error` on failure.
  static std::unique_ptr<SegmentReader> open(const std::string& path, std::string& error);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  std::uint16_t table_id() const { return table_id_; }
  std::int64_t created() const { return created_; }
  std::uint64_t rows() const { return rows_; }
  const std::vector<ColumnSpec>& columns() const { return columns_; }
  int time_column() const { return time_column_; }
  const std::vector<RowGroupInfo>& row_groups() const { return row_groups_; }
  int column_index(std::string_view name) const;
  std::uint64_t file_size() const { return file_size_; }

  // Reads, verifies and decodes one column of one row group.
  bool read(std::size_t row_group, std::size_t column, ColumnData& out, std::string& error) const;

 private:
  SegmentReader() = default;
  int fd_ = -1;
  std::string path_;
  std::uint16_t table_id_ = 0;
  std::int64_t created_ = 0;
  std::uint64_t rows_ = 0;
  std::uint64_t file_size_ = 0;
  std::vector<ColumnSpec> columns_;
  int time_column_ = -1;
  std::vector<RowGroupInfo> row_groups_;
};

}  // namespace flowlens::store
