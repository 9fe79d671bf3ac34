// Helpers shared by the scalar function families: argument checks for type rules (with the
// messages the binder shows), run-time argument readers that convert dynamic arguments, type
// unification for iff/case/coalesce/max_of, and the per-family registration hooks that
// registry.cpp calls.
//
// Contract of every eval implementation: never throw for bad data, return the null of the
// result type instead (or "" for strings); return a Value of exactly the bound result type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/function_registry.h"
#include "query/value.h"

namespace flowlens::query::fn {

// Accepted argument types, as a bit set.
enum : unsigned {
  kABool = 1u << 0,
  kAInt = 1u << 1,
  kALong = 1u << 2,
  kAReal = 1u << 3,
  kAString = 1u << 4,
  kADateTime = 1u << 5,
  kATimeSpan = 1u << 6,
  kADynamic = 1u << 7,
  kANoDynamic = 1u << 8,  // flag: do not accept dynamic implicitly
  kAIntegral = kAInt | kALong,
  kANumber = kAInt | kALong | kAReal,
  kAScalar = kABool | kANumber | kAString | kADateTime | kATimeSpan,
  kAAny = kAScalar | kADynamic,
};

inline unsigned type_bit(Type t) {
  return 1u << static_cast<unsigned>(t);
}

// "first", "second", ... for messages.
std::string ordinal(std::size_t index);

// Checks argument `index` (when present) against `accept`; dynamic is accepted too unless
// kANoDynamic is set. On failure writes "<fn>() expects <what> as its <ordinal> argument (got
// <type>)" and returns false.
bool check_arg(const std::vector<ArgInfo>& args, std::size_t index, unsigned accept,
               std::string_view fn, std::string_view what, std::string& error);
// The argument must be a constant (for pattern, period and type arguments).
bool check_constant(const std::vector<ArgInfo>& args, std::size_t index, std::string_view fn,
                    std::string& error);
std::optional<Type> fail(std::string& error, std::string message);

// The common type of several branch types (iff, case, coalesce, max_of): numbers widen int <
// long < real; dynamic branches and constant typed nulls adapt to the others; otherwise the
// types must be equal. nullopt when incompatible.
std::optional<Type> unify_types(const std::vector<ArgInfo>& branches);
// The same rule applied at run time to the argument values (whose types are the bound ones).
Type unify_value_types(const std::vector<const Value*>& values);

// Run-time readers. Nulls, and dynamics that do not convert, give nullopt.
std::optional<std::int64_t> get_long(const Value& v);  // numbers truncated, bools 0/1
std::optional<double> get_real(const Value& v);
std::optional<bool> get_bool(const Value& v);
std::optional<std::int64_t> get_datetime(const Value& v);
std::optional<std::int64_t> get_timespan(const Value& v);
std::string get_string(const Value& v);  // tostring() of anything
Dyn get_dyn(const Value& v);             // dynamic as is; scalars wrapped

// Registration hooks, one per family file.
void register_conditional(std::vector<ScalarFunction>& out);
void register_conversion(std::vector<ScalarFunction>& out);
void register_string(std::vector<ScalarFunction>& out);
void register_datetime(std::vector<ScalarFunction>& out);
void register_math(std::vector<ScalarFunction>& out);
void register_array(std::vector<ScalarFunction>& out);
void register_ip(std::vector<ScalarFunction>& out);
void register_series(std::vector<ScalarFunction>& out);

}  // namespace flowlens::query::fn
