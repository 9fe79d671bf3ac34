// Value: one KQL scalar of a known type, possibly null. Used where the engine works row by row
// (literals, constant folding, most scalar functions, datatable cells, result rows); the
// vectorized paths work on Column directly.
//
// Strings are never null in KQL: a string Value with null == true must not exist; constructors
// below turn a missing string into "".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "query/dynamic.h"
#include "query/types.h"

namespace flowlens::query {

struct Value {
  Type type = Type::kLong;
  bool null = true;
  std::int64_t i = 0;  // kBool (0/1), kInt, kLong, kDateTime (Unix-epoch ticks), kTimeSpan
  double r = 0;        // kReal
  std::string s;       // kString
  Dyn d;               // kDynamic (nullptr with null == true is the dynamic null)

  static Value null_of(Type t);  // for kString: ""
  static Value boolean(bool v);
  static Value integer(std::int64_t v);  // kInt
  static Value long_(std::int64_t v);
  static Value real(double v);
  static Value string(std::string v);
  static Value datetime(std::int64_t ticks);
  static Value timespan(std::int64_t ticks);
  static Value dynamic(Dyn v);  // nullptr gives the dynamic null

  bool is_true() const { return type == Type::kBool && !null && i != 0; }
};

// KQL's tostring(): §2.10 of the semantics reference (datetimes with 7 fraction digits,
// timespans as [-][d.]hh:mm:ss[.fffffff], bools True/False, reals shortest round-trip,
// dynamics as JSON or raw string, null as "").
std::string value_to_string(const Value& v);
std::string format_real(double v);  // shortest round-trip; integral values without ".0"
std::string format_timespan(std::int64_t ticks);
std::string format_datetime_iso(std::int64_t ticks);  // yyyy-MM-ddTHH:mm:ss.fffffffZ

// A Value as a dynamic node (for pack_array, make_list, ...): null becomes nullptr.
Dyn value_to_dyn(const Value& v);
// Reads a dynamic as type `t` (the cast rules of todatetime(d), tolong(d), mv-expand `to
// typeof(t)`); null when the node cannot be converted.
Value dyn_to_value(const Dyn& d, Type t);

// The to*() cast rules (§2.9, §6.10) from any value to `target`: tostring/tolong/toint/toreal/
// tobool/todatetime/totimespan/todynamic. Failure gives the null of `target` ("" for strings).
// Reals truncate toward zero into integers; an int out of the 32-bit range is null; datetimes
// convert to and from integers as ticks since 0001-01-01 (.NET DateTime.Ticks); timespans as
// their tick count.
Value convert_value(const Value& v, Type target);

// datetime(...) literal text and todatetime(string) (§1.6): ISO 8601 and its relaxed forms,
// month-day-year, `2 Dec 2022`, `Dec 2, 2022`, `20221202`, RFC 1123/850. Surrounding spaces
// are ignored; anything else (or an impossible date) gives nullopt. Unix-epoch ticks.
std::optional<std::int64_t> parse_datetime_text(std::string_view text);
// timespan(...) literal text and totimespan(string) (§1.7, §2.9): `[-][d.]hh:mm[:ss[.f]]`, a
// bare integer (days), or a number with a KQL unit (`2.5h`, `90 seconds`). Ticks.
std::optional<std::int64_t> parse_timespan_text(std::string_view text);

// Ordering used by sort, min/max, top: nulls compare lowest; NaN sorts with nulls (below
// -inf); strings compare by bytes. Both values must have the same type (or both numeric).
int compare_values(const Value& a, const Value& b);
// Equality for grouping/distinct/join: null equals null here (groups), type-aware.
bool values_equal_for_grouping(const Value& a, const Value& b);

}  // namespace flowlens::query
