// Conversion functions (§2.9, §6.9, §6.10): tostring, toint, tolong, toreal/todouble,
// todecimal (flowlens has no decimal type: it converts to real), tobool/toboolean,
// todatetime, totimespan/totime, todynamic/parse_json/parsejson/toobject, tohex.
// All follow convert_value() in value.cpp; failures give null (tostring never fails).
#include "query/functions/common.h"

namespace flowlens::query::fn {
namespace {

template <Type T>
Value convert_eval(const std::vector<Value>& a, const EvalContext&) {
  return convert_value(a[0], T);
}

std::optional<Type> to_string_type(const std::vector<ArgInfo>&, std::string&) {
  return Type::kString;
}

template <Type T>
std::optional<Type> numeric_target_type(const std::vector<ArgInfo>& a, std::string& e) {
  // Every scalar converts (strings are parsed; datetimes give .NET ticks).
  if (!check_arg(a, 0, kAAny, "to" + std::string(type_name(T)), "a scalar", e)) {
    return std::nullopt;
  }
  return T;
}

std::optional<Type> datetime_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAString | kADateTime | kATimeSpan | kAIntegral | kAReal, "todatetime",
                 "a string, datetime or number", e)) {
    return std::nullopt;
  }
  return Type::kDateTime;
}

std::optional<Type> timespan_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAString | kATimeSpan | kAIntegral | kAReal, "totimespan",
                 "a string, timespan or number", e)) {
    return std::nullopt;
  }
  return Type::kTimeSpan;
}

std::optional<Type> dynamic_type(const std::vector<ArgInfo>&, std::string&) {
  return Type::kDynamic;
}
// parse_json: strings are parsed (invalid JSON gives the string itself), a dynamic passes
// through, other scalars are wrapped.
Value parse_json_eval(const std::vector<Value>& a, const EvalContext&) {
  const Value& v = a[0];
  if (v.type == Type::kString) return Value::dynamic(parse_json_text(v.s));
  if (v.type == Type::kDynamic) return v;
  return Value::dynamic(value_to_dyn(v));
}

std::optional<Type> tohex_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAIntegral, "tohex", "an integer", e) ||
      !check_arg(a, 1, kAIntegral, "tohex", "an integer", e)) {
    return std::nullopt;
  }
  return Type::kString;
}
// tohex(value [, minLength]): lower-case hex of the two's-complement value.
Value tohex_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto v = get_long(a[0]);
  if (!v) return Value::string("");
  static constexpr char kDigits[] = "0123456789abcdef";
  auto u = static_cast<std::uint64_t>(*v);
  const bool int32 = a[0].type == Type::kInt;
  if (int32) u &= 0xFFFFFFFFu;
  std::string s;
  do {
    s.insert(s.begin(), kDigits[u & 15]);
    u >>= 4;
  } while (u != 0);
  if (a.size() > 1) {
    const auto width = get_long(a[1]);
    if (width && *width > static_cast<std::int64_t>(s.size()) && *width <= 64) {
      s.insert(0, static_cast<std::size_t>(*width) - s.size(), '0');
    }
  }
  return Value::string(std::move(s));
}

}  // namespace

void register_conversion(std::vector<ScalarFunction>& out) {
  const auto first = Naming::kFirstArg;
  out.push_back({"tostring", 1, 1, to_string_type, convert_eval<Type::kString>, first});
  out.push_back({"toint", 1, 1, numeric_target_type<Type::kInt>, convert_eval<Type::kInt>, first});
  out.push_back(
      {"tolong", 1, 1, numeric_target_type<Type::kLong>, convert_eval<Type::kLong>, first});
  out.push_back(
      {"toreal", 1, 1, numeric_target_type<Type::kReal>, convert_eval<Type::kReal>, first});
  out.push_back(
      {"todouble", 1, 1, numeric_target_type<Type::kReal>, convert_eval<Type::kReal>, first});
  out.push_back(
      {"todecimal", 1, 1, numeric_target_type<Type::kReal>, convert_eval<Type::kReal>, first});
  out.push_back(
      {"tobool", 1, 1, numeric_target_type<Type::kBool>, convert_eval<Type::kBool>, first});
  out.push_back(
      {"toboolean", 1, 1, numeric_target_type<Type::kBool>, convert_eval<Type::kBool>, first});
  out.push_back({"todatetime", 1, 1, datetime_type, convert_eval<Type::kDateTime>, first});
  out.push_back({"totimespan", 1, 1, timespan_type, convert_eval<Type::kTimeSpan>, first});
  out.push_back({"totime", 1, 1, timespan_type, convert_eval<Type::kTimeSpan>, first});
  out.push_back({"todynamic", 1, 1, dynamic_type, parse_json_eval, first});
  out.push_back({"toobject", 1, 1, dynamic_type, parse_json_eval, first});
  out.push_back({"parse_json", 1, 1, dynamic_type, parse_json_eval});
  out.push_back({"parsejson", 1, 1, dynamic_type, parse_json_eval});
  out.push_back({"tohex", 1, 2, tohex_type, tohex_eval});
}

}  // namespace flowlens::query::fn
