#include "store/column_codec.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>

#include "store/varint.h"

namespace flowlens::store {
namespace {

std::uint64_t hash_ip(const IpAddress& ip) {
  std::uint64_t a, b;
  std::memcpy(&a, ip.bytes.data(), 8);
  std::memcpy(&b, ip.bytes.data() + 8, 8);
  std::uint64_t h = (a ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
  h ^= (b + (h >> 29)) * 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

int code_width(std::size_t dict_size) {
  if (dict_size <= 0x100) return 1;
  if (dict_size <= 0x10000) return 2;
  return 4;
}

void put_codes(std::string& out, const std::vector<std::uint32_t>& codes, int width) {
  out += static_cast<char>(width);
  std::size_t at = out.size();
  out.resize(at + codes.size() * static_cast<std::size_t>(width));
  char* p = out.data() + at;
  for (std::uint32_t c : codes) {
    for (int i = 0; i < width; ++i)
      *p++ = static_cast<char>(c >> (8 * i));
  }
}

constexpr std::uint8_t kFlagNulls = 1;
constexpr std::uint8_t kFlagRuns = 2;
constexpr std::uint8_t kFlagRepeats = 4;

// How the per-row values of a block are laid out (see column_codec.h).
enum class Layout { kPlain, kRuns, kRepeats };

std::size_t varint_size(std::uint64_t v) {
  return v < (1u << 7) ? 1 : static_cast<std::size_t>((std::bit_width(v) + 6) / 7);
}

// Sizes of the three layouts for `values`, where `size_of` is the plain size of one value and
// `fixed` what the plain layout adds once (the code width byte).
template <typename T, typename SizeOf>
Layout choose_layout(const std::vector<T>& values, SizeOf&& size_of, std::size_t fixed) {
  std::size_t plain = fixed, runs = 0, repeats = fixed + (values.size() + 7) / 8;
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i + 1;
    while (j < values.size() && values[j] == values[i])
      ++j;
    std::size_t one = size_of(values[i]);
    plain += one * (j - i);
    runs += varint_size(values[i]) + varint_size(j - i);
    repeats += one;
    i = j;
  }
  runs += varint_size(runs);
  if (runs <= plain && runs <= repeats) return Layout::kRuns;
  return repeats < plain ? Layout::kRepeats : Layout::kPlain;
}

// Appends the repeat bitmap of `values` (bit set: same as the previous row).
template <typename T>
void put_repeat_bitmap(std::string& out, const std::vector<T>& values) {
  std::size_t at = out.size();
  out.resize(at + (values.size() + 7) / 8, '\0');
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (values[i] == values[i - 1])
      out[at + i / 8] = static_cast<char>(out[at + i / 8] | (1 << (i % 8)));
  }
}

template <typename T>
void put_runs(std::string& out, const std::vector<T>& values) {
  std::size_t runs = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    runs += i == 0 || values[i] != values[i - 1];
  put_varint(out, runs);
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i + 1;
    while (j < values.size() && values[j] == values[i])
      ++j;
    put_varint(out, values[i]);
    put_varint(out, j - i);
    i = j;
  }
}

// Integers (already zigzag / delta transformed): varints in the chosen layout.
// Appends the varints of the values for which keep(i) holds, writing through a pointer into
// space reserved once (appending byte runs one value at a time was a tenth of ingest time).
template <typename Keep>
void put_varint_values(std::string& out, const std::vector<std::uint64_t>& values, Keep&& keep) {
  std::size_t at = out.size();
  out.resize(at + values.size() * 10);
  char* p = out.data() + at;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!keep(i)) continue;
    std::uint64_t v = values[i];
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
  }
  out.resize(static_cast<std::size_t>(p - out.data()));
}

Layout put_varints(std::string& out, const std::vector<std::uint64_t>& values) {
  Layout layout = choose_layout(values, varint_size, 0);
  switch (layout) {
    case Layout::kRuns:
      put_runs(out, values);
      break;
    case Layout::kRepeats:
      put_repeat_bitmap(out, values);
      put_varint_values(out, values,
                        [&](std::size_t i) { return i == 0 || values[i] != values[i - 1]; });
      break;
    case Layout::kPlain:
      put_varint_values(out, values, [](std::size_t) { return true; });
      break;
  }
  return layout;
}

