// Dynamic array and property-bag functions (§6.12): array_length/arraylength, pack_array,
// array_concat, bag_pack/pack/pack_dictionary, set_has_element, array_index_of,
// array_sort_asc/array_sort_desc, array_slice, array_reverse, array_sum, bag_keys,
// bag_has_key.
//
// A non-array (or non-bag) where one is expected gives null. Elements compare with numeric
// promotion (1 equals 1.0), strings by bytes.
#include <algorithm>
#include <cmath>

#include "query/functions/common.h"

namespace flowlens::query::fn {
namespace {

std::optional<Type> array_arg_type(const std::vector<ArgInfo>& a, std::string& e,
                                   std::string_view fn, Type result) {
  if (!check_arg(a, 0, kADynamic, fn, "a dynamic array", e)) return std::nullopt;
  return result;
}

bool is_number(const Dyn& d) {
  return d && (d->kind == DynKind::kLong || d->kind == DynKind::kReal);
}
double number_of(const Dyn& d) {
  return d->kind == DynKind::kReal ? d->r : static_cast<double>(d->i);
}

bool elements_equal(const Dyn& a, const Dyn& b) {
  if (is_number(a) && is_number(b) && a->kind != b->kind) return number_of(a) == number_of(b);
  return dyn_equal(a, b);
}

// Ordering for array_sort_*: numbers numerically, then strings, then the rest by JSON text
// (nulls are kept apart by the caller; here they sort last).
int rank(const Dyn& d) {
  if (is_number(d)) return 0;
  if (!d) return 4;
  if (d->kind == DynKind::kString) return 1;
  if (d->kind == DynKind::kDateTime || d->kind == DynKind::kTimeSpan) return 2;
  return 3;
}

int element_compare(const Dyn& a, const Dyn& b) {
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (!a || !b) return 0;
  if (ra == 0) {
    const double x = number_of(a), y = number_of(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (ra == 2) return a->i < b->i ? -1 : (a->i > b->i ? 1 : 0);
  const int c = ra == 1 ? a->s.compare(b->s) : dyn_to_json(a).compare(dyn_to_json(b));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Value array_length_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn d = get_dyn(a[0]);
  if (!dyn_is_array(d)) return Value::null_of(Type::kLong);
  return Value::long_(static_cast<std::int64_t>(d->items.size()));
}

std::optional<Type> to_dynamic(const std::vector<ArgInfo>&, std::string&) {
  return Type::kDynamic;
}

Value pack_array_eval(const std::vector<Value>& a, const EvalContext&) {
  std::vector<Dyn> items;
  items.reserve(a.size());
  for (const auto& v : a)
    items.push_back(value_to_dyn(v));
  return Value::dynamic(dyn_array(std::move(items)));
}

std::optional<Type> array_concat_type(const std::vector<ArgInfo>& a, std::string& e) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!check_arg(a, i, kADynamic, "array_concat", "a dynamic array", e)) return std::nullopt;
  }
  return Type::kDynamic;
}
Value array_concat_eval(const std::vector<Value>& a, const EvalContext&) {
  std::vector<Dyn> items;
  for (const auto& v : a) {
    const Dyn d = get_dyn(v);
    if (!dyn_is_array(d)) return Value::null_of(Type::kDynamic);
    items.insert(items.end(), d->items.begin(), d->items.end());
  }
  return Value::dynamic(dyn_array(std::move(items)));
}

std::optional<Type> bag_pack_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (a.size() % 2 != 0) {
    return fail(e, "bag_pack() expects an even number of arguments (key, value, ...)");
  }
  for (std::size_t i = 0; i < a.size(); i += 2) {
    if (!check_arg(a, i, kAString, "bag_pack", "a string key", e)) return std::nullopt;
  }
  return Type::kDynamic;
}
Value bag_pack_eval(const std::vector<Value>& a, const EvalContext&) {
  std::vector<std::pair<std::string, Dyn>> entries;
  for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
    entries.emplace_back(get_string(a[i]), value_to_dyn(a[i + 1]));
  }
  return Value::dynamic(dyn_bag(std::move(entries)));
}

Value set_has_element_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  if (!dyn_is_array(arr)) return Value::null_of(Type::kBool);
  const Dyn needle = get_dyn(a[1]);
  for (const auto& item : arr->items) {
    if (elements_equal(item, needle)) return Value::boolean(true);
  }
  return Value::boolean(false);
}

Value array_index_of_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  if (!dyn_is_array(arr)) return Value::null_of(Type::kLong);
  const Dyn needle = get_dyn(a[1]);
  for (std::size_t i = 0; i < arr->items.size(); ++i) {
    if (elements_equal(arr->items[i], needle)) return Value::long_(static_cast<std::int64_t>(i));
  }
  return Value::long_(-1);
}

std::optional<Type> sort_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADynamic, "array_sort", "a dynamic array", e) ||
      !check_arg(a, 1, kABool, "array_sort", "a bool (nulls last)", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}
