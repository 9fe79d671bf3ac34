// Datetime and timespan functions (§6.2-§6.7): now, ago, bin/floor, bin_at, datetime_add,
// datetime_diff, startof*/endof*, format_datetime, format_timespan, date parts (hourofday,
// dayofweek (a timespan), dayofmonth, dayofyear, getyear, getmonth/monthofyear, datetime_part,
// week_of_year), unixtime_*_todatetime, make_datetime, make_timespan.
//
// Datetimes are Unix-epoch ticks; bin() on datetimes floors ticks counted from 0001-01-01
// (kTicksFrom0001), so 7-day bins start on Mondays. Results outside 0001-01-01..9999-12-31
// are null.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "query/functions/calendar.h"
#include "query/functions/common.h"
#include "query/string_match.h"

namespace flowlens::query::fn {
namespace {

using cal::floor_div;
using cal::kTicksPerDay;
using cal::kTicksPerHour;
using cal::kTicksPerMinute;
using cal::kTicksPerSecond;

Value datetime_or_null(std::int64_t ticks) {
  return cal::in_range(ticks) ? Value::datetime(ticks) : Value::null_of(Type::kDateTime);
}

// Checked 64-bit helpers: nullopt on overflow.
std::optional<std::int64_t> add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<std::int64_t> mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// base + count * unit, checked.
std::optional<std::int64_t> add_scaled(std::int64_t base, std::int64_t count, std::int64_t unit) {
  const auto d = mul(count, unit);
  if (!d) return std::nullopt;
  return add(base, *d);
}

// --- now, ago -------------------------------------------------------------------------------

std::optional<Type> now_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kATimeSpan, "now", "a timespan", e)) return std::nullopt;
  return Type::kDateTime;
}
Value now_eval(const std::vector<Value>& a, const EvalContext& c) {
  if (a.empty()) return Value::datetime(c.now);
  const auto offset = get_timespan(a[0]);
  if (!offset) return Value::null_of(Type::kDateTime);
  const auto t = add(c.now, *offset);
  return t ? datetime_or_null(*t) : Value::null_of(Type::kDateTime);
}
std::optional<Type> ago_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kATimeSpan, "ago", "a timespan", e)) return std::nullopt;
  return Type::kDateTime;
}
Value ago_eval(const std::vector<Value>& a, const EvalContext& c) {
  const auto span = get_timespan(a[0]);
  if (!span) return Value::null_of(Type::kDateTime);
  const auto t = add(c.now, -*span);
  return t ? datetime_or_null(*t) : Value::null_of(Type::kDateTime);
}

// --- bin, floor, bin_at ---------------------------------------------------------------------

// The result type of bin(value, size): numbers widen (int -> long), timespan/timespan is a
// timespan, datetime/timespan a datetime. A dynamic value is read as real (numeric size) or
// datetime (timespan size).
std::optional<Type> bin_result(Type value, Type size, std::string_view fn, std::string& e) {
  if (value == Type::kDynamic) {
    if (is_numeric(size) || size == Type::kDynamic) return Type::kReal;
    if (size == Type::kTimeSpan) return Type::kDateTime;
  } else if (is_numeric(value)) {
    if (is_numeric(size) || size == Type::kDynamic) {
      return value == Type::kReal || size == Type::kReal ? Type::kReal : Type::kLong;
    }
  } else if (value == Type::kTimeSpan || value == Type::kDateTime) {
    if (size == Type::kTimeSpan || size == Type::kDynamic) return value;
  }
  return fail(e, std::string(fn) + "() cannot bin a " + std::string(type_name(value)) + " by a " +
                     std::string(type_name(size)) +
                     " (numbers bin by numbers, datetimes and timespans by timespans)");
}

std::optional<Type> bin_type(const std::vector<ArgInfo>& a, std::string& e) {
  return bin_result(a[0].type, a[1].type, "bin", e);
}

