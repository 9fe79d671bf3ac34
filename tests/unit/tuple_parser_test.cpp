#include "flowlog/tuple_parser.h"

#include <gtest/gtest.h>

#include <charconv>
#include <limits>
#include <random>

namespace flowlens {
namespace {

ParsedTuple parse_ok(std::string_view text, TupleLayout layout) {
  ParsedTuple t;
  TupleProblem p;
  EXPECT_TRUE(parse_tuple(text, layout, t, p)) << text << ": " << p.message;
  return t;
}

TupleProblem parse_bad(std::string_view text, TupleLayout layout) {
  ParsedTuple t;
  TupleProblem p;
  EXPECT_FALSE(parse_tuple(text, layout, t, p)) << text;
  return p;
}

TEST(TupleParser, VNetTupleFieldByField) {
  auto t = parse_ok("1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,1580",
                    TupleLayout::kVNet);
  EXPECT_EQ(t.time, 1663146003606LL * kTicksPerMillisecond);
  EXPECT_EQ(format_ip(t.src_ip), "10.0.0.6");
  EXPECT_EQ(format_ip(t.dest_ip), "52.239.184.180");
  EXPECT_EQ(t.src_port, 23956);
  EXPECT_EQ(t.dest_port, 443);
  EXPECT_EQ(t.protocol, 6);
  EXPECT_EQ(t.direction, FlowDirection::kOutbound);
  EXPECT_EQ(t.state, FlowState::kEnd);
  EXPECT_EQ(t.status, FlowStatus::kAllowed);
  EXPECT_EQ(t.encryption, "NX");
  EXPECT_EQ(t.packets_src_to_dest, 3);
  EXPECT_EQ(t.bytes_src_to_dest, 767);
  EXPECT_EQ(t.packets_dest_to_src, 2);
  EXPECT_EQ(t.bytes_dest_to_src, 1580);
  EXPECT_EQ(t.version, 4);
}

TEST(TupleParser, VNetDenyStateMeansDenied) {
  auto t = parse_ok("1663145998065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0",
                    TupleLayout::kVNet);
  EXPECT_EQ(t.state, FlowState::kDeny);
  EXPECT_EQ(t.status, FlowStatus::kDenied);
  EXPECT_EQ(t.direction, FlowDirection::kInbound);
}

TEST(TupleParser, NsgVersionComesFromTheFieldCount) {
  auto v1 = parse_ok("1487282370,192.0.2.17,10.1.0.4,61771,3389,T,I,A", TupleLayout::kNsg);
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.state, FlowState::kNone);
  EXPECT_EQ(v1.protocol, 6);
  EXPECT_EQ(v1.time, 1487282370LL * kTicksPerSecond);  // NSG: seconds
  auto v2 = parse_ok("1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,,", TupleLayout::kNsg);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.protocol, 17);
  EXPECT_EQ(v2.status, FlowStatus::kDenied);
  EXPECT_EQ(v2.state, FlowState::kBegin);
  EXPECT_EQ(
      v2.packets_src_to_dest + v2.bytes_src_to_dest + v2.packets_dest_to_src + v2.bytes_dest_to_src,
      0);  // empty counters are zero
}

TEST(TupleParser, TimestampUnitIsDetectedByMagnitude) {
  // Microsoft's own VNet bandwidth example uses seconds.
  auto s =
      parse_ok("1493763938,185.170.185.105,10.2.0.4,35370,23,6,I,B,NX,,,,", TupleLayout::kVNet);
  EXPECT_EQ(s.time, 1493763938LL * kTicksPerSecond);
  auto ms =
      parse_ok("1493763938123,185.170.185.105,10.2.0.4,35370,23,6,I,B,NX,,,,", TupleLayout::kVNet);
  EXPECT_EQ(ms.time, 1493763938123LL * kTicksPerMillisecond);
}

