#include "flowlog/tuple_parser.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace flowlens {
namespace {

// The helpers below are small and called once per field; GCC would otherwise keep some as
// calls on the hot path.
#define FLOWLENS_INLINE [[gnu::always_inline]] inline

// Outcome of the fast path: which field failed and why. Messages are built only on failure.
struct FieldFailure {
  ParseErrorCode code;
  int field;
};

constexpr std::array<std::string_view, 13> kVNetFieldNames = {
    "timestamp",       "source IP",         "destination IP", "source port", "destination port",
    "protocol",        "direction",         "flow state",     "encryption",  "packets src->dest",
    "bytes src->dest", "packets dest->src", "bytes dest->src"};
constexpr std::array<std::string_view, 13> kNsgFieldNames = {
    "timestamp",       "source IP",         "destination IP", "source port", "destination port",
    "protocol",        "direction",         "decision",       "flow state",  "packets src->dest",
    "bytes src->dest", "packets dest->src", "bytes dest->src"};

// Milliseconds at 9999-12-31T23:59:59.999Z; anything above is not a plausible timestamp.
constexpr std::uint64_t kMaxEpochMillis = 253402300799999ULL;
// Below this a timestamp is read as seconds (1e11 s is the year 5138; 1e11 ms is 1973).
constexpr std::uint64_t kSecondsMillisBoundary = 100000000000ULL;

inline bool is_digit(char c) {
  return static_cast<unsigned char>(c - '0') < 10;
}

// True when all eight bytes are ASCII digits.
FLOWLENS_INLINE bool eight_digits(std::uint64_t chunk) {
  return (chunk & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL &&
         ((chunk + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL;
}

// Value of eight ASCII digits loaded little-endian (the first digit in the lowest byte).
FLOWLENS_INLINE std::uint32_t eight_digit_value(std::uint64_t chunk) {
  chunk = ((chunk & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
  chunk = ((chunk & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
  return static_cast<std::uint32_t>(((chunk & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32);
}

// Value of the first `len` (1-8) bytes at p as decimal digits, or false if any is not a digit.
// Loads 8 bytes whatever `len` is (the tuple's padding makes that safe), moves the digits to
// the top of the word and fills the bottom with '0', then converts all eight at once.
FLOWLENS_INLINE bool short_decimal(const char* p, std::size_t len, std::uint64_t& value) {
  std::uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  if (len < 8) {
    chunk = (chunk << (8 * (8 - len))) | (0x3030303030303030ULL >> (8 * len));
  }
  if (!eight_digits(chunk)) return false;
  value = eight_digit_value(chunk);
  return true;
}

// Parses field [p, p+len) as an unsigned decimal of 1-19 digits (so it fits in 64 bits).
// Needs 8 readable bytes after the field.
FLOWLENS_INLINE bool parse_decimal(const char* p, std::size_t len, std::uint64_t& value) {
  if (len == 0 || len > 19) return false;
  if (len <= 4) {
    // Short numbers (ports, protocol, small counters): a plain loop is quickest on real logs.
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < len; ++i) {
      auto d = static_cast<unsigned char>(p[i] - '0');
      if (d > 9) return false;
      v = v * 10 + d;
    }
    value = v;
    return true;
  }
  if (len <= 8) return short_decimal(p, len, value);
  std::uint64_t high = 0, low = 0;
  if (len <= 16) {
    if (!short_decimal(p, len - 8, high) || !short_decimal(p + len - 8, 8, low)) return false;
    value = high * 100000000ULL + low;
    return true;
  }
  std::uint64_t middle = 0;
  if (!short_decimal(p, len - 16, high) || !short_decimal(p + len - 16, 8, middle) ||
      !short_decimal(p + len - 8, 8, low)) {
    return false;
  }
  value = (high * 100000000ULL + middle) * 100000000ULL + low;
  return true;
}

// One IPv4 octet of 1-3 digits, no leading zero, at most 255.
FLOWLENS_INLINE bool octet(const char* p, std::size_t len, std::uint32_t& value) {
  auto d0 = static_cast<std::uint32_t>(static_cast<unsigned char>(p[0] - '0'));
  switch (len) {
    case 1:
      value = d0;
      return d0 <= 9;
    case 2: {
      auto d1 = static_cast<std::uint32_t>(static_cast<unsigned char>(p[1] - '0'));
      value = d0 * 10 + d1;
      return d0 >= 1 && d0 <= 9 && d1 <= 9;
    }
    case 3: {
      auto d1 = static_cast<std::uint32_t>(static_cast<unsigned char>(p[1] - '0'));
      auto d2 = static_cast<std::uint32_t>(static_cast<unsigned char>(p[2] - '0'));
      value = d0 * 100 + d1 * 10 + d2;
      return d0 >= 1 && d0 <= 9 && d1 <= 9 && d2 <= 9 && value <= 255;
    }
    default:
      return false;
  }
}

// Parses an address field at [p, p+len). `dots` has bit i set where the field's byte i is a
// '.' (bits for the whole field). Dotted-quad IPv4 is parsed in place; anything with a ':'
// goes to inet_pton as IPv6. A malformed IPv4 address is never handed to inet_pton to guess.
FLOWLENS_INLINE bool parse_address(const char* p, std::size_t len, std::uint64_t dots,
                                   IpAddress& out) {
  // Exactly three dots. (No popcount: the x86-64 baseline lacks the instruction.)
  std::uint64_t d1 = dots & (dots - 1), d2 = d1 & (d1 - 1), d3 = d2 & (d2 - 1);
  if (len >= 7 && len <= 15 && d2 != 0 && d3 == 0) {
    auto a = static_cast<std::size_t>(__builtin_ctzll(dots));
    auto b = static_cast<std::size_t>(__builtin_ctzll(d1));
    auto c = static_cast<std::size_t>(__builtin_ctzll(d2));
    std::uint32_t o0, o1, o2, o3;
    if (octet(p, a, o0) && octet(p + a + 1, b - a - 1, o1) && octet(p + b + 1, c - b - 1, o2) &&
        octet(p + c + 1, len - c - 1, o3)) {
      out = IpAddress::from_v4((o0 << 24) | (o1 << 16) | (o2 << 8) | o3);
      return true;
    }
    // Not a dotted quad; it may still be IPv6 with an IPv4 tail (::ffff:1.2.3.4).
  }
  std::string_view text(p, len);
  if (text.find(':') == std::string_view::npos) return false;
  return parse_ip(text, out);
}

// Counter: empty means zero; otherwise 1-19 digits within the signed 64-bit range.
FLOWLENS_INLINE bool parse_counter(const char* p, std::size_t len, std::int64_t& value,
                                   ParseErrorCode& code) {
  if (len == 0) {
    value = 0;
    return true;
  }
  std::uint64_t v = 0;
  if (!parse_decimal(p, len, v)) {
    bool digits_only = true;
    for (std::size_t i = 0; i < len; ++i)
      digits_only = digits_only && is_digit(p[i]);
    code = p[0] == '-'   ? ParseErrorCode::negative_counter
           : digits_only ? ParseErrorCode::counter_overflow
                         : ParseErrorCode::invalid_counter;
    return false;
  }
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    code = ParseErrorCode::counter_overflow;
    return false;
  }
  value = static_cast<std::int64_t>(v);
  return true;
}

FLOWLENS_INLINE bool parse_port(const char* p, std::size_t len, std::uint16_t& port,
                                ParseErrorCode& code) {
  std::uint64_t v = 0;
  if (len <= 5 && parse_decimal(p, len, v) && v <= 65535) {
    port = static_cast<std::uint16_t>(v);
    return true;
  }
  bool digits_only = len > 0;
  for (std::size_t i = 0; i < len; ++i)
    digits_only = digits_only && is_digit(p[i]);
  code = digits_only ? ParseErrorCode::port_out_of_range : ParseErrorCode::invalid_port;
  return false;
}

FLOWLENS_INLINE bool parse_protocol(const char* p, std::size_t len, std::uint8_t& protocol) {
  if (len == 1 && p[0] == 'T') {
    protocol = 6;
    return true;
  }
  if (len == 1 && p[0] == 'U') {
    protocol = 17;
    return true;
  }
  std::uint64_t v = 0;
  if (len > 3 || !parse_decimal(p, len, v) || v > 255) return false;
  protocol = static_cast<std::uint8_t>(v);
  return true;
}

// Encryption: X, NX, or NX_ followed by upper-case letters, digits and underscores.
FLOWLENS_INLINE bool valid_encryption(std::string_view code) {
  if (code.size() == 2 && code[0] == 'N' && code[1] == 'X') return true;
  if (code.size() == 1 && code[0] == 'X') return true;
  if (code.size() < 4 || code.size() > 64 || code.substr(0, 3) != "NX_") return false;
  for (char c : code.substr(3)) {
    if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == '_')) return false;
  }
  return true;
}

// Flow state by letter; kNone for anything else. A table, not a switch: states are mixed at
// random in real logs, so a branch per tuple would often be mispredicted.
constexpr std::array<FlowState, 256> make_state_table(bool allow_deny) {
  std::array<FlowState, 256> t{};
  for (auto& v : t)
    v = FlowState::kNone;
  t['B'] = FlowState::kBegin;
  t['C'] = FlowState::kContinuing;
  t['E'] = FlowState::kEnd;
  if (allow_deny) t['D'] = FlowState::kDeny;
  return t;
}
constexpr std::array<FlowState, 256> kVNetStates = make_state_table(true);
constexpr std::array<FlowState, 256> kNsgStates = make_state_table(false);

FLOWLENS_INLINE FlowState state_of(const char* p, std::size_t len, bool allow_deny) {
  FlowState s = (allow_deny ? kVNetStates : kNsgStates)[static_cast<unsigned char>(p[0])];
  return len == 1 ? s : FlowState::kNone;
}

// The fast path. Reads whole 16-byte blocks, so at least 16 bytes after the tuple must be
// readable (their content is ignored). Returns field -1 on success.
FLOWLENS_INLINE FieldFailure parse_fields(std::string_view text, TupleLayout layout,
                                          ParsedTuple& out) {
  constexpr FieldFailure kOk{ParseErrorCode::invalid_json, -1};
  const char* buf = text.data();
  const std::size_t n = text.size();

  // Field boundaries: the positions of the commas. Dots in the first 64 bytes, where IPv4
  // addresses lie, are collected on the way.
  std::uint32_t comma[13];
  int commas = 0;
  std::uint64_t dots = 0;
  for (std::size_t i = 0; i < n; i += 16) {
#if defined(__SSE2__)
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + i));
    auto mask =
        static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8(','))));
    auto dot_mask =
        static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8('.'))));