// Floors `value` to a multiple of `size` counted from `origin` (all in the same unit).
std::optional<std::int64_t> floor_to(std::int64_t value, std::int64_t size, std::int64_t origin) {
  const auto shifted = add(value, -origin);
  if (!shifted) return std::nullopt;
  const auto floored = mul(floor_div(*shifted, size), size);
  if (!floored) return std::nullopt;
  return add(*floored, origin);
}

// bin_at with `origin` in the value's own representation (datetime: Unix-epoch ticks).
Value bin_common(const Value& value, const Value& size, Type result, const Value* origin) {
  if (result == Type::kReal) {
    const auto v = get_real(value);
    const auto s = get_real(size);
    std::optional<double> o = 0.0;
    if (origin != nullptr) o = get_real(*origin);
    if (!v || !s || !o || !(*s > 0)) return Value::null_of(Type::kReal);
    return Value::real(std::floor((*v - *o) / *s) * *s + *o);
  }
  if (result == Type::kLong) {
    const auto v = get_long(value);
    const auto s = get_long(size);
    std::optional<std::int64_t> o = 0;
    if (origin != nullptr) o = get_long(*origin);
    if (!v || !s || !o || *s <= 0) return Value::null_of(Type::kLong);
    const auto r = floor_to(*v, *s, *o);
    return r ? Value::long_(*r) : Value::null_of(Type::kLong);
  }
  const auto s = get_timespan(size);
  if (!s || *s <= 0) return Value::null_of(result);
  if (result == Type::kTimeSpan) {
    const auto v = get_timespan(value);
    std::optional<std::int64_t> o = 0;
    if (origin != nullptr) o = get_timespan(*origin);
    if (!v || !o) return Value::null_of(result);
    const auto r = floor_to(*v, *s, *o);
    return r ? Value::timespan(*r) : Value::null_of(result);
  }
  const auto v = get_datetime(value);
  std::optional<std::int64_t> o = -kTicksFrom0001;  // 0001-01-01
  if (origin != nullptr) o = get_datetime(*origin);
  if (!v || !o) return Value::null_of(result);
  const auto r = floor_to(*v, *s, *o);
  return r ? datetime_or_null(*r) : Value::null_of(result);
}

Type runtime_bin_type(const Value& value, const Value& size) {
  std::string ignored;
  return bin_result(value.type, size.type, "bin", ignored).value_or(Type::kReal);
}

Value bin_eval(const std::vector<Value>& a, const EvalContext&) {
  return bin_common(a[0], a[1], runtime_bin_type(a[0], a[1]), nullptr);
}

std::optional<Type> bin_at_type(const std::vector<ArgInfo>& a, std::string& e) {
  auto t = bin_result(a[0].type, a[1].type, "bin_at", e);
  if (!t) return t;
  const unsigned origin = *t == Type::kDateTime   ? kADateTime
                          : *t == Type::kTimeSpan ? kATimeSpan
                                                  : kANumber;
  if (!check_arg(a, 2, origin, "bin_at", "a fixed point of the value's type", e)) {
    return std::nullopt;
  }
  return t;
}
Value bin_at_eval(const std::vector<Value>& a, const EvalContext&) {
  return bin_common(a[0], a[1], runtime_bin_type(a[0], a[1]), &a[2]);
}

// --- calendar shifting ----------------------------------------------------------------------

// .NET AddMonths: the day is clamped to the target month's length.
std::optional<std::int64_t> add_months(std::int64_t ticks, std::int64_t months) {
  const cal::Parts p = cal::split(ticks);
  const auto total = add(p.date.year * 12 + (p.date.month - 1), months);
  if (!total || *total < 12 || *total >= 12 * 10000) return std::nullopt;
  const std::int64_t y = floor_div(*total, 12);
  const int m = static_cast<int>(*total - y * 12) + 1;
  const int d = std::min(p.date.day, cal::days_in_month(y, m));
  return cal::days_from_civil(y, m, d) * kTicksPerDay + p.time_of_day;
}

enum class Period {
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
  kNanosecond,
};

