// Column data as the store writes and reads it.
//
// Types follow KQL's scalar types. Integers of every width, datetimes (100 ns ticks) and
// timespans are held as int64; bools as 0/1; strings dictionary-encoded (a dictionary of
// distinct values and one code per row), which is both how they are stored and how the query
// engine wants them. An optional null bitmap marks missing values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/string_arena.h"

namespace flowlens::store {

enum class ColumnType : std::uint8_t {
  kBool = 1,
  kInt = 2,  // 32-bit in KQL; stored as int64
  kLong = 3,
  kReal = 4,
  kString = 5,
  kDateTime = 6,  // 100 ns ticks since the Unix epoch
  kTimeSpan = 7,  // 100 ns ticks
};

std::string_view type_name(ColumnType t);  // KQL spelling: bool, int, long, real, string, ...
bool is_integral(ColumnType t);            // everything stored as int64

// How a string column's values are produced on write and restored on read.
enum class StringKind : std::uint8_t {
  kText = 0,  // arbitrary UTF-8
  kIp = 1,    // IP addresses: stored as 4- or 16-byte values, read back as canonical text
};

// One column of one row group, in memory.
struct ColumnData {
  ColumnType type = ColumnType::kLong;
  std::vector<std::int64_t> ints;      // integral types
  std::vector<double> reals;           // kReal
  std::vector<std::string_view> dict;  // kString: distinct values (owned by `arena`)
  std::vector<std::uint32_t> codes;    // kString: index into dict, one per row
  std::vector<std::uint8_t> nulls;     // empty: no nulls; else one byte per row, 1 = null
  StringArena arena;

  std::size_t size() const;
  bool is_null(std::size_t row) const { return !nulls.empty() && nulls[row] != 0; }
  std::string_view string_at(std::size_t row) const { return dict[codes[row]]; }
  void clear();
};

}  // namespace flowlens::store