// array_sort_asc/desc(arr [, nulls_last = true]).
template <bool Desc>
Value sort_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  if (!dyn_is_array(arr)) return Value::null_of(Type::kDynamic);
  bool nulls_last = true;
  if (a.size() > 1) nulls_last = get_bool(a[1]).value_or(true);
  std::vector<Dyn> values, nulls;
  for (const auto& item : arr->items) {
    const bool is_null = !item || (item->kind == DynKind::kReal && std::isnan(item->r));
    (is_null ? nulls : values).push_back(item);
  }
  std::stable_sort(values.begin(), values.end(), [](const Dyn& x, const Dyn& y) {
    return Desc ? element_compare(x, y) > 0 : element_compare(x, y) < 0;
  });
  std::vector<Dyn> out;
  if (!nulls_last) out = nulls;
  out.insert(out.end(), values.begin(), values.end());
  if (nulls_last) out.insert(out.end(), nulls.begin(), nulls.end());
  return Value::dynamic(dyn_array(std::move(out)));
}

std::optional<Type> slice_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADynamic, "array_slice", "a dynamic array", e) ||
      !check_arg(a, 1, kAIntegral, "array_slice", "an integer", e) ||
      !check_arg(a, 2, kAIntegral, "array_slice", "an integer", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}
// array_slice(arr, start, end): elements start..end inclusive; negative indexes count from the
// end; out-of-range bounds are clamped.
Value slice_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  const auto start = get_long(a[1]);
  const auto end = get_long(a[2]);
  if (!dyn_is_array(arr) || !start || !end) return Value::null_of(Type::kDynamic);
  const auto n = static_cast<std::int64_t>(arr->items.size());
  std::int64_t s = *start < 0 ? *start + n : *start;
  std::int64_t t = *end < 0 ? *end + n : *end;
  s = std::max<std::int64_t>(s, 0);
  t = std::min<std::int64_t>(t, n - 1);
  std::vector<Dyn> out;
  for (std::int64_t i = s; i <= t; ++i)
    out.push_back(arr->items[static_cast<std::size_t>(i)]);
  return Value::dynamic(dyn_array(std::move(out)));
}

Value reverse_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  if (!dyn_is_array(arr)) return Value::null_of(Type::kDynamic);
  std::vector<Dyn> out(arr->items.rbegin(), arr->items.rend());
  return Value::dynamic(dyn_array(std::move(out)));
}

// array_sum: the sum of the numeric elements as real; null when any element is not a number.
Value sum_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  if (!dyn_is_array(arr)) return Value::null_of(Type::kReal);
  double sum = 0;
  for (const auto& item : arr->items) {
    if (!is_number(item)) return Value::null_of(Type::kReal);
    sum += number_of(item);
  }
  return Value::real(sum);
}

Value bag_keys_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn bag = get_dyn(a[0]);
  if (!dyn_is_bag(bag)) return Value::null_of(Type::kDynamic);
  std::vector<Dyn> keys;
  for (const auto& [k, v] : bag->bag)
    keys.push_back(dyn_string(k));
  return Value::dynamic(dyn_array(std::move(keys)));
}

Value bag_has_key_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn bag = get_dyn(a[0]);
  if (!dyn_is_bag(bag)) return Value::null_of(Type::kBool);
  const std::string key = get_string(a[1]);
  for (const auto& [k, v] : bag->bag) {
    if (k == key) return Value::boolean(true);
  }
  return Value::boolean(false);
}

}  // namespace

void register_array(std::vector<ScalarFunction>& out) {
  const TypeRule length_type = [](const std::vector<ArgInfo>& a, std::string& e) {
    return array_arg_type(a, e, "array_length", Type::kLong);
  };
  out.push_back({"array_length", 1, 1, length_type, array_length_eval});
  out.push_back({"arraylength", 1, 1, length_type, array_length_eval});
  out.push_back({"pack_array", 1, -1, to_dynamic, pack_array_eval});
  out.push_back({"array_concat", 1, -1, array_concat_type, array_concat_eval});
  out.push_back({"bag_pack", 0, -1, bag_pack_type, bag_pack_eval});
  out.push_back({"pack", 0, -1, bag_pack_type, bag_pack_eval});
  out.push_back({"pack_dictionary", 0, -1, bag_pack_type, bag_pack_eval});
  out.push_back({"set_has_element", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return array_arg_type(a, e, "set_has_element", Type::kBool);
                 },
                 set_has_element_eval});
  out.push_back({"array_index_of", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return array_arg_type(a, e, "array_index_of", Type::kLong);
                 },
                 array_index_of_eval});
  out.push_back({"array_sort_asc", 1, 2, sort_type, sort_eval<false>});
  out.push_back({"array_sort_desc", 1, 2, sort_type, sort_eval<true>});
  out.push_back({"array_slice", 3, 3, slice_type, slice_eval});
  out.push_back({"array_reverse", 1, 1,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return array_arg_type(a, e, "array_reverse", Type::kDynamic);
                 },
                 reverse_eval});
  out.push_back({"array_sum", 1, 1,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return array_arg_type(a, e, "array_sum", Type::kReal);
                 },
                 sum_eval});
  out.push_back({"bag_keys", 1, 1,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   return array_arg_type(a, e, "bag_keys", Type::kDynamic);
                 },
                 bag_keys_eval});
  out.push_back({"bag_has_key", 2, 2,
                 [](const std::vector<ArgInfo>& a, std::string& e) {
                   if (!check_arg(a, 1, kAString, "bag_has_key", "a string key", e)) {
                     return std::optional<Type>();
                   }
                   return array_arg_type(a, e, "bag_has_key", Type::kBool);
                 },
                 bag_has_key_eval});
}

}  // namespace flowlens::query::fn
