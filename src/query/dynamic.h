// Dynamic values: KQL's JSON-like trees (arrays, property bags and typed scalars).
//
// A Dyn is an immutable, shared node; nullptr is the dynamic null. Bags keep keys in insertion
// order (KQL promises no order; insertion order makes output deterministic) and a repeated key
// keeps the last value. Datetimes and timespans keep their type inside a dynamic so that
// make-series axes and todatetime(d[i]) round-trip; JSON output writes them as strings.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowlens::query {

struct DynNode;
using Dyn = std::shared_ptr<const DynNode>;

enum class DynKind : std::uint8_t {
  kBool,
  kLong,
  kReal,
  kString,
  kDateTime,
  kTimeSpan,
  kArray,
  kBag
};

struct DynNode {
  DynKind kind = DynKind::kLong;
  std::int64_t i = 0;      // kBool (0/1), kLong, kDateTime (ticks since the Unix epoch), kTimeSpan
  double r = 0;            // kReal
  std::string s;           // kString
  std::vector<Dyn> items;  // kArray
  std::vector<std::pair<std::string, Dyn>> bag;  // kBag
};

Dyn dyn_bool(bool v);
Dyn dyn_long(std::int64_t v);
Dyn dyn_real(double v);
Dyn dyn_string(std::string v);
Dyn dyn_datetime(std::int64_t ticks);
Dyn dyn_timespan(std::int64_t ticks);
Dyn dyn_array(std::vector<Dyn> items);
Dyn dyn_bag(std::vector<std::pair<std::string, Dyn>> entries);  // later duplicates win

inline bool dyn_is_array(const Dyn& d) {
  return d && d->kind == DynKind::kArray;
}
inline bool dyn_is_bag(const Dyn& d) {
  return d && d->kind == DynKind::kBag;
}
// Member access; never throws: a missing key or non-bag gives null.
Dyn dyn_member(const Dyn& d, std::string_view key);
// Index access; negative indexes count from the end; out of range or non-array gives null.
Dyn dyn_index(const Dyn& d, std::int64_t index);

// Compact JSON (`[1,2,"a"]`, `{"a":1}`); datetimes as "2024-01-01T00:00:00.0000000Z",
// timespans as "00:00:02"; reals in shortest round-trip form; null as `null`.
std::string dyn_to_json(const Dyn& d);
void dyn_append_json(const Dyn& d, std::string& out);
// tostring() of a dynamic: a string's raw text, JSON for anything else, "" for null.
std::string dyn_to_text(const Dyn& d);

// parse_json(): strict JSON to a tree (integral numbers long, others real). Invalid JSON
// gives a dynamic string holding the original text; "" gives null.
Dyn parse_json_text(std::string_view text);

// Structural equality (used by make_set, distinct on tostring'd values, tests).
bool dyn_equal(const Dyn& a, const Dyn& b);

}  // namespace flowlens::query