// Dictionary codes: fixed width (after a width byte), in the chosen layout.
Layout put_code_column(std::string& out, const std::vector<std::uint32_t>& codes,
                       std::size_t dict_size) {
  int width = code_width(dict_size);
  Layout layout = choose_layout(
      codes, [width](std::uint32_t) { return static_cast<std::size_t>(width); }, 1);
  switch (layout) {
    case Layout::kRuns:
      put_runs(out, codes);
      break;
    case Layout::kRepeats: {
      put_repeat_bitmap(out, codes);
      std::vector<std::uint32_t> fresh;
      for (std::size_t i = 0; i < codes.size(); ++i) {
        if (i == 0 || codes[i] != codes[i - 1]) fresh.push_back(codes[i]);
      }
      put_codes(out, fresh, width);
      break;
    }
    case Layout::kPlain:
      put_codes(out, codes, width);
      break;
  }
  return layout;
}

std::uint8_t layout_flag(Layout layout) {
  return layout == Layout::kRuns ? kFlagRuns : layout == Layout::kRepeats ? kFlagRepeats : 0;
}

}  // namespace

ColumnBuilder::ColumnBuilder(ColumnType type, StringKind kind, bool delta)
    : type_(type), kind_(kind), delta_(delta) {}

void ColumnBuilder::add_null() {
  if (nulls_.empty()) nulls_.assign(rows(), 0);
  nulls_.push_back(1);
  if (type_ == ColumnType::kString) {
    codes_.push_back(intern(std::string_view{}));
  } else if (type_ == ColumnType::kReal) {
    reals_.push_back(0);
  } else {
    ints_.push_back(0);
  }
}

std::size_t ColumnBuilder::rows() const {
  if (type_ == ColumnType::kString) return codes_.size();
  if (type_ == ColumnType::kReal) return reals_.size();
  return ints_.size();
}

void ColumnBuilder::grow_index() {
  std::size_t size = slots_.empty() ? 256 : slots_.size() * 2;
  slots_.assign(size, 0);
  std::size_t mask = size - 1;
  for (std::uint32_t code = 0; code < dict_size(); ++code) {
    std::uint64_t h = kind_ == StringKind::kIp
                          ? hash_ip(ips_[code])
                          : XXH3_64bits(strings_[code].data(), strings_[code].size());
    std::size_t i = h & mask;
    while (slots_[i] != 0)
      i = (i + 1) & mask;
    slots_[i] = code + 1;
  }
}

std::uint32_t ColumnBuilder::intern(std::string_view s) {
  if (kind_ == StringKind::kIp) {
    IpAddress ip{};
    if (!s.empty()) parse_ip(s, ip);
    return intern_ip(ip);
  }
  if (2 * (strings_.size() + 1) > slots_.size()) grow_index();
  std::size_t mask = slots_.size() - 1;
  std::size_t i = XXH3_64bits(s.data(), s.size()) & mask;
  for (;; i = (i + 1) & mask) {
    std::uint32_t slot = slots_[i];
    if (slot == 0) break;
    if (strings_[slot - 1] == s) return slot - 1;
  }
  auto code = static_cast<std::uint32_t>(strings_.size());
  strings_.push_back(arena_.copy(s));
  slots_[i] = code + 1;
  return code;
}

std::uint32_t ColumnBuilder::intern_ip(const IpAddress& ip) {
  // Consecutive rows often repeat an address (the capturing NIC's own).
  if (last_ip_code_ != kNoCode && ip == last_ip_) return last_ip_code_;
  last_ip_ = ip;
  last_ip_code_ = intern_ip_slow(ip);
  return last_ip_code_;
}

std::uint32_t ColumnBuilder::intern_ip_slow(const IpAddress& ip) {
  if (2 * (ips_.size() + 1) > slots_.size()) grow_index();
  std::size_t mask = slots_.size() - 1;
  std::size_t i = hash_ip(ip) & mask;
  for (;; i = (i + 1) & mask) {
    std::uint32_t slot = slots_[i];
    if (slot == 0) break;
    if (ips_[slot - 1] == ip) return slot - 1;
  }
  auto code = static_cast<std::uint32_t>(ips_.size());
  ips_.push_back(ip);
  slots_[i] = code + 1;
  return code;
}