#else
    std::uint32_t mask = 0, dot_mask = 0;
    for (int b = 0; b < 16; ++b) {
      mask |= static_cast<std::uint32_t>(buf[i + b] == ',') << b;
      dot_mask |= static_cast<std::uint32_t>(buf[i + b] == '.') << b;
    }
#endif
    if (n - i < 16) {
      std::uint32_t valid = (1u << (n - i)) - 1;  // bytes past the tuple are not ours
      mask &= valid;
      dot_mask &= valid;
    }
    if (i < 64) dots |= static_cast<std::uint64_t>(dot_mask) << i;
    while (mask != 0) {
      if (commas == 12) return {ParseErrorCode::tuple_field_count, 12};
      comma[commas++] =
          static_cast<std::uint32_t>(i) + static_cast<std::uint32_t>(__builtin_ctz(mask));
      mask &= mask - 1;
    }
  }
  const int fields = commas + 1;
  if (fields != 13 && !(layout == TupleLayout::kNsg && fields == 8)) {
    return {ParseErrorCode::tuple_field_count, fields};
  }
  comma[commas] = static_cast<std::uint32_t>(n);
  auto begin = [&](int f) -> const char* { return buf + (f == 0 ? 0 : comma[f - 1] + 1); };
  auto length = [&](int f) -> std::size_t { return comma[f] - (f == 0 ? 0 : comma[f - 1] + 1); };

  std::uint64_t ts = 0;
  if (!parse_decimal(begin(0), length(0), ts) || ts > kMaxEpochMillis) {
    return {ParseErrorCode::invalid_timestamp, 0};
  }
  out.time = ts < kSecondsMillisBoundary ? static_cast<Ticks>(ts) * kTicksPerSecond
                                         : static_cast<Ticks>(ts) * kTicksPerMillisecond;
  // Dots of field f, shifted to start at bit 0; fields reaching past byte 63 get none (and so
  // take the IPv6/slow path, which re-checks everything).
  auto field_dots = [&](int f) -> std::uint64_t {
    std::size_t start = static_cast<std::size_t>(begin(f) - buf), len = length(f);
    if (start + len > 64 || len > 15) return 0;
    return (dots >> start) & ((std::uint64_t{1} << len) - 1);
  };
  if (!parse_address(begin(1), length(1), field_dots(1), out.src_ip)) {
    return {ParseErrorCode::invalid_ip, 1};
  }
  if (!parse_address(begin(2), length(2), field_dots(2), out.dest_ip)) {
    return {ParseErrorCode::invalid_ip, 2};
  }
  ParseErrorCode code = ParseErrorCode::invalid_port;
  if (!parse_port(begin(3), length(3), out.src_port, code)) return {code, 3};
  if (!parse_port(begin(4), length(4), out.dest_port, code)) return {code, 4};
  if (!parse_protocol(begin(5), length(5), out.protocol))
    return {ParseErrorCode::invalid_protocol, 5};
  char c = length(6) == 1 ? *begin(6) : 0;
  bool outbound = c == 'O';
  if (!(outbound || c == 'I')) return {ParseErrorCode::invalid_direction, 6};
  out.direction = outbound ? FlowDirection::kOutbound : FlowDirection::kInbound;
  c = length(7) == 1 ? *begin(7) : 0;
  if (layout == TupleLayout::kVNet) {
    out.state = state_of(begin(7), length(7), true);
    if (out.state == FlowState::kNone) return {ParseErrorCode::invalid_state, 7};
    out.status = out.state == FlowState::kDeny ? FlowStatus::kDenied : FlowStatus::kAllowed;
    std::string_view enc(begin(8), length(8));
    if (!valid_encryption(enc)) return {ParseErrorCode::invalid_encryption, 8};
    out.encryption = enc;
    out.version = 4;
  } else {
    bool denied = c == 'D';
    if (!(denied || c == 'A')) return {ParseErrorCode::invalid_decision, 7};
    out.status = denied ? FlowStatus::kDenied : FlowStatus::kAllowed;
    out.encryption = {};
    if (fields == 8) {
      out.version = 1;
      out.state = FlowState::kNone;
      out.packets_src_to_dest = out.bytes_src_to_dest = 0;
      out.packets_dest_to_src = out.bytes_dest_to_src = 0;
      return kOk;
    }
    out.state = state_of(begin(8), length(8), false);
    if (out.state == FlowState::kNone) return {ParseErrorCode::invalid_state, 8};
    out.version = 2;
  }
  std::int64_t* counters[4] = {&out.packets_src_to_dest, &out.bytes_src_to_dest,
                               &out.packets_dest_to_src, &out.bytes_dest_to_src};
  for (int k = 0; k < 4; ++k) {
    if (!parse_counter(begin(9 + k), length(9 + k), *counters[k], code)) return {code, 9 + k};
  }
  return kOk;
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(text.substr(start));
      return fields;
    }
    fields.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

