// KQL scalar types as the query engine sees them, with their KQL spellings.
//
// Integral types, bools, datetimes and timespans are all held as int64 at run time; datetimes
// are 100 ns ticks since the Unix epoch (as the store keeps them), timespans are 100 ns ticks.
// KQL's own datetime origin (0001-01-01) matters only for bin() sizes that do not divide a
// day, and the functions that need it convert explicitly (kTicksFrom0001).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace flowlens::query {

enum class Type : std::uint8_t {
  kBool,
  kInt,
  kLong,
  kReal,
  kString,
  kDateTime,
  kTimeSpan,
  kDynamic,
};

// Ticks from 0001-01-01 to 1970-01-01 (KQL's datetime origin to the Unix epoch).
inline constexpr std::int64_t kTicksFrom0001 = 621355968000000000;

std::string_view type_name(Type t);         // bool, int, long, real, string, datetime, ...
std::string_view dotnet_type_name(Type t);  // System.Int64, ... (getschema's DataType)
// Accepts KQL type names and aliases (boolean, int32, int64, double, date, time, ...).
std::optional<Type> parse_type_name(std::string_view name);

inline bool is_numeric(Type t) {
  return t == Type::kInt || t == Type::kLong || t == Type::kReal;
}
inline bool is_int64_backed(Type t) {
  return t == Type::kBool || t == Type::kInt || t == Type::kLong || t == Type::kDateTime ||
         t == Type::kTimeSpan;
}

}  // namespace flowlens::query
