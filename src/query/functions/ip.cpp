// IP address functions (§6.14): ipv4_is_private, ipv4_is_in_range, ipv4_is_in_any_range,
// ipv4_is_match, ipv4_compare, ipv6_compare, ipv6_is_match, parse_ipv4, parse_ipv4_mask,
// has_ipv4, has_ipv4_prefix.
//
// Addresses are strict dotted quads (no leading zeros) or RFC 4291 text, optionally with a
// `/prefix`. If any address argument fails to parse the result is null. The effective prefix
// of the match/compare functions is the minimum of both addresses' own prefixes and the
// prefix argument; for the ipv6_* functions an IPv4 address is ::ffff:a.b.c.d and its /p
// counts as /(96+p).
#include <algorithm>
#include <array>

#include "common/ip_address.h"
#include "query/functions/common.h"

namespace flowlens::query::fn {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

bool parse_prefix(std::string_view text, int max, int& prefix) {
  if (text.empty() || text.size() > 3) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > max) return false;
  prefix = v;
  return true;
}

struct V4 {
  std::uint32_t addr = 0;
  int prefix = 32;
};

std::optional<V4> parse_v4_cidr(std::string_view text) {
  text = trim(text);
  V4 r;
  const std::size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    if (!parse_prefix(text.substr(slash + 1), 32, r.prefix)) return std::nullopt;
    text = text.substr(0, slash);
  }
  if (!flowlens::parse_ipv4(text, r.addr)) return std::nullopt;
  return r;
}

std::uint32_t mask_v4(int prefix) {
  return prefix <= 0 ? 0u : (prefix >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - prefix)) - 1u));
}

struct V6 {
  IpAddress addr{};
  int prefix = 128;
};

std::optional<V6> parse_v6_cidr(std::string_view text) {
  text = trim(text);
  V6 r;
  int prefix = -1;
  const std::size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  if (slash != std::string_view::npos && !parse_prefix(text.substr(slash + 1), 128, prefix)) {
    return std::nullopt;
  }
  std::uint32_t v4 = 0;
  if (flowlens::parse_ipv4(address, v4)) {
    if (prefix > 32) return std::nullopt;
    r.addr = IpAddress::from_v4(v4);
    r.prefix = prefix < 0 ? 128 : 96 + prefix;
    return r;
  }
  if (!flowlens::parse_ip(address, r.addr)) return std::nullopt;
  r.prefix = prefix < 0 ? 128 : prefix;
  return r;
}

IpAddress mask_v6(const IpAddress& a, int prefix) {
  IpAddress out = a;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(prefix - i * 8, 0, 8);
    const auto keep = static_cast<std::uint8_t>(bits == 0 ? 0 : (0xFF << (8 - bits)) & 0xFF);
    out.bytes[static_cast<std::size_t>(i)] &= keep;
  }
  return out;
}

std::optional<Type> ip_args_type(const std::vector<ArgInfo>& a, std::string& e, std::string_view fn,
                                 std::size_t string_args, Type result) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool is_address = i < string_args;
    if (!check_arg(a, i, is_address ? kAString : kAIntegral, fn,
                   is_address ? "an IP address string" : "an integer prefix", e)) {
      return std::nullopt;
    }
  }
  return result;
}

// The optional prefix argument at `index`; nullopt (null result) when invalid.
std::optional<int> prefix_arg(const std::vector<Value>& a, std::size_t index, int max) {
  if (a.size() <= index) return max;
  const auto p = get_long(a[index]);
  if (!p || *p < 0 || *p > max) return std::nullopt;
  return static_cast<int>(*p);
}

// --- IPv4 -----------------------------------------------------------------------------------

Value is_private_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto ip = parse_v4_cidr(get_string(a[0]));
  if (!ip) return Value::null_of(Type::kBool);
  const std::uint32_t x = ip->addr;
  return Value::boolean((x & 0xFF000000u) == 0x0A000000u || (x & 0xFFF00000u) == 0xAC100000u ||
                        (x & 0xFFFF0000u) == 0xC0A80000u);
}

std::optional<bool> in_range(std::string_view ip_text, std::string_view range_text) {
  const auto ip = parse_v4_cidr(ip_text);
  const auto range = parse_v4_cidr(range_text);
  if (!ip || !range) return std::nullopt;
  const std::uint32_t m = mask_v4(range->prefix);
  return (ip->addr & m) == (range->addr & m);
}

Value in_range_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto r = in_range(get_string(a[0]), get_string(a[1]));
  return r ? Value::boolean(*r) : Value::null_of(Type::kBool);
}

std::optional<Type> in_any_range_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAString, "ipv4_is_in_any_range", "an IP address string", e)) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (!check_arg(a, i, kAString | kADynamic, "ipv4_is_in_any_range",
                   "a range string or a dynamic array of ranges", e)) {
      return std::nullopt;
    }
  }
  return Type::kBool;
}
Value in_any_range_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string ip = get_string(a[0]);
  if (!parse_v4_cidr(ip)) return Value::null_of(Type::kBool);
  std::vector<std::string> ranges;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const Dyn d = a[i].type == Type::kDynamic ? a[i].d : nullptr;
    if (dyn_is_array(d)) {
      for (const auto& item : d->items)
        ranges.push_back(dyn_to_text(item));
    } else {
      ranges.push_back(get_string(a[i]));
    }
  }
  bool any = false;
  for (const auto& range : ranges) {
    const auto r = in_range(ip, range);
    if (!r) return Value::null_of(Type::kBool);
    any = any || *r;
  }
  return Value::boolean(any);
}