TEST(TupleParser, CountersAre64Bit) {
  auto t =
      parse_ok("1663146003606,10.0.0.6,10.0.0.7,1,2,6,O,C,NX,9223372036854775807,5000000000,0,1",
               TupleLayout::kVNet);
  EXPECT_EQ(t.packets_src_to_dest, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(t.bytes_src_to_dest, 5000000000LL);
}

TEST(TupleParser, ReportsTheFirstBadFieldWithItsName) {
  auto p =
      parse_bad("1663146003606,10.0.0.6,10.0.0.7,1,70000,6,O,C,NX,1,1,1,1", TupleLayout::kVNet);
  EXPECT_EQ(p.code, ParseErrorCode::port_out_of_range);
  EXPECT_NE(p.message.find("destination port"), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("70000"), std::string::npos) << p.message;
  p = parse_bad("1663146003606,10.0.0.6,10.0.0.7,1,2,6,O,C,NX,1,1,1", TupleLayout::kVNet);
  EXPECT_EQ(p.code, ParseErrorCode::tuple_field_count);
  EXPECT_NE(p.message.find("found 12"), std::string::npos) << p.message;
  // A wrong field count wins over a bad field: every later field would be misread.
  p = parse_bad("1663146003606,10.0.0.6,bad,1,2,6,O,C,NX,1,1,1", TupleLayout::kVNet);
  EXPECT_EQ(p.code, ParseErrorCode::tuple_field_count);
  p = parse_bad(std::string(600, '1'), TupleLayout::kVNet);
  EXPECT_EQ(p.code, ParseErrorCode::tuple_too_long);
}

// ---------------------------------------------------------------------------------------------
// Differential test: the optimised parser against a deliberately plain reference that follows
// the documented rules field by field. Both must agree on acceptance, error code and values,
// for valid tuples and for randomly damaged ones, whether or not bytes follow the tuple.

struct Reference {
  bool ok = false;
  ParseErrorCode code = ParseErrorCode::invalid_json;
  ParsedTuple t;
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Reference reference_parse(std::string_view text, TupleLayout layout) {
  Reference r;
  auto fail = [&r](ParseErrorCode c) {
    r.code = c;
    return r;
  };
  if (text.size() > kMaxTupleLength) return fail(ParseErrorCode::tuple_too_long);
  std::vector<std::string_view> f;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = text.find(',', start);
    f.push_back(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  bool vnet = layout == TupleLayout::kVNet;
  if (f.size() != 13 && !(!vnet && f.size() == 8)) return fail(ParseErrorCode::tuple_field_count);
  std::uint64_t ts = 0;
  if (!all_digits(f[0]) || f[0].size() > 19) return fail(ParseErrorCode::invalid_timestamp);
  std::from_chars(f[0].data(), f[0].data() + f[0].size(), ts);
  if (ts > 253402300799999ULL) return fail(ParseErrorCode::invalid_timestamp);
  r.t.time = ts < 100000000000ULL ? static_cast<Ticks>(ts) * kTicksPerSecond
                                  : static_cast<Ticks>(ts) * kTicksPerMillisecond;
  if (!parse_ip(f[1], r.t.src_ip) ||
      (f[1].find(':') == std::string_view::npos && !r.t.src_ip.is_v4()))
    return fail(ParseErrorCode::invalid_ip);
  if (!parse_ip(f[2], r.t.dest_ip)) return fail(ParseErrorCode::invalid_ip);
  for (int i : {3, 4}) {
    if (!all_digits(f[static_cast<std::size_t>(i)])) return fail(ParseErrorCode::invalid_port);
    std::uint64_t port = 0;
    if (f[static_cast<std::size_t>(i)].size() > 5) return fail(ParseErrorCode::port_out_of_range);
    std::from_chars(f[static_cast<std::size_t>(i)].data(),
                    f[static_cast<std::size_t>(i)].data() + f[static_cast<std::size_t>(i)].size(),
                    port);
    if (port > 65535) return fail(ParseErrorCode::port_out_of_range);
    (i == 3 ? r.t.src_port : r.t.dest_port) = static_cast<std::uint16_t>(port);
  }
  if (f[5] == "T") {
    r.t.protocol = 6;
  } else if (f[5] == "U") {
    r.t.protocol = 17;
  } else {
    unsigned p = 0;
    if (!all_digits(f[5]) || f[5].size() > 3) return fail(ParseErrorCode::invalid_protocol);
    std::from_chars(f[5].data(), f[5].data() + f[5].size(), p);
    if (p > 255) return fail(ParseErrorCode::invalid_protocol);
    r.t.protocol = static_cast<std::uint8_t>(p);
  }
  if (f[6] == "I") {
    r.t.direction = FlowDirection::kInbound;
  } else if (f[6] == "O") {
    r.t.direction = FlowDirection::kOutbound;
  } else {
    return fail(ParseErrorCode::invalid_direction);
  }
  if (vnet) {
    if (f[7] == "B")
      r.t.state = FlowState::kBegin;
    else if (f[7] == "C")
      r.t.state = FlowState::kContinuing;
    else if (f[7] == "E")
      r.t.state = FlowState::kEnd;
    else if (f[7] == "D")
      r.t.state = FlowState::kDeny;
    else
      return fail(ParseErrorCode::invalid_state);
    r.t.status = f[7] == "D" ? FlowStatus::kDenied : FlowStatus::kAllowed;
    bool enc_ok = f[8] == "X" || f[8] == "NX";
    if (!enc_ok && f[8].size() >= 4 && f[8].size() <= 64 && f[8].substr(0, 3) == "NX_") {
      enc_ok = true;
      for (char c : f[8].substr(3)) {
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) enc_ok = false;
      }
    }
    if (!enc_ok) return fail(ParseErrorCode::invalid_encryption);
    r.t.encryption = f[8];
    r.t.version = 4;
  } else {
    if (f[7] == "A")
      r.t.status = FlowStatus::kAllowed;
    else if (f[7] == "D")
      r.t.status = FlowStatus::kDenied;
    else
      return fail(ParseErrorCode::invalid_decision);
    if (f.size() == 8) {
      r.t.version = 1;
      r.t.state = FlowState::kNone;
      r.ok = true;
      return r;
    }
    if (f[8] == "B")
      r.t.state = FlowState::kBegin;
    else if (f[8] == "C")
      r.t.state = FlowState::kContinuing;
    else if (f[8] == "E")
      r.t.state = FlowState::kEnd;
    else
      return fail(ParseErrorCode::invalid_state);
    r.t.version = 2;
  }
  std::int64_t* counters[] = {&r.t.packets_src_to_dest, &r.t.bytes_src_to_dest,
                              &r.t.packets_dest_to_src, &r.t.bytes_dest_to_src};
  for (std::size_t k = 0; k < 4; ++k) {
    std::string_view c = f[9 + k];
    if (c.empty()) {
      *counters[k] = 0;
      continue;
    }
    if (c[0] == '-') return fail(ParseErrorCode::negative_counter);
    if (!all_digits(c)) return fail(ParseErrorCode::invalid_counter);
    std::uint64_t v = 0;
    auto res = std::from_chars(c.data(), c.data() + c.size(), v);
    if (c.size() > 19 || res.ec != std::errc{} ||
        v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return fail(ParseErrorCode::counter_overflow);
    *counters[k] = static_cast<std::int64_t>(v);
  }
  r.ok = true;
  return r;
}

std::string random_valid_tuple(std::mt19937_64& rng, TupleLayout layout) {
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  auto num = [&](int max_digits) {
    std::uint64_t digits = 1 + pick(static_cast<std::uint64_t>(max_digits));
    std::string s = std::to_string(digits == 1 ? pick(10) : 1 + pick(9));
    for (std::uint64_t d = 1; d < digits; ++d)
      s += static_cast<char>('0' + pick(10));
    return s;
  };
  auto ip = [&]() -> std::string {
    if (pick(8) == 0) {
      const char* v6[] = {"2001:db8::1",    "ace:cab:deca:1::4",      "::1",
                          "fe80::a:b:c:d",  "2a01:4f8:1c0c:8a3f::2d", "::ffff:1.2.3.4",
                          "1:2:3:4:5:6:7:8"};
      return v6[pick(7)];
    }
    return std::to_string(pick(256)) + "." + std::to_string(pick(256)) + "." +
           std::to_string(pick(256)) + "." + std::to_string(pick(256));
  };
  bool vnet = layout == TupleLayout::kVNet;
  std::string t =
      (pick(4) == 0 ? num(10) : std::to_string(1400000000000ULL + pick(400000000000ULL))) + "," +
      ip() + "," + ip() + "," + std::to_string(pick(65536)) + "," + std::to_string(pick(65536)) +
      ",";
  t += vnet ? std::to_string(pick(3) == 0 ? pick(256) : 6) : (pick(2) ? "T" : "U");
  t += pick(2) ? ",I," : ",O,";
  if (vnet) {
    t += "BCED"[pick(4)];
    const char* enc[] = {"NX", "X", "NX_LOCAL_DST", "NX_HW_NOT_SUPPORTED", "NX_FUTURE_9"};
    t += ',';
    t += enc[pick(5)];
  } else {
    t += pick(2) ? "A" : "D";
    if (pick(3) == 0) return t;  // NSG v1
    t += ',';
    t += "BCE"[pick(3)];
  }
  for (int k = 0; k < 4; ++k) {
    t += ',';
    if (pick(5) != 0) t += num(18 - static_cast<int>(pick(12)));  // stays below INT64_MAX
  }
  return t;
}

std::string mutate(std::string t, std::mt19937_64& rng) {
  static const std::string alphabet = "0123456789,.:-ABCDEINOTUXaz_ \x00\xff\"\\";
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  int edits = 1 + static_cast<int>(pick(3));
  for (int e = 0; e < edits && !t.empty(); ++e) {
    std::size_t at = pick(t.size());
    switch (pick(5)) {
      case 0:
        t[at] = alphabet[pick(alphabet.size())];
        break;
      case 1:
        t.erase(at, 1);
        break;
      case 2:
        t.insert(at, 1, alphabet[pick(alphabet.size())]);
        break;
      case 3:
        t.resize(at);
        break;
      default: {
        std::size_t comma = t.find(',', at);
        if (comma != std::string::npos) t.insert(comma, std::string(1 + pick(20), '9'));
      }
    }
  }
  return t;
}

void expect_same(const std::string& text, TupleLayout layout) {
  Reference ref = reference_parse(text, layout);
  ParsedTuple got;
  TupleProblem problem;
  bool ok = parse_tuple(text, layout, got, problem);
  // The in-place path, with bytes that look like more tuple following it.
  std::string padded = text + ",1,2,3.4.5.6,\",\"1663146003606,10.0.0.6,";
  padded.append(kTuplePadding, ',');
  ParsedTuple got_padded;
  TupleProblem problem_padded;
  bool ok_padded = parse_tuple_padded(std::string_view(padded.data(), text.size()), layout,
                                      got_padded, problem_padded);
  ASSERT_EQ(ok, ref.ok) << text << " | " << problem.message;
  ASSERT_EQ(ok_padded, ref.ok) << text << " | " << problem_padded.message;
  if (!ok) {
    EXPECT_EQ(problem.code, ref.code) << text << " | " << problem.message;
    EXPECT_EQ(problem_padded.code, ref.code) << text;
    return;
  }
  for (const ParsedTuple* t : {&got, &got_padded}) {
    EXPECT_EQ(t->time, ref.t.time) << text;
    EXPECT_EQ(t->src_ip, ref.t.src_ip) << text;
    EXPECT_EQ(t->dest_ip, ref.t.dest_ip) << text;
    EXPECT_EQ(t->src_port, ref.t.src_port) << text;
    EXPECT_EQ(t->dest_port, ref.t.dest_port) << text;
    EXPECT_EQ(t->protocol, ref.t.protocol) << text;
    EXPECT_EQ(t->direction, ref.t.direction) << text;
    EXPECT_EQ(t->state, ref.t.state) << text;
    EXPECT_EQ(t->status, ref.t.status) << text;
    EXPECT_EQ(t->encryption, ref.t.encryption) << text;
    EXPECT_EQ(t->packets_src_to_dest, ref.t.packets_src_to_dest) << text;
    EXPECT_EQ(t->bytes_src_to_dest, ref.t.bytes_src_to_dest) << text;
    EXPECT_EQ(t->packets_dest_to_src, ref.t.packets_dest_to_src) << text;
    EXPECT_EQ(t->bytes_dest_to_src, ref.t.bytes_dest_to_src) << text;
    EXPECT_EQ(t->version, ref.t.version) << text;
  }
}

TEST(TupleParserDifferential, AgreesWithReferenceOnValidTuples) {
  std::mt19937_64 rng(1);
  for (TupleLayout layout : {TupleLayout::kVNet, TupleLayout::kNsg}) {
    for (int i = 0; i < 20000; ++i) {
      std::string t = random_valid_tuple(rng, layout);
      ASSERT_TRUE(reference_parse(t, layout).ok) << t;
      expect_same(t, layout);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(TupleParserDifferential, AgreesWithReferenceOnDamagedTuples) {
  std::mt19937_64 rng(2);
  int rejected = 0;
  for (TupleLayout layout : {TupleLayout::kVNet, TupleLayout::kNsg}) {
    for (int i = 0; i < 60000; ++i) {
      std::string t = mutate(random_valid_tuple(rng, layout), rng);
      rejected += !reference_parse(t, layout).ok;
      expect_same(t, layout);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(rejected, 60000);  // the mutations really damage most tuples
}

}  // namespace
}  // namespace flowlens