std::string quoted(std::string_view field) {
  if (field.size() > 48) return fmt::format("\"{}...\"", field.substr(0, 48));
  return fmt::format("\"{}\"", field);
}

// Builds the message for a failed tuple. A wrong field count is reported in preference to a
// bad field, because with a field missing every later field is misread.
TupleProblem explain(std::string_view text, TupleLayout layout, FieldFailure failure) {
  std::vector<std::string_view> fields = split_fields(text);
  std::size_t n = fields.size();
  if (layout == TupleLayout::kVNet && n != 13) {
    return {ParseErrorCode::tuple_field_count,
            fmt::format("expected 13 comma-separated fields (VNet flow log v4), found {}", n)};
  }
  if (layout == TupleLayout::kNsg && n != 8 && n != 13) {
    return {
        ParseErrorCode::tuple_field_count,
        fmt::format("expected 8 (NSG flow log v1) or 13 (v2) comma-separated fields, found {}", n)};
  }
  const auto& names = layout == TupleLayout::kVNet ? kVNetFieldNames : kNsgFieldNames;
  int index = failure.field;
  std::string_view field = index >= 0 && static_cast<std::size_t>(index) < n
                               ? fields[static_cast<std::size_t>(index)]
                               : std::string_view{};
  std::string_view name = index >= 0 && index < 13 ? names[static_cast<std::size_t>(index)] : "";
  std::string detail;
  switch (failure.code) {
    case ParseErrorCode::invalid_timestamp:
      detail = "is not an epoch time in seconds or milliseconds up to the year 9999";
      break;
    case ParseErrorCode::invalid_ip:
      detail = "is not an IPv4 or IPv6 address";
      break;
    case ParseErrorCode::invalid_port:
      detail = "is not a decimal port number";
      break;
    case ParseErrorCode::port_out_of_range:
      detail = "is out of the port range 0-65535";
      break;
    case ParseErrorCode::invalid_protocol:
      detail = "is not T, U or an IANA protocol number 0-255";
      break;
    case ParseErrorCode::invalid_direction:
      detail = "is not I (inbound) or O (outbound)";
      break;
    case ParseErrorCode::invalid_state:
      detail = layout == TupleLayout::kVNet ? "is not B, C, E or D" : "is not B, C or E";
      break;
    case ParseErrorCode::invalid_decision:
      detail = "is not A (allowed) or D (denied)";
      break;
    case ParseErrorCode::invalid_encryption:
      detail = "is not X, NX or NX_<REASON>";
      break;
    case ParseErrorCode::invalid_counter:
      detail = "is not empty or a decimal number";
      break;
    case ParseErrorCode::negative_counter:
      detail = "is negative";
      break;
    case ParseErrorCode::counter_overflow:
      detail = "exceeds 9223372036854775807";
      break;
    default:
      detail = "is invalid";
      break;
  }
  return {failure.code, fmt::format("field {} ({}) {} {}", index, name, quoted(field), detail)};
}

}  // namespace