std::optional<Period> parse_period(std::string_view name) {
  static constexpr std::pair<std::string_view, Period> kNames[] = {
      {"year", Period::kYear},
      {"quarter", Period::kQuarter},
      {"month", Period::kMonth},
      {"week", Period::kWeek},
      {"day", Period::kDay},
      {"hour", Period::kHour},
      {"minute", Period::kMinute},
      {"second", Period::kSecond},
      {"millisecond", Period::kMillisecond},
      {"microsecond", Period::kMicrosecond},
      {"nanosecond", Period::kNanosecond},
  };
  for (const auto& [n, p] : kNames) {
    if (kql_equals_ci(name, n)) return p;
  }
  return std::nullopt;
}

std::int64_t period_ticks(Period p) {
  switch (p) {
    case Period::kWeek:
      return 7 * kTicksPerDay;
    case Period::kDay:
      return kTicksPerDay;
    case Period::kHour:
      return kTicksPerHour;
    case Period::kMinute:
      return kTicksPerMinute;
    case Period::kSecond:
      return kTicksPerSecond;
    case Period::kMillisecond:
      return 10000;
    case Period::kMicrosecond:
      return 10;
    default:
      return 1;
  }
}

bool check_period(const std::vector<ArgInfo>& a, std::string_view fn, std::string& e) {
  if (!check_arg(a, 0, kAString, fn, "a period name", e)) return false;
  if (a[0].constant != nullptr && !parse_period(value_to_string(*a[0].constant))) {
    e = std::string(fn) + "(): unknown period '" + value_to_string(*a[0].constant) +
        "' (year, quarter, month, week, day, hour, minute, second, millisecond, microsecond, "
        "nanosecond)";
    return false;
  }
  return true;
}

std::optional<Type> datetime_add_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_period(a, "datetime_add", e) ||
      !check_arg(a, 1, kAIntegral, "datetime_add", "an integer amount", e) ||
      !check_arg(a, 2, kADateTime, "datetime_add", "a datetime", e)) {
    return std::nullopt;
  }
  return Type::kDateTime;
}
Value datetime_add_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto period = parse_period(get_string(a[0]));
  const auto amount = get_long(a[1]);
  const auto t = get_datetime(a[2]);
  if (!period || !amount || !t) return Value::null_of(Type::kDateTime);
  std::optional<std::int64_t> r;
  switch (*period) {
    case Period::kYear:
    case Period::kQuarter:
    case Period::kMonth: {
      const std::int64_t per =
          *period == Period::kYear ? 12 : (*period == Period::kQuarter ? 3 : 1);
      const auto months = mul(*amount, per);
      if (months) r = add_months(*t, *months);
      break;
    }
    case Period::kNanosecond:
      r = add(*t, *amount / 100);
      break;
    default:
      r = add_scaled(*t, *amount, period_ticks(*period));
  }
  return r ? datetime_or_null(*r) : Value::null_of(Type::kDateTime);
}

std::optional<Type> datetime_diff_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_period(a, "datetime_diff", e) ||
      !check_arg(a, 1, kADateTime, "datetime_diff", "a datetime", e) ||
      !check_arg(a, 2, kADateTime, "datetime_diff", "a datetime", e)) {
    return std::nullopt;
  }
  return Type::kLong;
}
// The number of period boundaries crossed from dt2 to dt1 (§6.5).
Value datetime_diff_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto period = parse_period(get_string(a[0]));
  const auto t1 = get_datetime(a[1]);
  const auto t2 = get_datetime(a[2]);
  if (!period || !t1 || !t2) return Value::null_of(Type::kLong);
  const cal::Parts p1 = cal::split(*t1), p2 = cal::split(*t2);
  switch (*period) {
    case Period::kYear:
      return Value::long_(p1.date.year - p2.date.year);
    case Period::kQuarter:
      return Value::long_((p1.date.year * 4 + (p1.date.month - 1) / 3) -
                          (p2.date.year * 4 + (p2.date.month - 1) / 3));
    case Period::kMonth:
      return Value::long_((p1.date.year * 12 + p1.date.month) -
                          (p2.date.year * 12 + p2.date.month));
    case Period::kWeek: {
      // Sunday-based weeks: the Sunday on or before each date.
      const std::int64_t s1 = p1.days - cal::weekday(p1.days);
      const std::int64_t s2 = p2.days - cal::weekday(p2.days);
      return Value::long_((s1 - s2) / 7);
    }
    case Period::kNanosecond:
      return Value::long_((*t1 - *t2) * 100);
    default: {
      const std::int64_t unit = period_ticks(*period);
      return Value::long_(floor_div(*t1, unit) - floor_div(*t2, unit));
    }
  }
}

