// Calendar arithmetic on datetime ticks (100 ns since the Unix epoch, proleptic Gregorian, UTC),
// shared by the value model, the datetime parser and the datetime functions. Header-only,
// branch-light integer code (Howard Hinnant's civil-day algorithms).
#pragma once

#include <cstdint>

#include "common/timestamp.h"

namespace flowlens::query::cal {

inline constexpr std::int64_t kTicksPerSecond = flowlens::kTicksPerSecond;
inline constexpr std::int64_t kTicksPerMinute = flowlens::kTicksPerMinute;
inline constexpr std::int64_t kTicksPerHour = flowlens::kTicksPerHour;
inline constexpr std::int64_t kTicksPerDay = flowlens::kTicksPerDay;
inline constexpr std::int64_t kMinTicks = flowlens::kMinTicks;
inline constexpr std::int64_t kMaxTicks = flowlens::kMaxTicks;

// Floor division and the matching non-negative remainder (b > 0).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
inline std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  return a - floor_div(a, b) * b;
}

// Days since 1970-01-01 of a civil date (month 1..12, day 1..31; not validated).
inline std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t year = 1970;
  int month = 1;
  int day = 1;
};

inline Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{y + (m <= 2), m, d};
}

inline bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
inline int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}
inline bool valid_date(std::int64_t y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// A datetime split into its calendar parts.
struct Parts {
  Civil date;
  std::int64_t days = 0;         // days since the epoch
  std::int64_t time_of_day = 0;  // ticks since midnight
};
inline Parts split(std::int64_t ticks) {
  Parts p;
  p.days = floor_div(ticks, kTicksPerDay);
  p.time_of_day = ticks - p.days * kTicksPerDay;
  p.date = civil_from_days(p.days);
  return p;
}

// 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday).
inline int weekday(std::int64_t days) {
  return static_cast<int>(floor_mod(days + 4, 7));
}

inline bool in_range(std::int64_t ticks) {
  return ticks >= kMinTicks && ticks <= kMaxTicks;
}

}  // namespace flowlens::query::cal