void ColumnBuilder::finish(std::string& raw, Stats& stats) {
  raw.clear();
  std::size_t n = rows();
  Encoding encoding;
  if (type_ == ColumnType::kString) {
    encoding = kind_ == StringKind::kIp ? Encoding::kIpDict : Encoding::kStringDict;
  } else if (type_ == ColumnType::kReal) {
    encoding = Encoding::kReal;
  } else {
    encoding = delta_ ? Encoding::kIntDelta : Encoding::kIntPlain;
  }
  raw += static_cast<char>(encoding);
  raw += static_cast<char>(nulls_.empty() ? 0 : kFlagNulls);
  Layout layout = Layout::kPlain;
  put_varint(raw, n);
  if (!nulls_.empty()) {
    std::size_t at = raw.size();
    raw.resize(at + (n + 7) / 8, '\0');
    for (std::size_t r = 0; r < n; ++r) {
      if (nulls_[r]) raw[at + r / 8] = static_cast<char>(raw[at + r / 8] | (1 << (r % 8)));
    }
  }
  stats = Stats{};
  switch (encoding) {
    case Encoding::kIntPlain:
    case Encoding::kIntDelta: {
      bool any = false;
      for (std::size_t r = 0; r < n; ++r) {
        if (!nulls_.empty() && nulls_[r]) continue;
        std::int64_t v = ints_[r];
        stats.min = any ? std::min(stats.min, v) : v;
        stats.max = any ? std::max(stats.max, v) : v;
        any = true;
      }
      stats.has_minmax = any;
      std::vector<std::uint64_t>& values = scratch_;
      values.resize(n);
      if (encoding == Encoding::kIntPlain) {
        for (std::size_t r = 0; r < n; ++r)
          values[r] = zigzag(ints_[r]);
        layout = put_varints(raw, values);
        break;
      }
      // Differences wrap around in unsigned arithmetic, so any int64 sequence round-trips.
      std::uint64_t divisor = 0;
      std::int64_t previous = 0;
      for (std::int64_t v : ints_) {
        auto d = static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(previous);
        auto magnitude = static_cast<std::uint64_t>(static_cast<std::int64_t>(d) < 0 ? -d : d);
        // Usually the step is a multiple of the divisor already (millisecond times): one
        // division instead of a gcd; and once the divisor is 1 nothing can change it.
        if (divisor != 1 && (divisor == 0 || magnitude % divisor != 0)) {
          divisor = std::gcd(divisor, magnitude);
        }
        previous = v;
      }
      if (divisor == 0) divisor = 1;
      put_varint(raw, divisor);
      previous = 0;
      for (std::size_t r = 0; r < n; ++r) {
        std::int64_t v = ints_[r];
        auto d = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) -
                                           static_cast<std::uint64_t>(previous));
        values[r] = zigzag(d / static_cast<std::int64_t>(divisor));
        previous = v;
      }
      layout = put_varints(raw, values);
      break;
    }
    case Encoding::kStringDict: {
      put_varint(raw, strings_.size());
      for (std::string_view s : strings_) {
        put_varint(raw, s.size());
        raw.append(s.data(), s.size());
      }
      layout = put_code_column(raw, codes_, strings_.size());
      break;
    }
    case Encoding::kIpDict: {
      put_varint(raw, ips_.size());
      bool all_v4 = true;
      for (const IpAddress& ip : ips_)
        all_v4 = all_v4 && ip.is_v4();
      int width = all_v4 ? 4 : 16;
      raw += static_cast<char>(width);
      for (const IpAddress& ip : ips_) {
        raw.append(reinterpret_cast<const char*>(ip.bytes.data()) + (16 - width),
                   static_cast<std::size_t>(width));
      }
      layout = put_code_column(raw, codes_, ips_.size());
      break;
    }
    case Encoding::kReal: {
      std::size_t at = raw.size();
      raw.resize(at + n * 8);
      std::memcpy(raw.data() + at, reals_.data(), n * 8);
      break;
    }
  }
  raw[1] = static_cast<char>(raw[1] | layout_flag(layout));
  reset();
}