// --- startof / endof ------------------------------------------------------------------------

enum class Span { kDay, kWeek, kMonth, kYear };

std::optional<std::int64_t> start_of(std::int64_t t, Span span, std::int64_t offset) {
  const cal::Parts p = cal::split(t);
  switch (span) {
    case Span::kDay:
      return add_scaled(p.days * kTicksPerDay, offset, kTicksPerDay);
    case Span::kWeek: {
      const std::int64_t sunday = p.days - cal::weekday(p.days);
      return add_scaled(sunday * kTicksPerDay, offset, 7 * kTicksPerDay);
    }
    case Span::kMonth:
      return add_months(cal::days_from_civil(p.date.year, p.date.month, 1) * kTicksPerDay, offset);
    case Span::kYear: {
      const auto months = mul(offset, 12);
      if (!months) return std::nullopt;
      return add_months(cal::days_from_civil(p.date.year, 1, 1) * kTicksPerDay, *months);
    }
  }
  return std::nullopt;
}

template <Span S, bool End>
Value startend_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto t = get_datetime(a[0]);
  std::optional<std::int64_t> offset = 0;
  if (a.size() > 1) offset = get_long(a[1]);
  if (!t || !offset || *offset > (std::int64_t{1} << 40) || *offset < -(std::int64_t{1} << 40)) {
    return Value::null_of(Type::kDateTime);
  }
  auto r = start_of(*t, S, End ? *offset + 1 : *offset);
  if (!r) return Value::null_of(Type::kDateTime);
  return datetime_or_null(End ? *r - 1 : *r);
}

std::optional<Type> startend_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADateTime, "startof/endof", "a datetime", e) ||
      !check_arg(a, 1, kAIntegral, "startof/endof", "an integer offset", e)) {
    return std::nullopt;
  }
  return Type::kDateTime;
}

// --- format_datetime, format_timespan -------------------------------------------------------

struct Token {
  char letter = 0;  // 0: literal
  int count = 0;
  char literal = 0;
};

bool is_separator(char c) {
  return c == ' ' || c == '/' || c == '-' || c == ':' || c == ',' || c == '.' || c == '_' ||
         c == '[' || c == ']';
}

// Splits a format into runs of one specifier letter and literal separators; nullopt (with a
// message) for anything not in `letters` or a run of an unsupported length.
std::optional<std::vector<Token>> tokenize_format(std::string_view format, std::string_view letters,
                                                  bool timespan, std::string& error) {
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < format.size();) {
    const char c = format[i];
    if (is_separator(c)) {
      tokens.push_back({0, 0, c});
      ++i;
      continue;
    }
    if (letters.find(c) == std::string_view::npos) {
      error = std::string("unsupported format character '") + c + "'";
      return std::nullopt;
    }
    std::size_t j = i;
    while (j < format.size() && format[j] == c)
      ++j;
    const int n = static_cast<int>(j - i);
    bool ok = false;
    switch (c) {
      case 'f':
      case 'F':
        ok = n <= 7;
        break;
      case 'y':
        ok = n == 1 || n == 2 || n == 4;
        break;
      case 't':
        ok = n <= 2;
        break;
      case 'd':
        ok = timespan ? n <= 8 : n <= 2;
        break;
      default:
        ok = n <= 2;
    }
    if (!ok) {
      error = "unsupported format specifier '" + std::string(format.substr(i, j - i)) + "'";
      return std::nullopt;
    }
    tokens.push_back({c, n, 0});
    i = j;
  }
  return tokens;
}

void put_number(std::string& out, std::int64_t v, int width) {
  std::string digits = std::to_string(v);
  if (static_cast<int>(digits.size()) < width) {
    out.append(static_cast<std::size_t>(width) - digits.size(), '0');
  }
  out += digits;
}

