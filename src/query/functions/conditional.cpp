// Conditional and null-testing functions (§6.1, §2.5, §2.7, §6.11): iff/iif, case, coalesce,
// max_of, min_of, not, isempty, isnotempty, isnull, isnotnull, gettype.
//
// Branch types unify as fn::unify_types describes; the chosen value is converted to the
// unified type, so a dynamic branch is read as the other branches' type.
#include <cmath>

#include "query/functions/common.h"

namespace flowlens::query::fn {
namespace {

Value cast_to(const Value& v, Type t) {
  return v.type == t ? v : convert_value(v, t);
}

std::optional<Type> iff_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kABool, "iff", "a bool", e)) return std::nullopt;
  if (auto t = unify_types({a[1], a[2]})) return t;
  return fail(e, "iff() branches have incompatible types " + std::string(type_name(a[1].type)) +
                     " and " + std::string(type_name(a[2].type)));
}
Value iff_eval(const std::vector<Value>& a, const EvalContext&) {
  const Type t = unify_value_types({&a[1], &a[2]});
  const auto c = get_bool(a[0]);
  return cast_to(c.value_or(false) ? a[1] : a[2], t);
}

std::optional<Type> case_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (a.size() % 2 == 0)
    return fail(e, "case() expects pairs of predicate and value, then an else value");
  std::vector<ArgInfo> branches;
  for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
    if (!check_arg(a, i, kABool, "case", "a bool", e)) return std::nullopt;
    branches.push_back(a[i + 1]);
  }
  branches.push_back(a.back());
  if (auto t = unify_types(branches)) return t;
  return fail(e, "case() values have incompatible types");
}
Value case_eval(const std::vector<Value>& a, const EvalContext&) {
  std::vector<const Value*> branches;
  for (std::size_t i = 0; i + 1 < a.size(); i += 2)
    branches.push_back(&a[i + 1]);
  branches.push_back(&a.back());
  const Type t = unify_value_types(branches);
  for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
    if (get_bool(a[i]).value_or(false)) return cast_to(a[i + 1], t);
  }
  return cast_to(a.back(), t);
}

std::optional<Type> coalesce_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (auto t = unify_types(a)) return t;
  return fail(e, "coalesce() arguments must have one common type");
}
Value coalesce_eval(const std::vector<Value>& a, const EvalContext&) {
  std::vector<const Value*> all;
  for (const auto& v : a)
    all.push_back(&v);
  const Type t = unify_value_types(all);
  for (const auto& v : a) {
    Value c = cast_to(v, t);
    if (t == Type::kString ? !c.s.empty() : !c.null) return c;
  }
  return Value::null_of(t);
}

std::optional<Type> extremum_type(const std::vector<ArgInfo>& a, std::string& e,
                                  std::string_view name) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!check_arg(a, i, kANumber | kAString | kADateTime | kATimeSpan | kABool, name,
                   "an orderable value", e)) {
      return std::nullopt;
    }
  }
  if (auto t = unify_types(a)) return t;
  return fail(e, std::string(name) + "() arguments must have one common type");
}
Value extremum_eval(const std::vector<Value>& a, bool want_max) {
  std::vector<const Value*> all;
  for (const auto& v : a)
    all.push_back(&v);
  const Type t = unify_value_types(all);
  Value best = Value::null_of(t);
  bool have = false;
  for (const auto& v : a) {
    Value c = cast_to(v, t);
    if (c.null && t != Type::kString) continue;
    if (t == Type::kReal && std::isnan(c.r)) continue;
    if (!have) {
      best = std::move(c);
      have = true;
      continue;
    }
    const int cmp = compare_values(c, best);
    if (want_max ? cmp > 0 : cmp < 0) best = std::move(c);
  }
  return best;
}

std::optional<Type> not_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kABool, "not", "a bool", e)) return std::nullopt;
  return Type::kBool;
}
Value not_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto b = get_bool(a[0]);
  if (!b) return Value::null_of(Type::kBool);
  return Value::boolean(!*b);
}

std::optional<Type> any_to_bool(const std::vector<ArgInfo>&, std::string&) {
  return Type::kBool;
}

bool is_empty(const Value& v) {
  if (v.type == Type::kString) return v.s.empty();
  if (v.null) return true;
  if (v.type == Type::kDynamic) return !v.d || (v.d->kind == DynKind::kString && v.d->s.empty());
  return false;
}
bool is_null(const Value& v) {
  if (v.type == Type::kString) return false;
  return v.null;
}

std::optional<Type> gettype_type(const std::vector<ArgInfo>&, std::string&) {
  return Type::kString;
}
// gettype(): the KQL name of the value's type; for a dynamic, the type of what it holds
// ("array", "dictionary", "null", "long", "real", "string", ...).
Value gettype_eval(const std::vector<Value>& a, const EvalContext&) {
  const Value& v = a[0];
  if (v.type != Type::kDynamic) {
    if (v.type == Type::kInt) return Value::string("int");
    if (v.type == Type::kReal) return Value::string("real");
    return Value::string(std::string(type_name(v.type)));
  }
  if (!v.d) return Value::string("null");
  switch (v.d->kind) {
    case DynKind::kBool:
      return Value::string("bool");
    case DynKind::kLong:
      return Value::string("long");
    case DynKind::kReal:
      return Value::string("real");
    case DynKind::kString:
      return Value::string("string");
    case DynKind::kDateTime:
      return Value::string("datetime");
    case DynKind::kTimeSpan:
      return Value::string("timespan");
    case DynKind::kArray:
      return Value::string("array");
    case DynKind::kBag:
      return Value::string("dictionary");
  }
  return Value::string("null");
}

}  // namespace

void register_conditional(std::vector<ScalarFunction>& out) {
  out.push_back({"iff", 3, 3, iff_type, iff_eval});
  out.push_back({"iif", 3, 3, iff_type, iff_eval});
  out.push_back({"case", 3, -1, case_type, case_eval});
  out.push_back({"coalesce", 2, 64, coalesce_type, coalesce_eval});
  out.push_back(
      {"max_of", 2, 64,
       [](const std::vector<ArgInfo>& a, std::string& e) { return extremum_type(a, e, "max_of"); },
       [](const std::vector<Value>& a, const EvalContext&) { return extremum_eval(a, true); }});
  out.push_back(
      {"min_of", 2, 64,
       [](const std::vector<ArgInfo>& a, std::string& e) { return extremum_type(a, e, "min_of"); },
       [](const std::vector<Value>& a, const EvalContext&) { return extremum_eval(a, false); }});
  out.push_back({"not", 1, 1, not_type, not_eval});
  out.push_back({"isempty", 1, 1, any_to_bool, [](const std::vector<Value>& a, const EvalContext&) {
                   return Value::boolean(is_empty(a[0]));
                 }});
  out.push_back(
      {"isnotempty", 1, 1, any_to_bool, [](const std::vector<Value>& a, const EvalContext&) {
         return Value::boolean(!is_empty(a[0]));
       }});
  out.push_back({"isnull", 1, 1, any_to_bool, [](const std::vector<Value>& a, const EvalContext&) {
                   return Value::boolean(is_null(a[0]));
                 }});
  out.push_back(
      {"isnotnull", 1, 1, any_to_bool, [](const std::vector<Value>& a, const EvalContext&) {
         return Value::boolean(!is_null(a[0]));
       }});
  out.push_back({"gettype", 1, 1, gettype_type, gettype_eval});
}

}  // namespace flowlens::query::fn
