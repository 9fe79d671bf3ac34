// Value: constructors, the §2.10 text forms, the to*() cast rules, and the orderings used by
// sort and grouping. Datetime and timespan text parsing lives in functions/datetime_text.cpp.
#include "query/value.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/timestamp.h"

namespace flowlens::query {

Value Value::null_of(Type t) {
  Value v;
  v.type = t;
  v.null = t != Type::kString;
  return v;
}
Value Value::boolean(bool b) {
  Value v;
  v.type = Type::kBool;
  v.null = false;
  v.i = b ? 1 : 0;
  return v;
}
Value Value::integer(std::int64_t x) {
  Value v;
  v.type = Type::kInt;
  v.null = false;
  v.i = x;
  return v;
}
Value Value::long_(std::int64_t x) {
  Value v;
  v.type = Type::kLong;
  v.null = false;
  v.i = x;
  return v;
}
Value Value::real(double x) {
  Value v;
  v.type = Type::kReal;
  v.null = false;
  v.r = x;
  return v;
}
Value Value::string(std::string s) {
  Value v;
  v.type = Type::kString;
  v.null = false;
  v.s = std::move(s);
  return v;
}
Value Value::datetime(std::int64_t ticks) {
  Value v;
  v.type = Type::kDateTime;
  v.null = false;
  v.i = ticks;
  return v;
}
Value Value::timespan(std::int64_t ticks) {
  Value v;
  v.type = Type::kTimeSpan;
  v.null = false;
  v.i = ticks;
  return v;
}
Value Value::dynamic(Dyn d) {
  Value v;
  v.type = Type::kDynamic;
  v.null = d == nullptr;
  v.d = std::move(d);
  return v;
}

std::string format_real(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return "0";
  // Shortest round-trip digits, then laid out as .NET Core's double.ToString() does:
  // scientific when the decimal exponent is below -4 or at least max(15, digit count).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::string_view etext = sci.substr(epos + 1);
  if (!etext.empty() && etext.front() == '+') etext.remove_prefix(1);
  std::from_chars(etext.data(), etext.data() + etext.size(), exp);
  const int n = static_cast<int>(digits.size());
  if (exp < -4 || exp >= std::max(15, n)) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'E';
    out += exp < 0 ? '-' : '+';
    const int a = std::abs(exp);
    if (a < 10) out += '0';
    out += std::to_string(a);
  } else if (exp >= 0) {
    if (n <= exp + 1) {
      out += digits;
      out.append(static_cast<std::size_t>(exp + 1 - n), '0');
    } else {
      out.append(digits, 0, static_cast<std::size_t>(exp + 1));
      out += '.';
      out.append(digits, static_cast<std::size_t>(exp + 1));
    }
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-exp - 1), '0');
    out += digits;
  }
  return out;
}

std::string format_timespan(std::int64_t ticks) {
  std::string out;
  std::uint64_t t = static_cast<std::uint64_t>(ticks);
  if (ticks < 0) {
    out += '-';
    t = 0 - t;
  }
  const auto per_day = static_cast<std::uint64_t>(kTicksPerDay);
  const std::uint64_t days = t / per_day;
  std::uint64_t rest = t % per_day;
  if (days > 0) {
    out += std::to_string(days);
    out += '.';
  }
  auto two = [&out](std::uint64_t x) {
    out += static_cast<char>('0' + x / 10);
    out += static_cast<char>('0' + x % 10);
  };
  const auto per_second = static_cast<std::uint64_t>(kTicksPerSecond);
  const std::uint64_t fraction = rest % per_second;
  rest /= per_second;
  two(rest / 3600);
  out += ':';
  two(rest / 60 % 60);
  out += ':';
  two(rest % 60);
  if (fraction != 0) {
    char f[8];
    std::uint64_t x = fraction;
    for (int i = 6; i >= 0; --i) {
      f[i] = static_cast<char>('0' + x % 10);
      x /= 10;
    }
    out += '.';
    out.append(f, 7);
  }
  return out;
}

std::string format_datetime_iso(std::int64_t ticks) {
  return format_iso8601(ticks);
}

std::string value_to_string(const Value& v) {
  if (v.null) return v.type == Type::kString ? v.s : std::string();
  switch (v.type) {
    case Type::kBool:
      return v.i ? "True" : "False";
    case Type::kInt:
    case Type::kLong:
      return std::to_string(v.i);
    case Type::kReal:
      return format_real(v.r);
    case Type::kString:
      return v.s;
    case Type::kDateTime:
      return format_datetime_iso(v.i);
    case Type::kTimeSpan:
      return format_timespan(v.i);
    case Type::kDynamic:
      return dyn_to_text(v.d);
  }
  return "";
}