// Fraction digits: `f` fixed width, `F` with trailing zeros (and then a lone '.') removed.
void put_fraction(std::string& out, std::int64_t fraction_ticks, int count, bool trim) {
  std::int64_t v = fraction_ticks;
  for (int k = count; k < 7; ++k)
    v /= 10;
  std::string digits;
  put_number(digits, v, count);
  if (trim) {
    while (!digits.empty() && digits.back() == '0')
      digits.pop_back();
    if (digits.empty()) {
      if (!out.empty() && out.back() == '.') out.pop_back();
      return;
    }
  }
  out += digits;
}

constexpr std::string_view kDateTimeLetters = "dfFhHmMsyt";
constexpr std::string_view kTimeSpanLetters = "dfFhHms";

std::optional<Type> format_datetime_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADateTime, "format_datetime", "a datetime", e) ||
      !check_arg(a, 1, kAString, "format_datetime", "a format string", e)) {
    return std::nullopt;
  }
  if (a[1].constant != nullptr) {
    std::string message;
    if (!tokenize_format(value_to_string(*a[1].constant), kDateTimeLetters, false, message)) {
      return fail(e, "format_datetime(): " + message);
    }
  }
  return Type::kString;
}
Value format_datetime_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto t = get_datetime(a[0]);
  if (!t) return Value::string("");
  std::string ignored;
  const auto tokens = tokenize_format(get_string(a[1]), kDateTimeLetters, false, ignored);
  if (!tokens) return Value::string("");
  const cal::Parts p = cal::split(*t);
  const std::int64_t hour = p.time_of_day / kTicksPerHour;
  const std::int64_t minute = p.time_of_day / kTicksPerMinute % 60;
  const std::int64_t second = p.time_of_day / kTicksPerSecond % 60;
  const std::int64_t fraction = p.time_of_day % kTicksPerSecond;
  std::string out;
  for (const Token& k : *tokens) {
    switch (k.letter) {
      case 0:
        out += k.literal;
        break;
      case 'd':
        put_number(out, p.date.day, k.count);
        break;
      case 'M':
        put_number(out, p.date.month, k.count);
        break;
      case 'y':
        if (k.count == 4) {
          put_number(out, p.date.year, 4);
        } else {
          put_number(out, p.date.year % 100, k.count);
        }
        break;
      case 'H':
        put_number(out, hour, k.count);
        break;
      case 'h':
        put_number(out, hour % 12 == 0 ? 12 : hour % 12, k.count);
        break;
      case 'm':
        put_number(out, minute, k.count);
        break;
      case 's':
        put_number(out, second, k.count);
        break;
      case 'f':
        put_fraction(out, fraction, k.count, false);
        break;
      case 'F':
        put_fraction(out, fraction, k.count, true);
        break;
      case 't':
        out += (hour < 12 ? std::string_view("AM") : std::string_view("PM"))
                   .substr(0, static_cast<std::size_t>(k.count));
        break;
      default:
        break;
    }
  }
  return Value::string(std::move(out));
}

std::optional<Type> format_timespan_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kATimeSpan, "format_timespan", "a timespan", e) ||
      !check_arg(a, 1, kAString, "format_timespan", "a format string", e)) {
    return std::nullopt;
  }
  if (a[1].constant != nullptr) {
    std::string message;
    if (!tokenize_format(value_to_string(*a[1].constant), kTimeSpanLetters, true, message)) {
      return fail(e, "format_timespan(): " + message);
    }
  }
  return Type::kString;
}
// format_timespan(ts, format): d..dddddddd days, h/hh and H/HH hours of the day, m/mm, s/ss,
// f/F fractions; a negative span gets a leading '-'.
Value format_timespan_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto ts = get_timespan(a[0]);
  if (!ts) return Value::string("");
  std::string ignored;
  const auto tokens = tokenize_format(get_string(a[1]), kTimeSpanLetters, true, ignored);
  if (!tokens) return Value::string("");
  const std::int64_t t = *ts == std::numeric_limits<std::int64_t>::min() ? 0 : std::abs(*ts);
  std::string out = *ts < 0 ? "-" : "";
  for (const Token& k : *tokens) {
    switch (k.letter) {
      case 0:
        out += k.literal;
        break;
      case 'd':
        put_number(out, t / kTicksPerDay, k.count);
        break;
      case 'h':
      case 'H':
        put_number(out, t / kTicksPerHour % 24, k.count);
        break;
      case 'm':
        put_number(out, t / kTicksPerMinute % 60, k.count);
        break;
      case 's':
        put_number(out, t / kTicksPerSecond % 60, k.count);
        break;
      case 'f':
        put_fraction(out, t % kTicksPerSecond, k.count, false);
        break;
      case 'F':
        put_fraction(out, t % kTicksPerSecond, k.count, true);
        break;
      default:
        break;
    }
  }
  return Value::string(std::move(out));
}

