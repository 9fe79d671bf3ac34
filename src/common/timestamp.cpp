#include "common/timestamp.h"

#include <chrono>

namespace flowlens {
namespace {

// Reads exactly `count` decimal digits at `text[pos]`.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  return true;
}

std::optional<Ticks> civil_to_ticks(int year, int month, int day, int hour, int minute,
                                    int second) {
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::int64_t days = sys_days{ymd}.time_since_epoch().count();
  return days * kTicksPerDay + hour * kTicksPerHour + minute * kTicksPerMinute +
         second * kTicksPerSecond;
}

// Parses `YYYY-MM-DD`, returning the position after it.
bool parse_date(std::string_view text, int& year, int& month, int& day) {
  return text.size() >= 10 && read_digits(text, 0, 4, year) && text[4] == '-' &&
         read_digits(text, 5, 2, month) && text[7] == '-' && read_digits(text, 8, 2, day);
}

// Parses the part after the date: `THH:MM:SS[.f+]` followed by an optional zone.
// `zone_required` selects strict ISO-8601 (the flow-log `time` field) or the user form.
std::optional<Ticks> parse_after_date(std::string_view text, int year, int month, int day,
                                      bool zone_required) {
  int hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || !read_digits(text, 11, 2, hour) ||
      text[13] != ':' || !read_digits(text, 14, 2, minute) || text[16] != ':' ||
      !read_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  Ticks fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    Ticks scale = kTicksPerSecond;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 7) {
        scale /= 10;
        fraction += (text[pos] - '0') * scale;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
  }
  Ticks offset = 0;
  if (pos == text.size()) {
    if (zone_required) return std::nullopt;
  } else if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (text[pos] == '+' ? 1 : -1) * (oh * kTicksPerHour + om * kTicksPerMinute);
    pos += 6;
  }
  if (pos != text.size()) return std::nullopt;
  auto base = civil_to_ticks(year, month, day, hour, minute, second);
  if (!base) return std::nullopt;
  Ticks result = *base + fraction - offset;
  if (result < kMinTicks || result > kMaxTicks) return std::nullopt;
  return result;
}

}  // namespace

std::optional<Ticks> parse_iso8601(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (!parse_date(text, year, month, day)) return std::nullopt;
  return parse_after_date(text, year, month, day, /*zone_required=*/true);
}

std::optional<Ticks> parse_user_time(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (!parse_date(text, year, month, day)) return std::nullopt;
  if (text.size() == 10) return civil_to_ticks(year, month, day, 0, 0, 0);
  return parse_after_date(text, year, month, day, /*zone_required=*/false);
}

void format_iso8601(Ticks ticks, char* out) {
  using namespace std::chrono;
  if (ticks < kMinTicks) ticks = kMinTicks;
  if (ticks > kMaxTicks) ticks = kMaxTicks;
  Ticks days = ticks / kTicksPerDay;
  Ticks rest = ticks % kTicksPerDay;
  if (rest < 0) {
    rest += kTicksPerDay;
    --days;
  }
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  int year = static_cast<int>(ymd.year());
  unsigned month = static_cast<unsigned>(ymd.month());
  unsigned day = static_cast<unsigned>(ymd.day());
  auto put = [&out](std::size_t pos, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[pos + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  out[4] = '-';
  put(5, month, 2);
  out[7] = '-';
  put(8, day, 2);
  out[10] = 'T';
  put(11, rest / kTicksPerHour, 2);
  out[13] = ':';
  put(14, rest / kTicksPerMinute % 60, 2);
  out[16] = ':';
  put(17, rest / kTicksPerSecond % 60, 2);
  out[19] = '.';
  put(20, rest % kTicksPerSecond, 7);
  out[27] = 'Z';
}

std::string format_iso8601(Ticks ticks) {
  std::string s(kIso8601Length, '\0');
  format_iso8601(ticks, s.data());
  return s;
}

Ticks now_ticks() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() /
         100;
}

}  // namespace flowlens
