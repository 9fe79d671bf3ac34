// Column blocks: every encoding round-trips exactly (plain and run-length forms, nulls, IPv4,
// IPv6 and mixed dictionaries, delta with a divisor), and malformed blocks are rejected.
#include "store/column_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace flowlens::store {
namespace {

ColumnData round_trip(ColumnBuilder& b, ColumnType type, ColumnBuilder::Stats* stats = nullptr) {
  std::string raw;
  ColumnBuilder::Stats s;
  b.finish(raw, s);
  if (stats != nullptr) *stats = s;
  ColumnData out;
  std::string error;
  EXPECT_TRUE(decode_column(raw, type, out, error)) << error;
  return out;
}

TEST(ColumnCodec, PlainIntegersRoundTripWithMinMax) {
  ColumnBuilder b(ColumnType::kLong, StringKind::kText, false);
  std::vector<std::int64_t> values = {0, -1, 1, INT64_MAX, INT64_MIN, 42, 1ll << 40, -7};
  for (auto v : values)
    b.add_int(v);
  ColumnBuilder::Stats stats;
  ColumnData d = round_trip(b, ColumnType::kLong, &stats);
  EXPECT_EQ(std::vector<std::int64_t>(d.ints.begin(), d.ints.end()), values);
  EXPECT_TRUE(stats.has_minmax);
  EXPECT_EQ(stats.min, INT64_MIN);
  EXPECT_EQ(stats.max, INT64_MAX);
}

TEST(ColumnCodec, DeltaWithDivisorAndWraparound) {
  ColumnBuilder b(ColumnType::kDateTime, StringKind::kText, true);
  std::vector<std::int64_t> values;
  std::mt19937_64 rng(7);
  std::int64_t t = 17'000'000'000'000'000;
  for (int i = 0; i < 5000; ++i) {
    t += static_cast<std::int64_t>(rng() % 2000) * 10'000 - 5'000'000;  // ms steps, either way
    values.push_back(t);
  }
  values.push_back(INT64_MIN);  // differences that overflow int64 still round-trip
  values.push_back(INT64_MAX);
  for (auto v : values)
    b.add_int(v);
  ColumnData d = round_trip(b, ColumnType::kDateTime);
  EXPECT_EQ(std::vector<std::int64_t>(d.ints.begin(), d.ints.end()), values);
}

TEST(ColumnCodec, LongRunsUseTheRunFormAndRoundTrip) {
  ColumnBuilder ints(ColumnType::kInt, StringKind::kText, false);
  ColumnBuilder strings(ColumnType::kString, StringKind::kText, false);
  std::vector<std::int64_t> values;
  for (int run = 0; run < 50; ++run) {
    for (int i = 0; i < 100 + run; ++i) {
      values.push_back(run % 3);
      ints.add_int(run % 3);
      strings.add_string(run % 2 == 0 ? "even" : "odd");
    }
  }
  std::string raw;
  ColumnBuilder::Stats stats;
  ints.finish(raw, stats);
  EXPECT_EQ(raw[1] & 2, 2) << "runs flag";
  EXPECT_LT(raw.size(), values.size() / 10);
  ColumnData d;
  std::string error;
  ASSERT_TRUE(decode_column(raw, ColumnType::kInt, d, error)) << error;
  EXPECT_EQ(std::vector<std::int64_t>(d.ints.begin(), d.ints.end()), values);
  ColumnData s = round_trip(strings, ColumnType::kString);
  ASSERT_EQ(s.size(), values.size());
  EXPECT_EQ(s.string_at(0), "even");
  EXPECT_EQ(s.string_at(values.size() - 1), "odd");
}

TEST(ColumnCodec, StringsNullsAndEmpty) {
  ColumnBuilder b(ColumnType::kString, StringKind::kText, false);
  b.add_string("a");
  b.add_null();
  b.add_string("");
  b.add_string("\xe2\x82\xac \"quoted\"");
  b.add_string("a");
  ColumnData d = round_trip(b, ColumnType::kString);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d.string_at(0), "a");
  EXPECT_TRUE(d.is_null(1));
  EXPECT_FALSE(d.is_null(2));
  EXPECT_EQ(d.string_at(2), "");
  EXPECT_EQ(d.string_at(3), "\xe2\x82\xac \"quoted\"");
  EXPECT_EQ(d.codes[0], d.codes[4]) << "one dictionary entry per distinct value";
}

TEST(ColumnCodec, AddressesReadBackAsCanonicalText) {
  for (bool with_v6 : {false, true}) {
    ColumnBuilder b(ColumnType::kString, StringKind::kIp, false);
    std::vector<std::string> texts = {"10.0.0.4", "192.168.1.1", "10.0.0.4", "255.255.255.255"};
    if (with_v6) texts.insert(texts.end(), {"2001:db8::1", "::ffff:10.1.2.3", "fe80::1"});
    for (const std::string& t : texts) {
      IpAddress ip{};
      ASSERT_TRUE(parse_ip(t, ip)) << t;
      b.add_ip(ip);
    }
    b.add_ip(IpAddress{});  // no address
    ColumnData d = round_trip(b, ColumnType::kString);
    ASSERT_EQ(d.size(), texts.size() + 1);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      IpAddress ip{};
      parse_ip(texts[i], ip);
      EXPECT_EQ(d.string_at(i), format_ip(ip)) << texts[i];
    }
    EXPECT_EQ(d.string_at(texts.size()), "");
  }
}

TEST(ColumnCodec, RealsAndBools) {
  ColumnBuilder r(ColumnType::kReal, StringKind::kText, false);
  r.add_real(1.5);
  r.add_null();
  r.add_real(-0.25);
  ColumnData d = round_trip(r, ColumnType::kReal);
  EXPECT_EQ(d.reals[0], 1.5);
  EXPECT_TRUE(d.is_null(1));
  EXPECT_EQ(d.reals[2], -0.25);
  ColumnBuilder b(ColumnType::kBool, StringKind::kText, false);
  b.add_null();
  b.add_int(1);
  ColumnData bd = round_trip(b, ColumnType::kBool);
  EXPECT_TRUE(bd.is_null(0));
  EXPECT_EQ(bd.ints[1], 1);
}

TEST(ColumnCodec, MalformedBlocksAreRejectedNotMisread) {
  ColumnBuilder b(ColumnType::kString, StringKind::kText, false);
  for (int i = 0; i < 300; ++i)
    b.add_string(std::to_string(i % 7));
  std::string raw;
  ColumnBuilder::Stats stats;
  b.finish(raw, stats);
  ColumnData d;
  std::string error;
  // Every truncation fails.
  for (std::size_t n = 0; n < raw.size(); ++n) {
    EXPECT_FALSE(decode_column(raw.substr(0, n), ColumnType::kString, d, error)) << n;
  }
  // Wrong type for the block.
  EXPECT_FALSE(decode_column(raw, ColumnType::kLong, d, error));
  // Trailing garbage.
  EXPECT_FALSE(decode_column(raw + "x", ColumnType::kString, d, error));
  // Unknown encoding and flags.
  std::string bad = raw;
  bad[0] = 99;
  EXPECT_FALSE(decode_column(bad, ColumnType::kString, d, error));
  bad = raw;
  bad[1] = static_cast<char>(0x80);
  EXPECT_FALSE(decode_column(bad, ColumnType::kString, d, error));
}

}  // namespace
}  // namespace flowlens::store
