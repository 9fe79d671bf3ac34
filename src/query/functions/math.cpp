// Math functions (§6.11): round (half away from zero after scaling, as .NET's
// Math.Round(x, d, AwayFromZero)), ceiling, abs, sign, log/log10/log2 (negative -> null,
// 0 -> -inf), exp/exp2/exp10, sqrt (negative -> null), pow (always real), isnan/isinf/
// isfinite, and the trigonometric functions, pi, degrees, radians.
//
// round, ceiling, abs and sign keep the argument's type (a dynamic argument is read as real).
#include <cmath>
#include <limits>
#include <numbers>

#include "query/functions/common.h"

namespace flowlens::query::fn {
namespace {

Type numeric_result(Type t) {
  return t == Type::kDynamic ? Type::kReal : t;
}

template <const std::string_view& Name>
std::optional<Type> same_numeric_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kANumber, Name, "a number", e)) return std::nullopt;
  return numeric_result(a[0].type);
}

template <const std::string_view& Name>
std::optional<Type> real_type(const std::vector<ArgInfo>& a, std::string& e) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!check_arg(a, i, kANumber, Name, "a number", e)) return std::nullopt;
  }
  return Type::kReal;
}

template <const std::string_view& Name>
std::optional<Type> real_to_bool_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kANumber, Name, "a number", e)) return std::nullopt;
  return Type::kBool;
}

constexpr std::string_view kCeiling = "ceiling";
constexpr std::string_view kAbs = "abs";
constexpr std::string_view kSign = "sign";
constexpr std::string_view kLogName = "log";
constexpr std::string_view kExpName = "exp";
constexpr std::string_view kSqrtName = "sqrt";
constexpr std::string_view kPow = "pow";
constexpr std::string_view kIsNan = "isnan";
constexpr std::string_view kTrig = "trigonometric function";

// An integral result of the argument's type (int stays int, long stays long).
Value integral_of(Type t, std::int64_t v) {
  return t == Type::kInt ? Value::integer(v) : Value::long_(v);
}

// --- round ----------------------------------------------------------------------------------

std::optional<Type> round_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kANumber, "round", "a number", e) ||
      !check_arg(a, 1, kAIntegral, "round", "an integer (digits)", e)) {
    return std::nullopt;
  }
  return numeric_result(a[0].type);
}

double pow10(std::int64_t n) {
  double p = 1;
  for (std::int64_t k = 0; k < n; ++k)
    p *= 10;
  return p;
}

Value round_eval(const std::vector<Value>& a, const EvalContext&) {
  const Type t = numeric_result(a[0].type);
  std::int64_t digits = 0;
  if (a.size() > 1) {
    const auto d = get_long(a[1]);
    if (!d) return Value::null_of(t);
    digits = *d;
  }
  if (t == Type::kReal) {
    const auto x = get_real(a[0]);
    if (!x) return Value::null_of(t);
    if (!std::isfinite(*x)) return Value::real(*x);
    if (digits >= 0) {
      if (digits > 15) return Value::real(*x);
      const double p = pow10(digits);
      return Value::real(std::round(*x * p) / p);
    }
    if (digits < -308) return Value::real(0);
    const double p = pow10(-digits);
    return Value::real(std::round(*x / p) * p);
  }
  const auto x = get_long(a[0]);
  if (!x) return Value::null_of(t);
  if (digits >= 0) return integral_of(t, *x);
  if (digits < -18) return integral_of(t, 0);
  std::int64_t p = 1;
  for (std::int64_t k = 0; k < -digits; ++k)
    p *= 10;
  const std::int64_t q = *x / p;
  const std::int64_t rem = *x % p;
  std::int64_t r = q;
  if (rem * 2 >= p) ++r;
  if (rem * 2 <= -p) --r;
  std::int64_t out = 0;
  if (__builtin_mul_overflow(r, p, &out)) return Value::null_of(t);
  return integral_of(t, out);
}

// --- ceiling, abs, sign ---------------------------------------------------------------------

Value ceiling_eval(const std::vector<Value>& a, const EvalContext&) {
  const Type t = numeric_result(a[0].type);
  if (t == Type::kReal) {
    const auto x = get_real(a[0]);
    return x ? Value::real(std::ceil(*x)) : Value::null_of(t);
  }
  const auto x = get_long(a[0]);
  return x ? integral_of(t, *x) : Value::null_of(t);
}

std::optional<Type> abs_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kANumber | kATimeSpan, kAbs, "a number or timespan", e)) {
    return std::nullopt;
  }
  return numeric_result(a[0].type);
}
Value abs_eval(const std::vector<Value>& a, const EvalContext&) {
  const Type t = numeric_result(a[0].type);
  if (t == Type::kReal) {
    const auto x = get_real(a[0]);
    return x ? Value::real(std::fabs(*x)) : Value::null_of(t);
  }
  if (a[0].null) return Value::null_of(t);
  const std::int64_t x = a[0].i;
  if (x == std::numeric_limits<std::int64_t>::min()) return Value::null_of(t);
  Value v = a[0];
  v.i = x < 0 ? -x : x;
  return v;
}

Value sign_eval(const std::vector<Value>& a, const EvalContext&) {
  const Type t = numeric_result(a[0].type);
  if (t == Type::kReal) {
    const auto x = get_real(a[0]);
    if (!x || std::isnan(*x)) return Value::null_of(t);
    return Value::real(*x > 0 ? 1.0 : (*x < 0 ? -1.0 : 0.0));
  }
  const auto x = get_long(a[0]);
  if (!x) return Value::null_of(t);
  return integral_of(t, *x > 0 ? 1 : (*x < 0 ? -1 : 0));
}

