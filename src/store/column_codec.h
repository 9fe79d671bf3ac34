// Encoding of one column of one row group into a self-describing block, and back.
//
// Raw block layout (then compressed with zstd as a whole):
//   u8  encoding        kIntPlain | kIntDelta | kStringDict | kIpDict | kReal
//   u8  flags           bit 0: a null bitmap follows; bits 1-2: the layout of the values (below)
//   varint rows
//   [null bitmap]       ceil(rows / 8) bytes, bit set = null
//   payload:
//     kIntPlain    zigzag varint per row
//     kIntDelta    varint divisor d, then zigzag varint of (v[i] - v[i-1]) / d (v[-1] = 0);
//                  d is the greatest common divisor of the differences (10,000 for
//                  millisecond timestamps held in 100 ns ticks)
//     kStringDict  varint n, n × (varint length, bytes); u8 code width w; rows × w-byte codes
//     kIpDict      varint n; u8 address width a (4: all IPv4, else 16); n × a bytes;
//                  u8 code width w; rows × w-byte codes
//     kReal        rows × 8-byte IEEE doubles
// The per-row part of the payload (integer varints; for dictionaries the code width byte and
// the fixed-width codes) has one of three layouts, whichever is smallest:
//   plain     one value per row, as above
//   runs      (flags bit 1) varint run count, then per run the varint value and the varint
//             run length: constant MACs, resource ids, record times within a group
//   repeats   (flags bit 2) a bitmap of ceil(rows / 8) bytes, bit set when a row repeats the
//             previous row's value, then the values of the other rows as above: the B and E
//             tuples of one flow share addresses and ports
// For delta-encoded integers the value is the (divided, zigzagged) difference.
// All multi-byte fixed-width values are little-endian.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/column.h"

namespace flowlens::store {

enum class Encoding : std::uint8_t {
  kIntPlain = 1,
  kIntDelta = 2,
  kStringDict = 3,
  kIpDict = 4,
  kReal = 5,
};

// Accumulates the values of one column for one row group.
class ColumnBuilder {
 public:
  ColumnBuilder(ColumnType type, StringKind kind, bool delta);

  void add_int(std::int64_t v) {
    ints_.push_back(v);
    if (!nulls_.empty()) nulls_.push_back(0);
  }
  void add_real(double v) {
    reals_.push_back(v);
    if (!nulls_.empty()) nulls_.push_back(0);
  }
  void add_null();
  // Strings: intern once, then add the code for each row that holds the value.
  std::uint32_t intern(std::string_view s);
  std::uint32_t intern_ip(const IpAddress& ip);
  void add_code(std::uint32_t code) {
    codes_.push_back(code);
    if (!nulls_.empty()) nulls_.push_back(0);
  }
  void add_string(std::string_view s) { add_code(intern(s)); }
  void add_ip(const IpAddress& ip) { add_code(intern_ip(ip)); }

  std::size_t rows() const;
  ColumnType type() const { return type_; }

  struct Stats {
    bool has_minmax = false;
    std::int64_t min = 0;
    std::int64_t max = 0;
  };
  // Encodes the rows (uncompressed block, layout above) and their statistics, then resets.
  void finish(std::string& raw, Stats& stats);

 private:
  void reset();
  ColumnType type_;
  StringKind kind_;
  bool delta_;
  std::vector<std::int64_t> ints_;
  std::vector<double> reals_;
  std::vector<std::uint32_t> codes_;
  std::vector<std::uint8_t> nulls_;  // empty until the first null
  std::vector<std::uint64_t> scratch_;
  static constexpr std::uint32_t kNoCode = 0xffffffff;
  IpAddress last_ip_{};
  std::uint32_t last_ip_code_ = kNoCode;
  std::uint32_t intern_ip_slow(const IpAddress& ip);
  // String dictionary: values in insertion order, and an open-addressing index of codes.
  StringArena arena_;
  std::vector<std::string_view> strings_;
  std::vector<IpAddress> ips_;
  std::vector<std::uint32_t> slots_;  // code + 1; 0 = empty
  std::size_t dict_size() const { return kind_ == StringKind::kIp ? ips_.size() : strings_.size(); }
  void grow_index();
};

// Decodes a raw (decompressed) block into `out` (cleared first). `kind` says how string
// dictionaries of IPs become text. False, with a reason, when the block is malformed.
bool decode_column(std::string_view raw, ColumnType type, ColumnData& out, std::string& error);

}  // namespace flowlens::store