Dyn value_to_dyn(const Value& v) {
  if (v.null && v.type != Type::kString) return nullptr;
  switch (v.type) {
    case Type::kBool:
      return dyn_bool(v.i != 0);
    case Type::kInt:
    case Type::kLong:
      return dyn_long(v.i);
    case Type::kReal:
      return dyn_real(v.r);
    case Type::kString:
      return dyn_string(v.s);
    case Type::kDateTime:
      return dyn_datetime(v.i);
    case Type::kTimeSpan:
      return dyn_timespan(v.i);
    case Type::kDynamic:
      return v.d;
  }
  return nullptr;
}

namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    char x = a[k], y = b[k];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::int64_t> parse_long_text(std::string_view s) {
  s = trim_spaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t x = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return x;
}

std::optional<double> parse_real_text(std::string_view s) {
  s = trim_spaces(s);
  if (s.empty()) return std::nullopt;
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity" || s == "+Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (s.front() == '+') s.remove_prefix(1);
  double x = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Overflow to +-inf, underflow to 0, as .NET does.
    const bool neg = s.front() == '-';
    const auto e = s.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && s.substr(e + 1).starts_with('-');
    if (tiny) return neg ? -0.0 : 0.0;
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc()) return std::nullopt;
  return x;
}

// Truncates a real into int64; nullopt when NaN or out of range.
std::optional<std::int64_t> real_to_int64(double r) {
  if (!std::isfinite(r)) return std::nullopt;
  const double t = std::trunc(r);
  if (t < -9.2233720368547758e18 || t >= 9.2233720368547758e18) return std::nullopt;
  return static_cast<std::int64_t>(t);
}

// The scalar a dynamic node holds, as a Value of its own type (arrays and bags stay dynamic).
Value node_value(const Dyn& d) {
  if (!d) return Value::null_of(Type::kDynamic);
  switch (d->kind) {
    case DynKind::kBool:
      return Value::boolean(d->i != 0);
    case DynKind::kLong:
      return Value::long_(d->i);
    case DynKind::kReal:
      return Value::real(d->r);
    case DynKind::kString:
      return Value::string(d->s);
    case DynKind::kDateTime:
      return Value::datetime(d->i);
    case DynKind::kTimeSpan:
      return Value::timespan(d->i);
    case DynKind::kArray:
    case DynKind::kBag:
      return Value::dynamic(d);
  }
  return Value::null_of(Type::kDynamic);
}