bool parse_tuple_padded(std::string_view text, TupleLayout layout, ParsedTuple& out,
                        TupleProblem& problem) {
  if (text.size() > kMaxTupleLength) {
    problem = {ParseErrorCode::tuple_too_long,
               fmt::format("tuple is {} bytes long; real tuples are under {} bytes", text.size(),
                           kMaxTupleLength)};
    return false;
  }
  FieldFailure failure = parse_fields(text, layout, out);
  if (failure.field < 0) [[likely]] {
    return true;
  }
  problem = explain(text, layout, failure);
  return false;
}

bool parse_tuple(std::string_view text, TupleLayout layout, ParsedTuple& out,
                 TupleProblem& problem) {
  if (text.size() > kMaxTupleLength) return parse_tuple_padded(text, layout, out, problem);
  char buf[kMaxTupleLength + kTuplePadding];
  std::memcpy(buf, text.data(), text.size());
  std::memset(buf + text.size(), 0, kTuplePadding);
  if (!parse_tuple_padded(std::string_view(buf, text.size()), layout, out, problem)) return false;
  // The encryption code must point into the caller's text, not into this copy.
  if (!out.encryption.empty()) {
    out.encryption =
        text.substr(static_cast<std::size_t>(out.encryption.data() - buf), out.encryption.size());
  }
  return true;
}

}  // namespace flowlens