// --- date parts -----------------------------------------------------------------------------

std::optional<Type> part_int_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADateTime, "this date-part function", "a datetime", e)) {
    return std::nullopt;
  }
  return Type::kInt;
}

// ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).
int iso_week(std::int64_t days) {
  const int wd = (cal::weekday(days) + 6) % 7;  // Monday = 0
  const std::int64_t thursday = days - wd + 3;
  const cal::Civil c = cal::civil_from_days(thursday);
  const std::int64_t jan1 = cal::days_from_civil(c.year, 1, 1);
  return static_cast<int>((thursday - jan1) / 7 + 1);
}

template <int Part>
Value part_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto t = get_datetime(a[0]);
  if (!t) return Value::null_of(Type::kInt);
  const cal::Parts p = cal::split(*t);
  switch (Part) {
    case 0:
      return Value::integer(p.time_of_day / kTicksPerHour);
    case 1:
      return Value::integer(p.date.day);
    case 2:
      return Value::integer(p.days - cal::days_from_civil(p.date.year, 1, 1) + 1);
    case 3:
      return Value::integer(p.date.year);
    case 4:
      return Value::integer(p.date.month);
    case 5:
      return Value::integer(iso_week(p.days));
    default:
      return Value::null_of(Type::kInt);
  }
}

std::optional<Type> dayofweek_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADateTime, "dayofweek", "a datetime", e)) return std::nullopt;
  return Type::kTimeSpan;
}
Value dayofweek_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto t = get_datetime(a[0]);
  if (!t) return Value::null_of(Type::kTimeSpan);
  return Value::timespan(cal::weekday(floor_div(*t, kTicksPerDay)) * kTicksPerDay);
}

std::optional<Type> datetime_part_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAString, "datetime_part", "a part name", e) ||
      !check_arg(a, 1, kADateTime, "datetime_part", "a datetime", e)) {
    return std::nullopt;
  }
  return Type::kInt;
}
// datetime_part(part, dt): Year, Quarter, Month, week_of_year (ISO), Day, DayOfYear, Hour,
// Minute, Second, Millisecond, Microsecond, Nanosecond (case-insensitive).
Value datetime_part_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string part = get_string(a[0]);
  const auto t = get_datetime(a[1]);
  if (!t) return Value::null_of(Type::kInt);
  const cal::Parts p = cal::split(*t);
  const std::int64_t tod = p.time_of_day;
  auto is = [&](std::string_view n) { return kql_equals_ci(part, n); };
  if (is("year")) return Value::integer(p.date.year);
  if (is("quarter")) return Value::integer((p.date.month - 1) / 3 + 1);
  if (is("month")) return Value::integer(p.date.month);
  if (is("week_of_year") || is("weekofyear") || is("week")) return Value::integer(iso_week(p.days));
  if (is("day")) return Value::integer(p.date.day);
  if (is("dayofyear")) return Value::integer(p.days - cal::days_from_civil(p.date.year, 1, 1) + 1);
  if (is("hour")) return Value::integer(tod / kTicksPerHour);
  if (is("minute")) return Value::integer(tod / kTicksPerMinute % 60);
  if (is("second")) return Value::integer(tod / kTicksPerSecond % 60);
  if (is("millisecond")) return Value::integer(tod % kTicksPerSecond / 10000);
  if (is("microsecond")) return Value::integer(tod % kTicksPerSecond / 10);
  if (is("nanosecond")) return Value::integer(tod % kTicksPerSecond * 100);
  return Value::null_of(Type::kInt);
}

