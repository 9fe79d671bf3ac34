// Text to datetime and timespan (parse_datetime_text, parse_timespan_text in value.h): the
// forms of §1.6 and §1.7 of the KQL semantics reference.
//
// Datetime: an optional weekday name, a date in one of the forms below, an optional time
// (`T` or spaces, `H:mm[:ss[.f…]]`, optional AM/PM) and an optional zone (`Z`, `GMT`, `UTC`,
// `±hh:mm`, `±hhmm`, `±hh`; offsets are converted to UTC).
//   yyyy-M-d  yyyy/M/d  yyyy.M.d   (ISO and "sortable")
//   yyyyMMdd                        (compact, optionally `THHmmss`)
//   M-d-yyyy  M/d/yyyy  M.d.yyyy    (month-day-year, as the emulator does)
//   d Mon yyyy, d-Mon-yy            (RFC 1123 / RFC 850; two-digit years: 00-49 -> 20xx)
//   Mon d, yyyy                     (`Dec 2, 2022`)
//   yyyy, M, d                      (the comma form of one doc example)
#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>

#include "query/functions/calendar.h"
#include "query/value.h"

namespace flowlens::query {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  std::size_t pos() const { return pos_; }
  void reset(std::size_t p) { pos_ = p; }
  void skip(std::size_t n = 1) { pos_ += n; }
  bool eat(char c) {
    if (peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::size_t skip_spaces() {
    std::size_t n = 0;
    while (peek() == ' ' || peek() == '\t') {
      ++pos_;
      ++n;
    }
    return n;
  }
  // Reads 1..max digits; returns the digit count (0: none).
  int digits(std::int64_t& value, int max = 18) {
    int n = 0;
    value = 0;
    while (n < max && std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + (peek() - '0');
      ++pos_;
      ++n;
    }
    return n;
  }
  std::string_view word() {
    const std::size_t start = pos_;
    while (std::isalpha(static_cast<unsigned char>(peek())))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// 1..12 for an English month name or its 3-letter abbreviation (`Sept` too); 0 otherwise.
int month_from_name(std::string_view w) {
  static constexpr std::string_view kNames[] = {"january",   "february", "march",    "april",
                                                "may",       "june",     "july",     "august",
                                                "september", "october",  "november", "december"};
  for (int m = 0; m < 12; ++m) {
    if (iequal(w, kNames[m]) || iequal(w, kNames[m].substr(0, 3))) return m + 1;
  }
  if (iequal(w, "sept")) return 9;
  return 0;
}

bool is_weekday_name(std::string_view w) {
  static constexpr std::string_view kNames[] = {"sunday",   "monday", "tuesday", "wednesday",
                                                "thursday", "friday", "saturday"};
  for (auto n : kNames) {
    if (iequal(w, n) || iequal(w, n.substr(0, 3))) return true;
  }
  return false;
}

std::int64_t expand_year(std::int64_t y, int digits) {
  if (digits == 2) return y < 50 ? 2000 + y : 1900 + y;
  return y;
}

struct Date {
  std::int64_t y = 0;
  int m = 0;
  int d = 0;
};

// The date part; leaves the scanner after it.
std::optional<Date> parse_date(Scanner& sc) {
  const std::size_t start = sc.pos();
  std::int64_t a = 0;
  const int na = sc.digits(a);
  if (na == 0) {
    // Mon d, yyyy
    const int month = month_from_name(sc.word());
    if (month == 0) return std::nullopt;
    sc.skip_spaces();
    std::int64_t d = 0, y = 0;
    if (sc.digits(d, 2) == 0) return std::nullopt;
    const bool comma = sc.eat(',');
    if (sc.skip_spaces() == 0 && !comma) return std::nullopt;
    const int ny = sc.digits(y, 4);
    if (ny != 4 && ny != 2) return std::nullopt;
    return Date{expand_year(y, ny), month, static_cast<int>(d)};
  }
  if (na == 8 && !std::isdigit(static_cast<unsigned char>(sc.peek()))) {
    return Date{a / 10000, static_cast<int>(a / 100 % 100), static_cast<int>(a % 100)};
  }
  const char sep = sc.peek();
  if (na == 4 && sep == ',') {
    // yyyy, M, d
    std::int64_t m = 0, d = 0;
    sc.skip();
    sc.skip_spaces();
    if (sc.digits(m, 2) == 0 || !sc.eat(',')) return std::nullopt;
    sc.skip_spaces();
    if (sc.digits(d, 2) == 0) return std::nullopt;
    return Date{a, static_cast<int>(m), static_cast<int>(d)};
  }
  if (na == 4 && (sep == '-' || sep == '/' || sep == '.')) {
    std::int64_t m = 0, d = 0;
    sc.skip();
    if (sc.digits(m, 2) == 0 || !sc.eat(sep) || sc.digits(d, 2) == 0) return std::nullopt;
    return Date{a, static_cast<int>(m), static_cast<int>(d)};
  }
  if (na <= 2 && (sep == '-' || sep == '/' || sep == '.')) {
    sc.skip();
    std::int64_t b = 0, y = 0;
    if (sc.digits(b, 2) > 0) {
      // M-d-yyyy
      if (!sc.eat(sep)) return std::nullopt;
      const int ny = sc.digits(y, 4);
      if (ny != 4) return std::nullopt;
      return Date{y, static_cast<int>(a), static_cast<int>(b)};
    }
    // d-Mon-yy (RFC 850)
    const int month = month_from_name(sc.word());
    if (month == 0 || !sc.eat(sep)) return std::nullopt;
    const int ny = sc.digits(y, 4);
    if (ny != 4 && ny != 2) return std::nullopt;
    return Date{expand_year(y, ny), month, static_cast<int>(a)};
  }
  if (na <= 2 && sep == ' ') {
    // d Mon yyyy
    sc.skip_spaces();
    const int month = month_from_name(sc.word());
    if (month == 0 || sc.skip_spaces() == 0) return std::nullopt;
    std::int64_t y = 0;
    const int ny = sc.digits(y, 4);
    if (ny != 4 && ny != 2) return std::nullopt;
    return Date{expand_year(y, ny), month, static_cast<int>(a)};
  }
  sc.reset(start);
  return std::nullopt;
}

// Fraction digits after '.', as ticks (digits beyond the 7th are truncated).
bool parse_fraction(Scanner& sc, std::int64_t& ticks) {
  ticks = 0;
  std::int64_t scale = cal::kTicksPerSecond;
  int n = 0;
  while (std::isdigit(static_cast<unsigned char>(sc.peek()))) {
    if (n < 7) {
      scale /= 10;
      ticks += (sc.peek() - '0') * scale;
    }
    sc.skip();
    ++n;
  }
  return n > 0;
}

// Zone suffix; false when something is there but is not a zone.
bool parse_zone(Scanner& sc, std::int64_t& offset) {
  offset = 0;
  sc.skip_spaces();
  if (sc.done()) return true;
  if (sc.peek() == 'Z' || sc.peek() == 'z') {
    sc.skip();
    return true;
  }
  if (sc.peek() == '+' || sc.peek() == '-') {
    const bool neg = sc.peek() == '-';
    sc.skip();
    std::int64_t h = 0, m = 0;
    const int nh = sc.digits(h, 4);
    if (nh == 4) {
      m = h % 100;
      h /= 100;
    } else if (nh == 2 || nh == 1) {
      if (sc.eat(':') && sc.digits(m, 2) != 2) return false;
    } else {
      return false;
    }
    if (h > 23 || m > 59) return false;
    offset = (neg ? -1 : 1) * (h * cal::kTicksPerHour + m * cal::kTicksPerMinute);
    return true;
  }
  const std::string_view w = sc.word();
  return iequal(w, "GMT") || iequal(w, "UTC");
}

}  // namespace

std::optional<std::int64_t> parse_datetime_text(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  Scanner sc(text);
  // Optional weekday: "Wed, ", "Wednesday, ", "Wed ".
  if (std::isalpha(static_cast<unsigned char>(sc.peek()))) {
    const std::size_t start = sc.pos();
    const std::string_view w = sc.word();
    if (is_weekday_name(w) && (sc.peek() == ',' || sc.peek() == ' ')) {
      sc.eat(',');
      sc.skip_spaces();
    } else {
      sc.reset(start);
    }
  }
  const auto date = parse_date(sc);
  if (!date || !cal::valid_date(date->y, date->m, date->d)) return std::nullopt;
  std::int64_t time = 0, offset = 0;
  const std::size_t before_time = sc.pos();
  const bool t_sep = sc.peek() == 'T' || sc.peek() == 't';
  if (t_sep) {
    sc.skip();
  } else {
    sc.skip_spaces();
  }
  std::int64_t h = 0;
  const int nh = sc.digits(h, 6);
  if (nh == 6 && t_sep) {
    // compact yyyyMMddTHHmmss
    const std::int64_t mi = h / 100 % 100, s = h % 100;
    h /= 10000;
    if (h > 23 || mi > 59 || s > 59) return std::nullopt;
    time = h * cal::kTicksPerHour + mi * cal::kTicksPerMinute + s * cal::kTicksPerSecond;
  } else if (nh == 1 || nh == 2) {
    std::int64_t mi = 0, s = 0, frac = 0;
    if (!sc.eat(':') || sc.digits(mi, 2) != 2) return std::nullopt;
    if (sc.eat(':')) {
      if (sc.digits(s, 2) != 2) return std::nullopt;
      if (sc.eat('.') && !parse_fraction(sc, frac)) return std::nullopt;
    }
    // AM/PM
    const std::size_t before_ampm = sc.pos();
    sc.skip_spaces();
    const std::string_view w = sc.word();
    if (iequal(w, "AM") || iequal(w, "PM")) {
      if (h < 1 || h > 12) return std::nullopt;
      h = h % 12 + (iequal(w, "PM") ? 12 : 0);
    } else {
      sc.reset(before_ampm);
    }
    if (h > 23 || mi > 59 || s > 59) return std::nullopt;
    time = h * cal::kTicksPerHour + mi * cal::kTicksPerMinute + s * cal::kTicksPerSecond + frac;
  } else if (nh == 0) {
    sc.reset(before_time);
    if (t_sep) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!parse_zone(sc, offset) || !sc.done()) return std::nullopt;
  const std::int64_t ticks =
      cal::days_from_civil(date->y, date->m, date->d) * cal::kTicksPerDay + time - offset;
  if (!cal::in_range(ticks)) return std::nullopt;
  return ticks;
}

namespace {

struct Unit {
  std::string_view name;
  std::int64_t ticks;
};

constexpr Unit kUnits[] = {
    {"d", cal::kTicksPerDay},
    {"day", cal::kTicksPerDay},
    {"days", cal::kTicksPerDay},
    {"h", cal::kTicksPerHour},
    {"hr", cal::kTicksPerHour},
    {"hrs", cal::kTicksPerHour},
    {"hour", cal::kTicksPerHour},
    {"hours", cal::kTicksPerHour},
    {"m", cal::kTicksPerMinute},
    {"min", cal::kTicksPerMinute},
    {"minute", cal::kTicksPerMinute},
    {"minutes", cal::kTicksPerMinute},
    {"s", cal::kTicksPerSecond},
    {"sec", cal::kTicksPerSecond},
    {"second", cal::kTicksPerSecond},
    {"seconds", cal::kTicksPerSecond},
    {"ms", 10000},
    {"milli", 10000},
    {"millis", 10000},
    {"millisec", 10000},
    {"millisecond", 10000},
    {"milliseconds", 10000},
    {"micro", 10},
    {"micros", 10},
    {"microsec", 10},
    {"microsecond", 10},
    {"microseconds", 10},
    {"tick", 1},
    {"ticks", 1},
};

}  // namespace

std::optional<std::int64_t> parse_timespan_text(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  Scanner sc(text);
  const bool neg = sc.eat('-');
  if (!neg) sc.eat('+');
  std::int64_t a = 0;
  const int na = sc.digits(a, 9);
  if (na == 0) return std::nullopt;
  const auto sign = [neg](std::int64_t t) { return neg ? -t : t; };
  constexpr std::int64_t kMaxDays = 10675199;  // TimeSpan.MaxValue.Days
  if (sc.done()) {
    if (a > kMaxDays) return std::nullopt;
    return sign(a * cal::kTicksPerDay);  // a bare number counts days
  }
  if (sc.peek() == ':' ||
      (sc.peek() == '.' && std::isdigit(static_cast<unsigned char>(sc.peek(1))) && [&] {
        // `d.hh:mm...` versus `2.5h`: look for ':' after the digits.
        std::size_t k = 1;
        while (std::isdigit(static_cast<unsigned char>(sc.peek(k))))
          ++k;
        return sc.peek(k) == ':';
      }())) {
    std::int64_t days = 0, h = a, m = 0, s = 0, frac = 0;
    if (sc.eat('.')) {
      days = a;
      if (sc.digits(h, 2) == 0) return std::nullopt;
    }
    if (!sc.eat(':') || sc.digits(m, 2) != 2) return std::nullopt;
    if (sc.eat(':')) {
      if (sc.digits(s, 2) != 2) return std::nullopt;
      if (sc.eat('.') && !parse_fraction(sc, frac)) return std::nullopt;
    }
    if (!sc.done() || h > 23 || m > 59 || s > 59 || days > kMaxDays) return std::nullopt;
    return sign(days * cal::kTicksPerDay + h * cal::kTicksPerHour + m * cal::kTicksPerMinute +
                s * cal::kTicksPerSecond + frac);
  }
  // number[.fraction] unit
  std::int64_t frac_num = 0, frac_den = 1;
  if (sc.eat('.')) {
    std::int64_t f = 0;
    const int nf = sc.digits(f, 9);
    if (nf == 0) return std::nullopt;
    frac_num = f;
    for (int k = 0; k < nf; ++k)
      frac_den *= 10;
  }
  sc.skip_spaces();
  const std::string_view unit = sc.word();
  if (!sc.done()) return std::nullopt;
  std::int64_t per = 0;
  for (const auto& u : kUnits) {
    if (u.name == unit) per = u.ticks;
  }
  if (unit == "nano" || unit == "nanos" || unit == "nanosec" || unit == "nanosecond" ||
      unit == "nanoseconds") {
    // 100 ns per tick: whole ticks only.
    return sign((a * frac_den + frac_num) / (100 * frac_den));
  }
  if (per == 0) return std::nullopt;
  const long double ticks =
      static_cast<long double>(a) * per + static_cast<long double>(frac_num) * per / frac_den;
  if (ticks > 9.2e18L) return std::nullopt;
  return sign(static_cast<std::int64_t>(ticks));
}

}  // namespace flowlens::query
