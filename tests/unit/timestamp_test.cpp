#include "common/timestamp.h"

#include <gtest/gtest.h>

namespace flowlens {
namespace {

TEST(Timestamp, ParsesAzureRecordTimeWithSevenFractionalDigits) {
  auto t = parse_iso8601("2022-09-14T09:00:52.5625085Z");
  ASSERT_TRUE(t);
  // 1663146052 s since the epoch, plus 5625085 ticks of 100 ns.
  EXPECT_EQ(*t, 1663146052LL * kTicksPerSecond + 5625085);
  EXPECT_EQ(format_iso8601(*t), "2022-09-14T09:00:52.5625085Z");
}

TEST(Timestamp, FractionsOfAnyLengthUpToNineDigits) {
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00.5Z"), kTicksPerSecond / 2);
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00.123Z"), 1230000);
  // Digits beyond 100 ns are truncated, not rounded.
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00.123456789Z"), 1234567);
  EXPECT_FALSE(parse_iso8601("1970-01-01T00:00:00.1234567891Z"));
  EXPECT_FALSE(parse_iso8601("1970-01-01T00:00:00.Z"));
}

TEST(Timestamp, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(*parse_iso8601("2022-09-14T11:00:52+02:00"), *parse_iso8601("2022-09-14T09:00:52Z"));
  EXPECT_EQ(*parse_iso8601("2022-09-14T04:30:52-04:30"), *parse_iso8601("2022-09-14T09:00:52Z"));
}

TEST(Timestamp, RejectsMalformedOrImpossibleInstants) {
  for (const char* bad :
       {"", "2022-09-14", "2022-09-14T09:00:52", "2022-13-01T00:00:00Z", "2022-02-29T00:00:00Z",
        "2022-09-14T24:00:00Z", "2022-09-14T09:60:00Z", "2022-09-14T09:00:60Z",
        "2022-09-14T09:00:52ZZ", "2022/09/14T09:00:52Z", "yesterday", "2022-09-14T09:00:52+2:00",
        "2022-09-14T09:00:52.5625085Z "}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z"));  // leap year
}

TEST(Timestamp, FormatsBeforeTheEpochAndAtTheLimits) {
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.9999999Z");
  EXPECT_EQ(format_iso8601(kMaxTicks), "9999-12-31T23:59:59.9999999Z");
  EXPECT_EQ(format_iso8601(kMinTicks), "0001-01-01T00:00:00.0000000Z");
  EXPECT_EQ(*parse_iso8601("0001-01-01T00:00:00Z"), kMinTicks);
}

TEST(Timestamp, RoundTripsEveryHundredNanosecondsAcrossADayBoundary) {
  Ticks base = *parse_iso8601("2026-10-31T23:59:59.9999990Z");
  for (Ticks t = base; t < base + 40; ++t) {
    EXPECT_EQ(*parse_iso8601(format_iso8601(t)), t);
  }
}

TEST(Timestamp, UserTimesAcceptDatesAndZonelessTimes) {
  EXPECT_EQ(*parse_user_time("2026-11-01"), *parse_iso8601("2026-11-01T00:00:00Z"));
  EXPECT_EQ(*parse_user_time("2026-11-01T06:00:00"), *parse_iso8601("2026-11-01T06:00:00Z"));
  EXPECT_EQ(*parse_user_time("2026-11-01 06:00:00Z"), *parse_iso8601("2026-11-01T06:00:00Z"));
  EXPECT_FALSE(parse_user_time("tomorrow"));
}

}  // namespace
}  // namespace flowlens