void ColumnBuilder::reset() {
  ints_.clear();
  reals_.clear();
  codes_.clear();
  nulls_.clear();
  strings_.clear();
  ips_.clear();
  slots_.clear();
  arena_.clear();
  last_ip_code_ = kNoCode;
}

bool decode_column(std::string_view raw, ColumnType type, ColumnData& out, std::string& error) {
  out.clear();
  out.type = type;
  std::size_t pos = 0;
  auto fail = [&error](const char* why) {
    error = why;
    return false;
  };
  if (raw.size() < 2) return fail("block too short");
  auto encoding = static_cast<Encoding>(raw[0]);
  auto flags = static_cast<std::uint8_t>(raw[1]);
  pos = 2;
  std::uint64_t n = 0;
  if (!get_varint(raw, pos, n) || n > std::numeric_limits<std::uint32_t>::max()) {
    return fail("bad row count");
  }
  bool runs = (flags & kFlagRuns) != 0;
  bool repeats = (flags & kFlagRepeats) != 0;
  if ((flags & ~(kFlagNulls | kFlagRuns | kFlagRepeats)) != 0 || (runs && repeats)) {
    return fail("unknown flags");
  }
  // Repeat form: a bitmap (bit set: the row repeats the previous one), then values for the
  // other rows only.
  std::string_view repeat_bits;
  auto read_repeat_bitmap = [&]() {
    std::size_t bytes = static_cast<std::size_t>((n + 7) / 8);
    if (raw.size() - pos < bytes) return fail("truncated repeat bitmap");
    repeat_bits = raw.substr(pos, bytes);
    pos += bytes;
    if (n > 0 && (repeat_bits[0] & 1) != 0) return fail("first row marked as a repeat");
    return true;
  };
  auto is_repeat = [&](std::size_t r) {
    return ((static_cast<std::uint8_t>(repeat_bits[r / 8]) >> (r % 8)) & 1) != 0;
  };
  // Run-length form: (value, length) varint pairs covering exactly n rows.
  auto read_runs = [&](auto&& store_run) {
    std::uint64_t count = 0;
    if (!get_varint(raw, pos, count) || count > n) return fail("bad run count");
    std::uint64_t row = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      std::uint64_t value = 0, length = 0;
      if (!get_varint(raw, pos, value) || !get_varint(raw, pos, length)) {
        return fail("truncated runs");
      }
      if (length == 0 || length > n - row) return fail("runs do not cover the rows");
      if (!store_run(value, row, length)) return false;
      row += length;
    }
    if (row != n) return fail("runs do not cover the rows");
    return true;
  };
  if (flags & kFlagNulls) {
    std::size_t bytes = static_cast<std::size_t>((n + 7) / 8);
    if (raw.size() - pos < bytes) return fail("truncated null bitmap");
    out.nulls.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      out.nulls[r] = (static_cast<std::uint8_t>(raw[pos + r / 8]) >> (r % 8)) & 1;
    }
    pos += bytes;
  }
  auto read_codes = [&](std::size_t dict_size) {
    if (runs) {
      out.codes.resize(n);
      return read_runs([&](std::uint64_t code, std::uint64_t row, std::uint64_t length) {
        if (code >= dict_size) return fail("code outside the dictionary");
        std::fill_n(out.codes.begin() + static_cast<std::ptrdiff_t>(row), length,
                    static_cast<std::uint32_t>(code));
        return true;
      });
    }
    if (repeats && !read_repeat_bitmap()) return false;
    std::size_t fresh = n;
    if (repeats) {
      for (std::size_t r = 0; r < n; ++r)
        fresh -= is_repeat(r);
    }
    if (pos >= raw.size()) return fail("missing code width");
    int width = raw[pos++];
    if (width != 1 && width != 2 && width != 4) return fail("bad code width");
    if (raw.size() - pos < fresh * static_cast<std::size_t>(width)) return fail("truncated codes");
    out.codes.resize(n);
    const auto* p = reinterpret_cast<const std::uint8_t*>(raw.data() + pos);
    for (std::size_t r = 0; r < n; ++r) {
      if (repeats && is_repeat(r)) {
        out.codes[r] = out.codes[r - 1];
        continue;
      }
      std::uint32_t c = 0;
      for (int i = 0; i < width; ++i)
        c |= static_cast<std::uint32_t>(p[i]) << (8 * i);
      p += width;
      if (c >= dict_size) return fail("code outside the dictionary");
      out.codes[r] = c;
    }
    pos += fresh * static_cast<std::size_t>(width);
    return true;
  };
  switch (encoding) {
    case Encoding::kIntPlain:
    case Encoding::kIntDelta: {
      if (!is_integral(type)) return fail("integer block for a non-integer column");
      out.ints.resize(n);
      std::uint64_t divisor = 1;
      if (encoding == Encoding::kIntDelta && (!get_varint(raw, pos, divisor) || divisor == 0)) {
        return fail("bad divisor");
      }
      std::uint64_t previous = 0;
      auto store = [&](std::uint64_t v, std::size_t r) {
        if (encoding == Encoding::kIntPlain) {
          out.ints[r] = unzigzag(v);
        } else {
          previous += static_cast<std::uint64_t>(unzigzag(v)) * divisor;
          out.ints[r] = static_cast<std::int64_t>(previous);
        }
      };
      if (runs) {
        if (!read_runs([&](std::uint64_t v, std::uint64_t row, std::uint64_t length) {
              for (std::uint64_t r = row; r < row + length; ++r)
                store(v, r);
              return true;
            })) {
          return false;
        }
        break;
      }
      if (repeats && !read_repeat_bitmap()) return false;
      std::uint64_t v = 0;
      for (std::size_t r = 0; r < n; ++r) {
        if (!(repeats && is_repeat(r)) && !get_varint(raw, pos, v)) {
          return fail("truncated integers");
        }
        store(v, r);  // a repeated row reuses the previous value (delta: the same step)
      }
      break;
    }
    case Encoding::kStringDict: {
      if (type != ColumnType::kString) return fail("string block for a non-string column");
      std::uint64_t count = 0;
      if (!get_varint(raw, pos, count) || count > raw.size()) return fail("bad dictionary size");
      out.dict.reserve(count);
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t len = 0;
        if (!get_varint(raw, pos, len) || raw.size() - pos < len) return fail("truncated string");
        out.dict.push_back(out.arena.copy(raw.substr(pos, len)));
        pos += len;
      }
      if (!read_codes(count)) return false;
      break;
    }
    case Encoding::kIpDict: {
      if (type != ColumnType::kString) return fail("address block for a non-string column");
      std::uint64_t count = 0;
      if (!get_varint(raw, pos, count) || count > raw.size()) return fail("bad dictionary size");
      if (pos >= raw.size()) return fail("missing address width");
      int width = raw[pos++];
      if (width != 4 && width != 16) return fail("bad address width");
      if (raw.size() - pos < count * static_cast<std::size_t>(width)) {
        return fail("truncated addresses");
      }
      out.dict.reserve(count);
      char text[kMaxIpTextLength];
      for (std::uint64_t i = 0; i < count; ++i) {
        IpAddress ip{};
        if (width == 4) {
          ip.bytes[10] = ip.bytes[11] = 0xff;
        }
        std::memcpy(ip.bytes.data() + (16 - width), raw.data() + pos,
                    static_cast<std::size_t>(width));
        pos += static_cast<std::size_t>(width);
        // The all-zero address stands for "no address" (a null or empty value).
        bool empty = width == 16 && ip == IpAddress{};
        out.dict.push_back(empty ? std::string_view{}
                                 : out.arena.copy(std::string_view(text, format_ip(ip, text))));
      }
      if (!read_codes(count)) return false;
      break;
    }
    case Encoding::kReal: {
      if (type != ColumnType::kReal) return fail("real block for a non-real column");
      if (raw.size() - pos < n * 8) return fail("truncated reals");
      out.reals.resize(n);
      std::memcpy(out.reals.data(), raw.data() + pos, n * 8);
      pos += n * 8;
      break;
    }
    default:
      return fail("unknown encoding");
  }
  if (pos != raw.size()) return fail("trailing bytes in block");
  return true;
}

}  // namespace flowlens::store
