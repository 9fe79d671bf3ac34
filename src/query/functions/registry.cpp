// The scalar function registry: every family registers its functions once, at first use;
// lookups are by exact (case-sensitive) name. Shared helpers of functions/common.h live here.
#include <algorithm>
#include <unordered_map>

#include "query/function_registry.h"
#include "query/functions/common.h"

namespace flowlens::query {
namespace fn {

std::string ordinal(std::size_t index) {
  static constexpr std::string_view kWords[] = {"first", "second",  "third",  "fourth", "fifth",
                                                "sixth", "seventh", "eighth", "ninth",  "tenth"};
  if (index < std::size(kWords)) return std::string(kWords[index]);
  return std::to_string(index + 1) + "th";
}

bool check_arg(const std::vector<ArgInfo>& args, std::size_t index, unsigned accept,
               std::string_view fn, std::string_view what, std::string& error) {
  if (index >= args.size()) return true;
  unsigned ok = accept & ~static_cast<unsigned>(kANoDynamic);
  if ((accept & kANoDynamic) == 0) ok |= kADynamic;
  if ((type_bit(args[index].type) & ok) != 0) return true;
  error = std::string(fn) + "() expects " + std::string(what) + " as its " + ordinal(index) +
          " argument (got " + std::string(type_name(args[index].type)) + ")";
  return false;
}

bool check_constant(const std::vector<ArgInfo>& args, std::size_t index, std::string_view fn,
                    std::string& error) {
  if (index >= args.size() || args[index].constant != nullptr) return true;
  error = std::string(fn) + "() expects a constant as its " + ordinal(index) + " argument";
  return false;
}

std::optional<Type> fail(std::string& error, std::string message) {
  error = std::move(message);
  return std::nullopt;
}

namespace {

std::optional<Type> unify_list(const std::vector<Type>& types) {
  std::optional<Type> result;
  for (Type t : types) {
    if (!result) {
      result = t;
    } else if (*result == t) {
      continue;
    } else if (is_numeric(*result) && is_numeric(t)) {
      if (*result == Type::kReal || t == Type::kReal) {
        result = Type::kReal;
      } else {
        result = Type::kLong;
      }
    } else {
      return std::nullopt;
    }
  }
  return result;
}

}  // namespace

std::optional<Type> unify_types(const std::vector<ArgInfo>& branches) {
  std::vector<Type> typed;
  std::vector<Type> null_constants;
  bool any_dynamic = false;
  for (const auto& b : branches) {
    if (b.type == Type::kDynamic) {
      any_dynamic = true;
    } else if (b.constant != nullptr && b.constant->null && b.type != Type::kString) {
      null_constants.push_back(b.type);
    } else {
      typed.push_back(b.type);
    }
  }
  if (!typed.empty()) return unify_list(typed);
  if (!null_constants.empty()) return unify_list(null_constants);
  if (any_dynamic) return Type::kDynamic;
  return std::nullopt;
}

Type unify_value_types(const std::vector<const Value*>& values) {
  std::vector<Type> all, non_null;
  for (const Value* v : values) {
    if (v->type == Type::kDynamic) continue;
    all.push_back(v->type);
    if (!v->null || v->type == Type::kString) non_null.push_back(v->type);
  }
  if (auto t = unify_list(all)) return *t;
  if (auto t = unify_list(non_null)) return *t;
  return values.empty() ? Type::kDynamic : (all.empty() ? Type::kDynamic : all.front());
}

std::optional<std::int64_t> get_long(const Value& v) {
  if (v.null || v.type == Type::kString) return std::nullopt;
  Value c = convert_value(v, Type::kLong);
  if (c.null) return std::nullopt;
  return c.i;
}
std::optional<double> get_real(const Value& v) {
  if (v.null || v.type == Type::kString) return std::nullopt;
  if (v.type == Type::kReal) return v.r;
  if (v.type == Type::kInt || v.type == Type::kLong || v.type == Type::kBool) {
    return static_cast<double>(v.i);
  }
  Value c = convert_value(v, Type::kReal);
  if (c.null) return std::nullopt;
  return c.r;
}
std::optional<bool> get_bool(const Value& v) {
  if (v.null || v.type == Type::kString) return std::nullopt;
  Value c = convert_value(v, Type::kBool);
  if (c.null) return std::nullopt;
  return c.i != 0;
}
std::optional<std::int64_t> get_datetime(const Value& v) {
  if (v.null) return std::nullopt;
  if (v.type == Type::kDateTime) return v.i;
  if (v.type != Type::kDynamic && v.type != Type::kString) return std::nullopt;
  Value c = convert_value(v, Type::kDateTime);
  if (c.null) return std::nullopt;
  return c.i;
}
std::optional<std::int64_t> get_timespan(const Value& v) {
  if (v.null) return std::nullopt;
  if (v.type == Type::kTimeSpan) return v.i;
  if (v.type != Type::kDynamic && v.type != Type::kString) return std::nullopt;
  Value c = convert_value(v, Type::kTimeSpan);
  if (c.null) return std::nullopt;
  return c.i;
}
std::string get_string(const Value& v) {
  return value_to_string(v);
}
Dyn get_dyn(const Value& v) {
  if (v.type == Type::kDynamic) return v.d;
  return value_to_dyn(v);
}

}  // namespace fn

namespace {

struct Registry {
  std::vector<ScalarFunction> functions;
  std::unordered_map<std::string_view, std::size_t> by_name;

  Registry() {
    fn::register_conditional(functions);
    fn::register_conversion(functions);
    fn::register_string(functions);
    fn::register_datetime(functions);
    fn::register_math(functions);
    fn::register_array(functions);
    fn::register_ip(functions);
    fn::register_series(functions);
    for (std::size_t i = 0; i < functions.size(); ++i)
      by_name.emplace(functions[i].name, i);
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

const ScalarFunction* find_function(std::string_view name) {
  const auto& r = registry();
  auto it = r.by_name.find(name);
  return it == r.by_name.end() ? nullptr : &r.functions[it->second];
}

std::vector<std::string_view> function_names() {
  std::vector<std::string_view> names;
  for (const auto& f : registry().functions)
    names.push_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace flowlens::query