// --- unixtime, make_datetime, make_timespan -------------------------------------------------

std::optional<Type> unixtime_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kANumber, "unixtime_*_todatetime", "a number", e)) return std::nullopt;
  return Type::kDateTime;
}
template <std::int64_t TicksPerUnit, std::int64_t UnitsPerTick>
Value unixtime_eval(const std::vector<Value>& a, const EvalContext&) {
  if (a[0].type == Type::kReal || a[0].type == Type::kDynamic) {
    const auto v = get_real(a[0]);
    if (!v || !std::isfinite(*v)) return Value::null_of(Type::kDateTime);
    const double ticks = *v * static_cast<double>(TicksPerUnit) / static_cast<double>(UnitsPerTick);
    if (std::fabs(ticks) > 9.2e18) return Value::null_of(Type::kDateTime);
    return datetime_or_null(static_cast<std::int64_t>(ticks));
  }
  const auto v = get_long(a[0]);
  if (!v) return Value::null_of(Type::kDateTime);
  const auto ticks = mul(*v, TicksPerUnit);
  if (!ticks) return Value::null_of(Type::kDateTime);
  return datetime_or_null(floor_div(*ticks, UnitsPerTick));
}

std::optional<Type> make_datetime_type(const std::vector<ArgInfo>& a, std::string& e) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!check_arg(a, i, i == 5 ? kANumber : kAIntegral, "make_datetime", "a number", e)) {
      return std::nullopt;
    }
  }
  return Type::kDateTime;
}
// make_datetime(year, month, day [, hour, minute [, second]]); the second may be fractional.
Value make_datetime_eval(const std::vector<Value>& a, const EvalContext&) {
  std::int64_t f[5] = {0, 0, 0, 0, 0};
  for (std::size_t i = 0; i < a.size() && i < 5; ++i) {
    const auto v = get_long(a[i]);
    if (!v) return Value::null_of(Type::kDateTime);
    f[i] = *v;
  }
  double second = 0;
  if (a.size() > 5) {
    const auto v = get_real(a[5]);
    if (!v) return Value::null_of(Type::kDateTime);
    second = *v;
  }
  if (f[1] < 1 || f[1] > 12 ||
      !cal::valid_date(f[0], static_cast<int>(f[1]), static_cast<int>(f[2])) || f[3] < 0 ||
      f[3] > 23 || f[4] < 0 || f[4] > 59 || !(second >= 0 && second < 60)) {
    return Value::null_of(Type::kDateTime);
  }
  const std::int64_t ticks =
      cal::days_from_civil(f[0], static_cast<int>(f[1]), static_cast<int>(f[2])) * kTicksPerDay +
      f[3] * kTicksPerHour + f[4] * kTicksPerMinute +
      static_cast<std::int64_t>(std::llround(second * kTicksPerSecond));
  return datetime_or_null(ticks);
}

std::optional<Type> make_timespan_type(const std::vector<ArgInfo>& a, std::string& e) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!check_arg(a, i, i + 1 == a.size() ? kANumber : kAIntegral, "make_timespan", "a number",
                   e)) {
      return std::nullopt;
    }
  }
  return Type::kTimeSpan;
}
// make_timespan(hour, minute [, second]) or make_timespan(day, hour, minute, second).
Value make_timespan_eval(const std::vector<Value>& a, const EvalContext&) {
  std::int64_t day = 0, hour = 0, minute = 0;
  double second = 0;
  std::vector<std::optional<std::int64_t>> ints;
  for (std::size_t i = 0; i + 1 < a.size(); ++i)
    ints.push_back(get_long(a[i]));
  for (const auto& v : ints) {
    if (!v) return Value::null_of(Type::kTimeSpan);
  }
  const auto last = get_real(a.back());
  if (!last) return Value::null_of(Type::kTimeSpan);
  if (a.size() == 2) {
    hour = *ints[0];
    minute = static_cast<std::int64_t>(*last);
  } else if (a.size() == 3) {
    hour = *ints[0];
    minute = *ints[1];
    second = *last;
  } else {
    day = *ints[0];
    hour = *ints[1];
    minute = *ints[2];
    second = *last;
  }
  return Value::timespan(day * kTicksPerDay + hour * kTicksPerHour + minute * kTicksPerMinute +
                         static_cast<std::int64_t>(std::llround(second * kTicksPerSecond)));
}

}  // namespace