// --- real -> real ---------------------------------------------------------------------------

enum class Op {
  kLog,
  kLog10,
  kLog2,
  kExp,
  kExp2,
  kExp10,
  kSqrt,
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kCot,
  kDegrees,
  kRadians,
};

template <Op O>
Value unary_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto x = get_real(a[0]);
  if (!x) return Value::null_of(Type::kReal);
  const double v = *x;
  switch (O) {
    case Op::kLog:
    case Op::kLog10:
    case Op::kLog2:
      if (v < 0) return Value::null_of(Type::kReal);
      return Value::real(O == Op::kLog     ? std::log(v)
                         : O == Op::kLog10 ? std::log10(v)
                                           : std::log2(v));
    case Op::kExp:
      return Value::real(std::exp(v));
    case Op::kExp2:
      return Value::real(std::exp2(v));
    case Op::kExp10:
      return Value::real(std::pow(10.0, v));
    case Op::kSqrt:
      if (v < 0) return Value::null_of(Type::kReal);
      return Value::real(std::sqrt(v));
    case Op::kSin:
      return Value::real(std::sin(v));
    case Op::kCos:
      return Value::real(std::cos(v));
    case Op::kTan:
      return Value::real(std::tan(v));
    case Op::kAsin:
      return Value::real(std::asin(v));
    case Op::kAcos:
      return Value::real(std::acos(v));
    case Op::kAtan:
      return Value::real(std::atan(v));
    case Op::kCot:
      return Value::real(1.0 / std::tan(v));
    case Op::kDegrees:
      return Value::real(v * 180.0 / std::numbers::pi);
    case Op::kRadians:
      return Value::real(v * std::numbers::pi / 180.0);
  }
  return Value::null_of(Type::kReal);
}

Value pow_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto b = get_real(a[0]);
  const auto x = get_real(a[1]);
  if (!b || !x) return Value::null_of(Type::kReal);
  return Value::real(std::pow(*b, *x));
}

Value atan2_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto y = get_real(a[0]);
  const auto x = get_real(a[1]);
  if (!y || !x) return Value::null_of(Type::kReal);
  return Value::real(std::atan2(*y, *x));
}

template <int Which>
Value classify_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto x = get_real(a[0]);
  if (!x) return Value::null_of(Type::kBool);
  if (Which == 0) return Value::boolean(std::isnan(*x));
  if (Which == 1) return Value::boolean(std::isinf(*x));
  return Value::boolean(std::isfinite(*x));
}

}  // namespace

void register_math(std::vector<ScalarFunction>& out) {
  const auto first = Naming::kFirstArg;
  out.push_back({"round", 1, 2, round_type, round_eval, first});
  out.push_back({"ceiling", 1, 1, same_numeric_type<kCeiling>, ceiling_eval});
  out.push_back({"abs", 1, 1, abs_type, abs_eval});
  out.push_back({"sign", 1, 1, same_numeric_type<kSign>, sign_eval});
  out.push_back({"log", 1, 1, real_type<kLogName>, unary_eval<Op::kLog>, first});
  out.push_back({"log10", 1, 1, real_type<kLogName>, unary_eval<Op::kLog10>});
  out.push_back({"log2", 1, 1, real_type<kLogName>, unary_eval<Op::kLog2>});
  out.push_back({"exp", 1, 1, real_type<kExpName>, unary_eval<Op::kExp>});
  out.push_back({"exp2", 1, 1, real_type<kExpName>, unary_eval<Op::kExp2>});
  out.push_back({"exp10", 1, 1, real_type<kExpName>, unary_eval<Op::kExp10>});
  out.push_back({"sqrt", 1, 1, real_type<kSqrtName>, unary_eval<Op::kSqrt>});
  out.push_back({"pow", 2, 2, real_type<kPow>, pow_eval, first});
  out.push_back({"isnan", 1, 1, real_to_bool_type<kIsNan>, classify_eval<0>});
  out.push_back({"isinf", 1, 1, real_to_bool_type<kIsNan>, classify_eval<1>});
  out.push_back({"isfinite", 1, 1, real_to_bool_type<kIsNan>, classify_eval<2>});
  out.push_back({"sin", 1, 1, real_type<kTrig>, unary_eval<Op::kSin>});
  out.push_back({"cos", 1, 1, real_type<kTrig>, unary_eval<Op::kCos>});
  out.push_back({"tan", 1, 1, real_type<kTrig>, unary_eval<Op::kTan>});
  out.push_back({"asin", 1, 1, real_type<kTrig>, unary_eval<Op::kAsin>});
  out.push_back({"acos", 1, 1, real_type<kTrig>, unary_eval<Op::kAcos>});
  out.push_back({"atan", 1, 1, real_type<kTrig>, unary_eval<Op::kAtan>});
  out.push_back({"atan2", 2, 2, real_type<kTrig>, atan2_eval});
  out.push_back({"cot", 1, 1, real_type<kTrig>, unary_eval<Op::kCot>});
  out.push_back({"degrees", 1, 1, real_type<kTrig>, unary_eval<Op::kDegrees>});
  out.push_back({"radians", 1, 1, real_type<kTrig>, unary_eval<Op::kRadians>});
  out.push_back({"pi", 0, 0, real_type<kTrig>, [](const std::vector<Value>&, const EvalContext&) {
                   return Value::real(std::numbers::pi);
                 }});
}

}  // namespace flowlens::query::fn
