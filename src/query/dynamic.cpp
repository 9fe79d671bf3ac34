// Dynamic trees: construction, access that never throws, compact JSON and parse_json().
//
// JSON output: reals always carry a '.', an exponent or are written as the strings "NaN",
// "Infinity" and "-Infinity" (as .NET's JSON writer does), so that parse_json(tostring(d))
// gives back a real and not a long; datetimes and timespans are written as strings.
#include "query/dynamic.h"

#include <simdjson.h>

#include <cmath>

#include "common/json_text.h"
#include "query/value.h"

namespace flowlens::query {
namespace {

Dyn make(DynNode node) {
  return std::make_shared<const DynNode>(std::move(node));
}

}  // namespace

Dyn dyn_bool(bool v) {
  DynNode n;
  n.kind = DynKind::kBool;
  n.i = v ? 1 : 0;
  return make(std::move(n));
}
Dyn dyn_long(std::int64_t v) {
  DynNode n;
  n.kind = DynKind::kLong;
  n.i = v;
  return make(std::move(n));
}
Dyn dyn_real(double v) {
  DynNode n;
  n.kind = DynKind::kReal;
  n.r = v;
  return make(std::move(n));
}
Dyn dyn_string(std::string v) {
  DynNode n;
  n.kind = DynKind::kString;
  n.s = std::move(v);
  return make(std::move(n));
}
Dyn dyn_datetime(std::int64_t ticks) {
  DynNode n;
  n.kind = DynKind::kDateTime;
  n.i = ticks;
  return make(std::move(n));
}
Dyn dyn_timespan(std::int64_t ticks) {
  DynNode n;
  n.kind = DynKind::kTimeSpan;
  n.i = ticks;
  return make(std::move(n));
}
Dyn dyn_array(std::vector<Dyn> items) {
  DynNode n;
  n.kind = DynKind::kArray;
  n.items = std::move(items);
  return make(std::move(n));
}
Dyn dyn_bag(std::vector<std::pair<std::string, Dyn>> entries) {
  DynNode n;
  n.kind = DynKind::kBag;
  n.bag.reserve(entries.size());
  for (auto& [key, value] : entries) {
    bool replaced = false;
    for (auto& existing : n.bag) {
      if (existing.first == key) {
        existing.second = std::move(value);
        replaced = true;
        break;
      }
    }
    if (!replaced) n.bag.emplace_back(std::move(key), std::move(value));
  }
  return make(std::move(n));
}

Dyn dyn_member(const Dyn& d, std::string_view key) {
  if (!dyn_is_bag(d)) return nullptr;
  for (const auto& [k, v] : d->bag) {
    if (k == key) return v;
  }
  return nullptr;
}

Dyn dyn_index(const Dyn& d, std::int64_t index) {
  if (!dyn_is_array(d)) return nullptr;
  const auto size = static_cast<std::int64_t>(d->items.size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return nullptr;
  return d->items[static_cast<std::size_t>(index)];
}

void dyn_append_json(const Dyn& d, std::string& out) {
  if (!d) {
    out += "null";
    return;
  }
  switch (d->kind) {
    case DynKind::kBool:
      out += d->i ? "true" : "false";
      return;
    case DynKind::kLong:
      out += std::to_string(d->i);
      return;
    case DynKind::kReal: {
      if (std::isnan(d->r)) {
        out += "\"NaN\"";
      } else if (std::isinf(d->r)) {
        out += d->r > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      } else {
        std::string text = format_real(d->r);
        if (text.find_first_of(".E") == std::string::npos) text += ".0";
        out += text;
      }
      return;
    }
    case DynKind::kString:
      append_json_string(out, d->s);
      return;
    case DynKind::kDateTime:
      append_json_string(out, format_datetime_iso(d->i));
      return;
    case DynKind::kTimeSpan:
      append_json_string(out, format_timespan(d->i));
      return;
    case DynKind::kArray: {
      out += '[';
      bool first = true;
      for (const auto& item : d->items) {
        if (!first) out += ',';
        first = false;
        dyn_append_json(item, out);
      }
      out += ']';
      return;
    }
    case DynKind::kBag: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : d->bag) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        dyn_append_json(value, out);
      }
      out += '}';
      return;
    }
  }
}

std::string dyn_to_json(const Dyn& d) {
  std::string out;
  dyn_append_json(d, out);
  return out;
}

std::string dyn_to_text(const Dyn& d) {
  if (!d) return "";
  if (d->kind == DynKind::kString) return d->s;
  if (d->kind == DynKind::kDateTime) return format_datetime_iso(d->i);
  if (d->kind == DynKind::kTimeSpan) return format_timespan(d->i);
  return dyn_to_json(d);
}

namespace {

Dyn from_element(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      simdjson::dom::array array;
      if (e.get(array) != simdjson::SUCCESS) return nullptr;
      std::vector<Dyn> items;
      items.reserve(array.size());
      for (simdjson::dom::element child : array)
        items.push_back(from_element(child));
      return dyn_array(std::move(items));
    }
    case element_type::OBJECT: {
      simdjson::dom::object object;
      if (e.get(object) != simdjson::SUCCESS) return nullptr;
      std::vector<std::pair<std::string, Dyn>> entries;
      for (simdjson::dom::key_value_pair field : object) {
        entries.emplace_back(std::string(field.key), from_element(field.value));
      }
      return dyn_bag(std::move(entries));
    }
    case element_type::INT64: {
      std::int64_t x = 0;
      if (e.get(x) != simdjson::SUCCESS) return nullptr;
      return dyn_long(x);
    }
    case element_type::UINT64: {
      std::uint64_t x = 0;
      if (e.get(x) != simdjson::SUCCESS) return nullptr;
      return dyn_real(static_cast<double>(x));
    }
    case element_type::DOUBLE: {
      double x = 0;
      if (e.get(x) != simdjson::SUCCESS) return nullptr;
      return dyn_real(x);
    }
    case element_type::STRING: {
      std::string_view x;
      if (e.get(x) != simdjson::SUCCESS) return nullptr;
      return dyn_string(std::string(x));
    }
    case element_type::BOOL: {
      bool x = false;
      if (e.get(x) != simdjson::SUCCESS) return nullptr;
      return dyn_bool(x);
    }
    case element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

Dyn parse_json_text(std::string_view text) {
  if (text.empty()) return nullptr;
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return dyn_string(std::string(text));
  return from_element(root);
}

bool dyn_equal(const Dyn& a, const Dyn& b) {
  if (!a || !b) return !a && !b;
  if (a == b) return true;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case DynKind::kBool:
    case DynKind::kLong:
    case DynKind::kDateTime:
    case DynKind::kTimeSpan:
      return a->i == b->i;
    case DynKind::kReal:
      return a->r == b->r || (std::isnan(a->r) && std::isnan(b->r));
    case DynKind::kString:
      return a->s == b->s;
    case DynKind::kArray:
      if (a->items.size() != b->items.size()) return false;
      for (std::size_t i = 0; i < a->items.size(); ++i) {
        if (!dyn_equal(a->items[i], b->items[i])) return false;
      }
      return true;
    case DynKind::kBag:
      if (a->bag.size() != b->bag.size()) return false;
      for (const auto& [key, value] : a->bag) {
        bool found = false;
        for (const auto& [bkey, bvalue] : b->bag) {
          if (bkey == key) {
            found = dyn_equal(value, bvalue);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
  }
  return false;
}

}  // namespace flowlens::query