void register_datetime(std::vector<ScalarFunction>& out) {
  const auto first = Naming::kFirstArg;
  out.push_back({"now", 0, 1, now_type, now_eval, Naming::kGenerated, {}, true});
  out.push_back({"ago", 1, 1, ago_type, ago_eval, Naming::kGenerated, {}, true});
  out.push_back({"bin", 2, 2, bin_type, bin_eval, first});
  out.push_back({"floor", 2, 2, bin_type, bin_eval, first});
  out.push_back({"bin_at", 3, 3, bin_at_type, bin_at_eval, first});
  out.push_back({"datetime_add", 3, 3, datetime_add_type, datetime_add_eval});
  out.push_back({"datetime_diff", 3, 3, datetime_diff_type, datetime_diff_eval});
  out.push_back({"startofday", 1, 2, startend_type, startend_eval<Span::kDay, false>});
  out.push_back({"startofweek", 1, 2, startend_type, startend_eval<Span::kWeek, false>});
  out.push_back({"startofmonth", 1, 2, startend_type, startend_eval<Span::kMonth, false>});
  out.push_back({"startofyear", 1, 2, startend_type, startend_eval<Span::kYear, false>});
  out.push_back({"endofday", 1, 2, startend_type, startend_eval<Span::kDay, true>});
  out.push_back({"endofweek", 1, 2, startend_type, startend_eval<Span::kWeek, true>});
  out.push_back({"endofmonth", 1, 2, startend_type, startend_eval<Span::kMonth, true>});
  out.push_back({"endofyear", 1, 2, startend_type, startend_eval<Span::kYear, true>});
  out.push_back({"format_datetime", 2, 2, format_datetime_type, format_datetime_eval});
  out.push_back({"format_timespan", 2, 2, format_timespan_type, format_timespan_eval});
  out.push_back({"hourofday", 1, 1, part_int_type, part_eval<0>});
  out.push_back({"dayofmonth", 1, 1, part_int_type, part_eval<1>});
  out.push_back({"dayofyear", 1, 1, part_int_type, part_eval<2>});
  out.push_back({"getyear", 1, 1, part_int_type, part_eval<3>});
  out.push_back({"getmonth", 1, 1, part_int_type, part_eval<4>});
  out.push_back({"monthofyear", 1, 1, part_int_type, part_eval<4>});
  out.push_back({"week_of_year", 1, 1, part_int_type, part_eval<5>});
  out.push_back({"dayofweek", 1, 1, dayofweek_type, dayofweek_eval});
  out.push_back({"datetime_part", 2, 2, datetime_part_type, datetime_part_eval});
  out.push_back(
      {"unixtime_seconds_todatetime", 1, 1, unixtime_type, unixtime_eval<kTicksPerSecond, 1>});
  out.push_back({"unixtime_milliseconds_todatetime", 1, 1, unixtime_type, unixtime_eval<10000, 1>});
  out.push_back({"unixtime_microseconds_todatetime", 1, 1, unixtime_type, unixtime_eval<10, 1>});
  out.push_back({"unixtime_nanoseconds_todatetime", 1, 1, unixtime_type, unixtime_eval<1, 100>});
  out.push_back({"make_datetime", 3, 6, make_datetime_type, make_datetime_eval});
  out.push_back({"make_timespan", 2, 4, make_timespan_type, make_timespan_eval});
}

}  // namespace flowlens::query::fn
