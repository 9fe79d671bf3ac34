// The query engine's value model: type names, text forms (§2.10), casts (§2.9), dynamic trees
// and parse_json (§2.8, §6.9), datetime/timespan text (§1.6, §1.7), orderings.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/timestamp.h"
#include "query/dynamic.h"
#include "query/types.h"
#include "query/value.h"

namespace flowlens::query {
namespace {

std::int64_t dt(const char* iso) {
  return *parse_iso8601(iso);
}

TEST(QueryTypes, NamesAndAliases) {
  EXPECT_EQ(type_name(Type::kTimeSpan), "timespan");
  EXPECT_EQ(dotnet_type_name(Type::kLong), "System.Int64");
  EXPECT_EQ(dotnet_type_name(Type::kBool), "System.SByte");
  EXPECT_EQ(parse_type_name("boolean"), Type::kBool);
  EXPECT_EQ(parse_type_name("int32"), Type::kInt);
  EXPECT_EQ(parse_type_name("int64"), Type::kLong);
  EXPECT_EQ(parse_type_name("double"), Type::kReal);
  EXPECT_EQ(parse_type_name("date"), Type::kDateTime);
  EXPECT_EQ(parse_type_name("time"), Type::kTimeSpan);
  EXPECT_EQ(parse_type_name("Long"), std::nullopt);  // case-sensitive
}

TEST(QueryValue, RealsRenderShortestRoundTripInDotNetStyle) {
  EXPECT_EQ(format_real(1.0), "1");
  EXPECT_EQ(format_real(-2.5), "-2.5");
  EXPECT_EQ(format_real(0.1), "0.1");
  EXPECT_EQ(format_real(1e20), "1E+20");
  EXPECT_EQ(format_real(1e-7), "1E-07");
  EXPECT_EQ(format_real(1e15), "1E+15");
  EXPECT_EQ(format_real(123456789012345.0), "123456789012345");
  EXPECT_EQ(format_real(0.0001), "0.0001");
  EXPECT_EQ(format_real(0.00001), "1E-05");
  EXPECT_EQ(format_real(28.503633853548269), "28.50363385354827");
  EXPECT_EQ(format_real(1.5e300), "1.5E+300");
  EXPECT_EQ(format_real(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_real(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(format_real(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(QueryValue, TimespansRenderAsDotNetIntervals) {
  EXPECT_EQ(format_timespan(2 * kTicksPerSecond), "00:00:02");
  EXPECT_EQ(format_timespan(kTicksPerDay), "1.00:00:00");
  EXPECT_EQ(format_timespan(-12 * kTicksPerHour), "-12:00:00");
  EXPECT_EQ(format_timespan(3 * kTicksPerDay), "3.00:00:00");
  EXPECT_EQ(format_timespan(kTicksPerSecond + kTicksPerSecond / 2), "00:00:01.5000000");
  EXPECT_EQ(format_timespan(1), "00:00:00.0000001");
  EXPECT_EQ(format_timespan(0), "00:00:00");
}

TEST(QueryValue, ToStringOfEveryType) {
  EXPECT_EQ(value_to_string(Value::boolean(true)), "True");
  EXPECT_EQ(value_to_string(Value::boolean(false)), "False");
  EXPECT_EQ(value_to_string(Value::long_(-42)), "-42");
  EXPECT_EQ(value_to_string(Value::integer(7)), "7");
  EXPECT_EQ(value_to_string(Value::real(1.0)), "1");
  EXPECT_EQ(value_to_string(Value::datetime(dt("2024-01-01T00:00:00Z"))),
            "2024-01-01T00:00:00.0000000Z");
  EXPECT_EQ(value_to_string(Value::timespan(2 * kTicksPerSecond)), "00:00:02");
  EXPECT_EQ(value_to_string(Value::null_of(Type::kLong)), "");
  EXPECT_EQ(value_to_string(Value::null_of(Type::kDateTime)), "");
  EXPECT_EQ(value_to_string(Value::dynamic(dyn_string("raw"))), "raw");
  EXPECT_EQ(value_to_string(Value::dynamic(parse_json_text("[1,2,4]"))), "[1,2,4]");
  EXPECT_EQ(value_to_string(Value::dynamic(nullptr)), "");
  // Strings are never null.
  Value s = Value::null_of(Type::kString);
  EXPECT_FALSE(s.null);
  EXPECT_EQ(s.s, "");
}

TEST(QueryDynamic, AccessNeverThrowsAndNegativeIndexesCountFromTheEnd) {
  Dyn d = parse_json_text(R"({"a":[10,20,30],"b":{"c":"x"}})");
  ASSERT_TRUE(dyn_is_bag(d));
  EXPECT_EQ(dyn_index(dyn_member(d, "a"), -1)->i, 30);
  EXPECT_EQ(dyn_index(dyn_member(d, "a"), 0)->i, 10);
  EXPECT_EQ(dyn_index(dyn_member(d, "a"), 3), nullptr);
  EXPECT_EQ(dyn_index(dyn_member(d, "a"), -4), nullptr);
  EXPECT_EQ(dyn_member(d, "zz"), nullptr);
  EXPECT_EQ(dyn_member(dyn_member(d, "a"), "c"), nullptr);
  EXPECT_EQ(dyn_member(dyn_member(d, "b"), "c")->s, "x");
  EXPECT_EQ(dyn_index(nullptr, 0), nullptr);
}

TEST(QueryDynamic, JsonRoundTrip) {
  EXPECT_EQ(dyn_to_json(parse_json_text(R"( {"a" : 1, "n": {"x": true}, "r": 2.5} )")),
            R"({"a":1,"n":{"x":true},"r":2.5})");
  Dyn d = parse_json_text("[1, 1.0, 1e5, \"s\", null, false]");
  ASSERT_TRUE(dyn_is_array(d));
  EXPECT_EQ(d->items[0]->kind, DynKind::kLong);
  EXPECT_EQ(d->items[1]->kind, DynKind::kReal);
  EXPECT_EQ(d->items[2]->kind, DynKind::kReal);
  EXPECT_EQ(d->items[4], nullptr);
  // Reals keep a '.', so parse_json(tostring(d)) gives back reals.
  EXPECT_EQ(dyn_to_json(d), R"([1,1.0,100000.0,"s",null,false])");
  EXPECT_EQ(dyn_to_json(dyn_array(
                {dyn_datetime(dt("2017-01-01T00:00:00Z")), dyn_timespan(2 * kTicksPerSecond)})),
            R"(["2017-01-01T00:00:00.0000000Z","00:00:02"])");
  EXPECT_EQ(dyn_to_json(dyn_string("a\"b")), R"("a\"b")");
}

TEST(QueryDynamic, InvalidJsonIsTheOriginalStringAndEmptyIsNull) {
  EXPECT_EQ(parse_json_text(""), nullptr);
  Dyn bad = parse_json_text("{not json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->kind, DynKind::kString);
  EXPECT_EQ(bad->s, "{not json");
  EXPECT_EQ(parse_json_text("null"), nullptr);
  EXPECT_EQ(parse_json_text("42")->i, 42);
  EXPECT_EQ(parse_json_text("\"x\"")->s, "x");
}

TEST(QueryDynamic, BagsKeepInsertionOrderAndTheLastDuplicate) {
  Dyn b = dyn_bag({{"k", dyn_long(1)}, {"a", dyn_long(2)}, {"k", dyn_long(3)}});
  EXPECT_EQ(dyn_to_json(b), R"({"k":3,"a":2})");
  EXPECT_TRUE(
      dyn_equal(parse_json_text(R"({"a":1,"b":[1,2]})"), parse_json_text(R"({"b":[1,2],"a":1})")));
  EXPECT_FALSE(dyn_equal(parse_json_text("[1,2]"), parse_json_text("[2,1]")));
}

TEST(QueryValue, ConversionsFollowTheCastRules) {
  EXPECT_EQ(convert_value(Value::real(2.7), Type::kInt).i, 2);
  EXPECT_EQ(convert_value(Value::real(-2.9), Type::kLong).i, -2);
  EXPECT_TRUE(convert_value(Value::string("12abc"), Type::kLong).null);
  EXPECT_EQ(convert_value(Value::string(" 12 "), Type::kLong).i, 12);
  EXPECT_TRUE(convert_value(Value::long_(1LL << 40), Type::kInt).null);
  EXPECT_EQ(convert_value(Value::string("TRUE"), Type::kBool).i, 1);
  EXPECT_EQ(convert_value(Value::string("false"), Type::kBool).i, 0);
  EXPECT_EQ(convert_value(Value::long_(5), Type::kBool).i, 1);
  EXPECT_TRUE(convert_value(Value::string("maybe"), Type::kBool).null);
  EXPECT_DOUBLE_EQ(convert_value(Value::string("2.5e1"), Type::kReal).r, 25.0);
  EXPECT_TRUE(convert_value(Value::string("x"), Type::kReal).null);
  EXPECT_EQ(convert_value(Value::string("0.00:03:00"), Type::kTimeSpan).i, 3 * kTicksPerMinute);
  EXPECT_EQ(convert_value(Value::timespan(5), Type::kLong).i, 5);
  EXPECT_EQ(convert_value(Value::null_of(Type::kLong), Type::kString).s, "");
  EXPECT_FALSE(convert_value(Value::null_of(Type::kLong), Type::kString).null);
  // Datetimes and integers meet at .NET ticks (from 0001-01-01).
  EXPECT_EQ(convert_value(Value::datetime(0), Type::kLong).i, kTicksFrom0001);
  EXPECT_EQ(convert_value(Value::long_(kTicksFrom0001), Type::kDateTime).i, 0);
  EXPECT_EQ(convert_value(Value::timespan(0), Type::kDateTime).type, Type::kDateTime);
}

TEST(QueryValue, DynamicConvertsByItsContent) {
  Dyn arr = parse_json_text(R"(["2022-12-02", 7, "8", 2.9, [1], {"a":1}])");
  EXPECT_EQ(dyn_to_value(dyn_index(arr, 0), Type::kDateTime).i, dt("2022-12-02T00:00:00Z"));
  EXPECT_EQ(dyn_to_value(dyn_index(arr, 1), Type::kLong).i, 7);
  EXPECT_EQ(dyn_to_value(dyn_index(arr, 2), Type::kLong).i, 8);
  EXPECT_EQ(dyn_to_value(dyn_index(arr, 3), Type::kInt).i, 2);
  EXPECT_TRUE(dyn_to_value(dyn_index(arr, 4), Type::kLong).null);
  EXPECT_TRUE(dyn_to_value(dyn_index(arr, 5), Type::kLong).null);
  EXPECT_TRUE(dyn_to_value(nullptr, Type::kLong).null);
  EXPECT_EQ(dyn_to_value(dyn_index(arr, 4), Type::kString).s, "[1]");
  EXPECT_EQ(dyn_to_value(dyn_timespan(kTicksPerSecond), Type::kTimeSpan).i, kTicksPerSecond);
  EXPECT_EQ(dyn_to_value(dyn_datetime(123), Type::kDateTime).i, 123);
  EXPECT_EQ(value_to_dyn(Value::null_of(Type::kLong)), nullptr);
  EXPECT_EQ(value_to_dyn(Value::timespan(7))->kind, DynKind::kTimeSpan);
}

TEST(QueryValue, DatetimeTextForms) {
  const std::int64_t dec2 = dt("2022-12-02T00:00:00Z");
  for (const char* text : {"2022-12-02", "2022/12/02", "20221202", "12-02-2022", "12/02/2022",
                           "12.02.2022", "2 Dec 2022", "Dec 2, 2022", "December 2, 2022",
                           "2022-12-02T00:00:00Z", " 2022-12-02 ", "Fri, 02 Dec 2022 00:00:00 GMT",
                           "Friday, 02-Dec-22 00:00:00 GMT", "2022, 12, 2", "2022-12-2"}) {
    auto t = parse_datetime_text(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(*t, dec2) << text;
  }
  EXPECT_EQ(*parse_datetime_text("2/3/2022"), dt("2022-02-03T00:00:00Z"));
  EXPECT_FALSE(parse_datetime_text("13-01-2022"));
  EXPECT_EQ(*parse_datetime_text("2022-12-02T13:45:56+02:00"), dt("2022-12-02T11:45:56Z"));
  EXPECT_EQ(*parse_datetime_text("2024-05-01 10:15"), dt("2024-05-01T10:15:00Z"));
  EXPECT_EQ(*parse_datetime_text("2024-05-01T10:15:30.1234567"),
            dt("2024-05-01T10:15:30.1234567Z"));
  EXPECT_EQ(*parse_datetime_text("2024-5-1 10:15:30 GMT"), dt("2024-05-01T10:15:30Z"));
  EXPECT_EQ(*parse_datetime_text("Wed, 1 May 24 10:15:30 GMT"), dt("2024-05-01T10:15:30Z"));
  EXPECT_EQ(*parse_datetime_text("1 May 2024 10:15"), dt("2024-05-01T10:15:00Z"));
  EXPECT_EQ(*parse_datetime_text("5/1/2024 3:04:05 PM"), dt("2024-05-01T15:04:05Z"));
  for (const char* bad : {"", "yesterday", "2022-02-30", "2022-12-02T25:00", "2022-12-02 x", "1/2",
                          "2022-13-01", "Dec 32, 2022"}) {
    EXPECT_FALSE(parse_datetime_text(bad)) << bad;
  }
}

TEST(QueryValue, TimespanTextForms) {
  EXPECT_EQ(*parse_timespan_text("0.00:03:00"), 3 * kTicksPerMinute);
  EXPECT_EQ(*parse_timespan_text("1.12:00:00"), 36 * kTicksPerHour);
  EXPECT_EQ(*parse_timespan_text("00:00:01.5"), kTicksPerSecond * 3 / 2);
  EXPECT_EQ(*parse_timespan_text("-12:00:00"), -12 * kTicksPerHour);
  EXPECT_EQ(*parse_timespan_text("10:30"), 10 * kTicksPerHour + 30 * kTicksPerMinute);
  EXPECT_EQ(*parse_timespan_text("3"), 3 * kTicksPerDay);
  EXPECT_EQ(*parse_timespan_text("2.5h"), 150 * kTicksPerMinute);
  EXPECT_EQ(*parse_timespan_text("90 seconds"), 90 * kTicksPerSecond);
  EXPECT_EQ(*parse_timespan_text("15m"), 15 * kTicksPerMinute);
  EXPECT_EQ(*parse_timespan_text("1tick"), 1);
  EXPECT_EQ(*parse_timespan_text("250nanos"), 2);
  EXPECT_FALSE(parse_timespan_text("1w"));
  EXPECT_FALSE(parse_timespan_text("00:60:00"));
  EXPECT_FALSE(parse_timespan_text(""));
  EXPECT_FALSE(parse_timespan_text("abc"));
  // Out of TimeSpan's range: null rather than a wrapped value.
  EXPECT_FALSE(parse_timespan_text("99999999"));
  EXPECT_FALSE(parse_timespan_text("999999999d"));
  EXPECT_FALSE(parse_timespan_text("99999999.00:00:00"));
  EXPECT_EQ(*parse_timespan_text("10675199"), 10675199 * kTicksPerDay);
}

TEST(QueryValue, OrderingPutsNullsAndNanLowest) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_LT(compare_values(Value::null_of(Type::kLong), Value::long_(-100)), 0);
  EXPECT_LT(compare_values(Value::real(nan), Value::real(-inf)), 0);
  EXPECT_EQ(compare_values(Value::real(nan), Value::null_of(Type::kReal)), 0);
  EXPECT_LT(compare_values(Value::long_(1), Value::real(1.5)), 0);
  EXPECT_EQ(compare_values(Value::integer(2), Value::long_(2)), 0);
  EXPECT_GT(compare_values(Value::string("b"), Value::string("a")), 0);
  EXPECT_GT(compare_values(Value::string("\xc3\xa9"), Value::string("z")), 0);  // bytes
  EXPECT_LT(compare_values(Value::datetime(1), Value::datetime(2)), 0);
  EXPECT_TRUE(values_equal_for_grouping(Value::null_of(Type::kLong), Value::null_of(Type::kLong)));
  EXPECT_FALSE(values_equal_for_grouping(Value::null_of(Type::kLong), Value::long_(0)));
  EXPECT_TRUE(values_equal_for_grouping(Value::long_(2), Value::real(2.0)));
  EXPECT_TRUE(values_equal_for_grouping(Value::string(""), Value::null_of(Type::kString)));
  EXPECT_FALSE(values_equal_for_grouping(Value::string("a"), Value::string("A")));
}

}  // namespace
}  // namespace flowlens::query