// -1, 0 or 1 comparing the masked addresses; nullopt when anything fails to parse.
std::optional<int> compare_v4(const std::vector<Value>& a) {
  const auto x = parse_v4_cidr(get_string(a[0]));
  const auto y = parse_v4_cidr(get_string(a[1]));
  const auto p = prefix_arg(a, 2, 32);
  if (!x || !y || !p) return std::nullopt;
  const std::uint32_t m = mask_v4(std::min({x->prefix, y->prefix, *p}));
  const std::uint32_t u = x->addr & m, v = y->addr & m;
  return u < v ? -1 : (u > v ? 1 : 0);
}

std::optional<int> compare_v6(const std::vector<Value>& a) {
  const auto x = parse_v6_cidr(get_string(a[0]));
  const auto y = parse_v6_cidr(get_string(a[1]));
  const auto p = prefix_arg(a, 2, 128);
  if (!x || !y || !p) return std::nullopt;
  const int prefix = std::min({x->prefix, y->prefix, *p});
  const IpAddress u = mask_v6(x->addr, prefix), v = mask_v6(y->addr, prefix);
  return u < v ? -1 : (u == v ? 0 : 1);
}

template <bool V6>
Value is_match_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto c = V6 ? compare_v6(a) : compare_v4(a);
  return c ? Value::boolean(*c == 0) : Value::null_of(Type::kBool);
}
template <bool V6>
Value compare_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto c = V6 ? compare_v6(a) : compare_v4(a);
  return c ? Value::long_(*c) : Value::null_of(Type::kLong);
}

// parse_ipv4(s): the address as a long with the prefix mask applied.
Value parse_ipv4_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto ip = parse_v4_cidr(get_string(a[0]));
  if (!ip) return Value::null_of(Type::kLong);
  return Value::long_(ip->addr & mask_v4(ip->prefix));
}
// parse_ipv4_mask(s, prefix).
Value parse_ipv4_mask_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto ip = parse_v4_cidr(get_string(a[0]));
  const auto p = prefix_arg(a, 1, 32);
  if (!ip || !p) return Value::null_of(Type::kLong);
  return Value::long_(ip->addr & mask_v4(std::min(ip->prefix, *p)));
}

// has_ipv4(text, ip) / has_ipv4_prefix(text, prefix): the address (or an address starting with
// the prefix) occurs in `text` as a valid IPv4 address bounded by the text's ends or by
// characters that are neither alphanumeric nor '.'.
bool is_bound(char c) {
  return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.');
}

template <bool Prefix>
Value has_ipv4_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string text = get_string(a[0]);
  const std::string needle = get_string(a[1]);
  std::uint32_t ignored = 0;
  if (!Prefix && !flowlens::parse_ipv4(needle, ignored)) return Value::null_of(Type::kBool);
  if (needle.empty()) return Value::null_of(Type::kBool);
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    if (at > 0 && !is_bound(text[at - 1])) continue;
    // The candidate address: from `at` to the next bounding character.
    std::size_t end = at;
    while (end < text.size() && !is_bound(text[end]))
      ++end;
    const std::string_view candidate(text.data() + at, end - at);
    if (!Prefix && candidate.size() != needle.size()) continue;
    if (flowlens::parse_ipv4(candidate, ignored)) return Value::boolean(true);
  }
  return Value::boolean(false);
}

}  // namespace

void register_ip(std::vector<ScalarFunction>& out) {
  out.push_back({"ipv4_is_private", 1, 1,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "ipv4_is_private", 1, Type::kBool);
                 },
                 is_private_eval});
  out.push_back({"ipv4_is_in_range", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "ipv4_is_in_range", 2, Type::kBool);
                 },
                 in_range_eval});
  out.push_back({"ipv4_is_in_any_range", 2, -1, in_any_range_type, in_any_range_eval});
  out.push_back({"ipv4_is_match", 2, 3,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "ipv4_is_match", 2, Type::kBool);
                 },
                 is_match_eval<false>});
  out.push_back({"ipv4_compare", 2, 3,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "ipv4_compare", 2, Type::kLong);
                 },
                 compare_eval<false>});
  out.push_back({"ipv6_is_match", 2, 3,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "ipv6_is_match", 2, Type::kBool);
                 },
                 is_match_eval<true>});
  out.push_back({"ipv6_compare", 2, 3,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "ipv6_compare", 2, Type::kLong);
                 },
                 compare_eval<true>});
  out.push_back({"parse_ipv4", 1, 1,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "parse_ipv4", 1, Type::kLong);
                 },
                 parse_ipv4_eval});
  out.push_back({"parse_ipv4_mask", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "parse_ipv4_mask", 1, Type::kLong);
                 },
                 parse_ipv4_mask_eval});
  out.push_back({"has_ipv4", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "has_ipv4", 2, Type::kBool);
                 },
                 has_ipv4_eval<false>});
  out.push_back({"has_ipv4_prefix", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return ip_args_type(a, e, "has_ipv4_prefix", 2, Type::kBool);
                 },
                 has_ipv4_eval<true>});
}

}  // namespace flowlens::query::fn