std::optional<std::int64_t> to_int64(const Value& v) {
  switch (v.type) {
    case Type::kBool:
    case Type::kInt:
    case Type::kLong:
    case Type::kTimeSpan:
      return v.i;
    case Type::kDateTime:
      return v.i + kTicksFrom0001;
    case Type::kReal:
      return real_to_int64(v.r);
    case Type::kString: {
      if (auto x = parse_long_text(v.s)) return x;
      return std::nullopt;
    }
    case Type::kDynamic:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Value convert_value(const Value& v, Type target) {
  if (v.type == Type::kDynamic && target != Type::kDynamic) {
    if (v.null) return Value::null_of(target);
    if (target == Type::kString) return Value::string(dyn_to_text(v.d));
    Value scalar = node_value(v.d);
    if (scalar.type == Type::kDynamic) return Value::null_of(target);  // array or bag
    return convert_value(scalar, target);
  }
  if (v.type == target) return v;
  if (target == Type::kString) return Value::string(value_to_string(v));
  if (target == Type::kDynamic) return Value::dynamic(value_to_dyn(v));
  if (v.null) return Value::null_of(target);
  switch (target) {
    case Type::kBool: {
      if (v.type == Type::kString) {
        std::string_view s = trim_spaces(v.s);
        if (iequals(s, "true")) return Value::boolean(true);
        if (iequals(s, "false")) return Value::boolean(false);
        if (auto x = parse_long_text(s)) return Value::boolean(*x != 0);
        return Value::null_of(Type::kBool);
      }
      if (v.type == Type::kReal) {
        if (std::isnan(v.r)) return Value::null_of(Type::kBool);
        return Value::boolean(v.r != 0);
      }
      if (v.type == Type::kInt || v.type == Type::kLong) return Value::boolean(v.i != 0);
      return Value::null_of(Type::kBool);
    }
    case Type::kInt:
    case Type::kLong: {
      auto x = to_int64(v);
      if (!x) return Value::null_of(target);
      if (target == Type::kInt) {
        if (*x < std::numeric_limits<std::int32_t>::min() ||
            *x > std::numeric_limits<std::int32_t>::max()) {
          return Value::null_of(Type::kInt);
        }
        return Value::integer(*x);
      }
      return Value::long_(*x);
    }
    case Type::kReal: {
      if (v.type == Type::kString) {
        if (auto x = parse_real_text(v.s)) return Value::real(*x);
        return Value::null_of(Type::kReal);
      }
      auto x = to_int64(v);
      if (!x) return Value::null_of(Type::kReal);
      return Value::real(static_cast<double>(*x));
    }
    case Type::kDateTime: {
      if (v.type == Type::kString) {
        if (auto t = parse_datetime_text(v.s)) return Value::datetime(*t);
        return Value::null_of(Type::kDateTime);
      }
      if (v.type == Type::kBool) return Value::null_of(Type::kDateTime);
      auto x = v.type == Type::kReal ? real_to_int64(v.r) : std::optional<std::int64_t>(v.i);
      if (!x) return Value::null_of(Type::kDateTime);
      const std::int64_t ticks = *x - kTicksFrom0001;
      if (*x < 0 || ticks > kMaxTicks) return Value::null_of(Type::kDateTime);
      return Value::datetime(ticks);
    }
    case Type::kTimeSpan: {
      if (v.type == Type::kString) {
        if (auto t = parse_timespan_text(v.s)) return Value::timespan(*t);
        return Value::null_of(Type::kTimeSpan);
      }
      if (v.type == Type::kBool) return Value::null_of(Type::kTimeSpan);
      if (v.type == Type::kDateTime) return Value::timespan(v.i + kTicksFrom0001);
      auto x = to_int64(v);
      if (!x) return Value::null_of(Type::kTimeSpan);
      return Value::timespan(*x);
    }
    case Type::kString:
    case Type::kDynamic:
      break;  // handled above
  }
  return Value::null_of(target);
}

Value dyn_to_value(const Dyn& d, Type t) {
  return convert_value(Value::dynamic(d), t);
}

namespace {

bool nullish(const Value& v) {
  if (v.type == Type::kString) return false;
  return v.null || (v.type == Type::kReal && std::isnan(v.r));
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

int compare_values(const Value& a, const Value& b) {
  const bool an = nullish(a), bn = nullish(b);
  if (an || bn) return an && bn ? 0 : (an ? -1 : 1);
  if (is_numeric(a.type) && is_numeric(b.type)) {
    if (a.type != Type::kReal && b.type != Type::kReal) return three_way(a.i, b.i);
    const long double x = a.type == Type::kReal ? a.r : static_cast<long double>(a.i);
    const long double y = b.type == Type::kReal ? b.r : static_cast<long double>(b.i);
    return three_way(x, y);
  }
  if (a.type != b.type) return three_way(static_cast<int>(a.type), static_cast<int>(b.type));
  switch (a.type) {
    case Type::kString: {
      const int c = a.s.compare(b.s);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Type::kDynamic: {
      const int c = dyn_to_json(a.d).compare(dyn_to_json(b.d));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return three_way(a.i, b.i);
  }
}

bool values_equal_for_grouping(const Value& a, const Value& b) {
  if (a.type == Type::kDynamic || b.type == Type::kDynamic) {
    if (a.type != b.type) return false;
    return dyn_equal(a.d, b.d);
  }
  if (a.type == Type::kString || b.type == Type::kString) {
    return a.type == b.type && a.s == b.s;
  }
  if (a.null || b.null) return a.null && b.null;
  if (is_numeric(a.type) && is_numeric(b.type)) {
    if (a.type == Type::kReal || b.type == Type::kReal) {
      const long double x = a.type == Type::kReal ? a.r : static_cast<long double>(a.i);
      const long double y = b.type == Type::kReal ? b.r : static_cast<long double>(b.i);
      return x == y || (std::isnan(x) && std::isnan(y));
    }
    return a.i == b.i;
  }
  return a.type == b.type && a.i == b.i;
}

}  // namespace flowlens::query
