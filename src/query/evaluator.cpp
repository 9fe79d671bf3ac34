#include "query/evaluator.h"

#include <re2/re2.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "query/query_error.h"
#include "query/string_match.h"

namespace flowlens::query {

std::int64_t kql_mod(std::int64_t a, std::int64_t b) {
  std::int64_t m = a % b;
  if (m < 0) m += b < 0 ? -b : b;
  return m;
}

namespace {

constexpr double kTicksFrom0001D = static_cast<double>(kTicksFrom0001);

Column bool_column(std::size_t n) {
  Column c(Type::kBool);
  c.ints.assign(n, 0);
  return c;
}
void set_null(Column& c, std::size_t row) {
  if (c.nulls.empty()) c.nulls.assign(c.size(), 0);
  c.nulls[row] = 1;
}
double as_double(const Column& c, std::size_t row) {
  return c.type == Type::kReal ? c.reals[row] : static_cast<double>(c.ints[row]);
}

// The column a compound expression reads when it reads exactly one, and that one is a string
// column; -1 otherwise.
int single_string_source(const BExpr& e, const Batch& b) {
  int found = -1;
  bool ok = true;
  auto walk = [&](auto&& self, const BExpr& x) -> void {
    if (!ok) return;
    if (x.kind == BKind::kRowNumber) ok = false;  // depends on the row position
    if (x.kind == BKind::kColumn) {
      if (found == -1) {
        found = x.column;
      } else if (found != x.column) {
        ok = false;
      }
      return;
    }
    for (const auto& a : x.args)
      self(self, *a);
  };
  walk(walk, e);
  if (!ok || found < 0) return -1;
  const Column& c = b.columns[static_cast<std::size_t>(found)];
  if (c.type != Type::kString || !c.dict) return -1;
  return found;
}

// ---- regex cache ----
// Per thread: parallel scans evaluate regexes at once, and a shared cache would destroy entries
// another thread still uses when it clears. A pointer is valid until the next call.
const RE2* cached_regex(const std::string& pattern) {
  thread_local std::unordered_map<std::string, std::unique_ptr<RE2>> cache;
  auto it = cache.find(pattern);
  if (it != cache.end()) return it->second.get();
  if (cache.size() > 256) cache.clear();
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  const RE2* raw = re.get();
  cache.emplace(pattern, std::move(re));
  return raw;
}

bool string_op(const std::string& op, std::string_view lhs, std::string_view rhs) {
  if (op == "=~") return kql_equals_ci(lhs, rhs);
  if (op == "has") return kql_has(lhs, rhs, false);
  if (op == "has_cs") return kql_has(lhs, rhs, true);
  if (op == "hasprefix") return kql_hasprefix(lhs, rhs, false);
  if (op == "hasprefix_cs") return kql_hasprefix(lhs, rhs, true);
  if (op == "hassuffix") return kql_hassuffix(lhs, rhs, false);
  if (op == "hassuffix_cs") return kql_hassuffix(lhs, rhs, true);
  if (op == "contains") return kql_contains(lhs, rhs, false);
  if (op == "contains_cs") return kql_contains(lhs, rhs, true);
  if (op == "startswith") return kql_startswith(lhs, rhs, false);
  if (op == "startswith_cs") return kql_startswith(lhs, rhs, true);
  if (op == "endswith") return kql_endswith(lhs, rhs, false);
  if (op == "endswith_cs") return kql_endswith(lhs, rhs, true);
  if (op == "matches regex") {
    const RE2* re = cached_regex(std::string(rhs));
    if (!re->ok()) return false;
    return RE2::PartialMatch(re2::StringPiece(lhs.data(), lhs.size()), *re);
  }
  return false;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Evaluator {
 public:
  Evaluator(const Batch& b, const EvalContext& context) : b_(b), ctx_(context) {}

  Column eval(const BExpr& e) {
    switch (e.kind) {
      case BKind::kConst:
        return constant_column(e.constant, b_.rows);
      case BKind::kColumn:
        return b_.columns[static_cast<std::size_t>(e.column)];
      default:
        break;
    }
    // Per-distinct-value evaluation for expressions of one dictionary-coded string column.
    // (Comparisons, string operators, `in` and logic already work per dictionary entry.)
    bool memoized = e.kind == BKind::kCompare || e.kind == BKind::kStrOp || e.kind == BKind::kIn ||
                    e.kind == BKind::kAnd || e.kind == BKind::kOr;
    int source = memoized ? -1 : single_string_source(e, b_);
    if (source >= 0) {
      const Column& c = b_.columns[static_cast<std::size_t>(source)];
      std::size_t distinct = c.dict->values.size();
      if (distinct * 2 <= b_.rows && distinct > 0) {
        Batch mini;
        mini.rows = distinct;
        mini.columns.resize(b_.columns.size());
        Column& m = mini.columns[static_cast<std::size_t>(source)];
        m.type = Type::kString;
        m.dict = c.dict;
        m.codes.resize(distinct);
        for (std::uint32_t i = 0; i < distinct; ++i)
          m.codes[i] = i;
        Column per_value = Evaluator(mini, ctx_).eval_direct(e);
        return per_value.gather(c.codes);
      }
    }
    return eval_direct(e);
  }

  Column eval_direct(const BExpr& e) {
    switch (e.kind) {
      case BKind::kConst:
      case BKind::kColumn:
        return eval(e);
      case BKind::kCast:
        return cast(eval(*e.args[0]), e.type);
      case BKind::kArith:
        return arith(e);
      case BKind::kNegate:
        return negate(e);
      case BKind::kCompare:
        return compare(e);
      case BKind::kAnd:
      case BKind::kOr:
        return logical(e);
      case BKind::kStrOp:
        return strop(e);
      case BKind::kIn:
        return in(e);
      case BKind::kMember:
      case BKind::kIndex:
        return dyn_access(e);
      case BKind::kCall:
        return call(e);
      case BKind::kRowNumber: {
        std::int64_t start = e.args.empty() ? 1 : e.args[0]->constant.i;
        Column out(Type::kLong);
        out.ints.resize(b_.rows);
        for (std::size_t r = 0; r < b_.rows; ++r) {
          out.ints[r] = ctx_.row_base + start + static_cast<std::int64_t>(r);
        }
        return out;
      }
    }
    return Column(e.type);
  }

 private:
  // A column reference is read in place (no copy); anything else is evaluated into `storage`.
  const Column& operand(const BExpr& e, Column& storage) {
    if (e.kind == BKind::kColumn) return b_.columns[static_cast<std::size_t>(e.column)];
    storage = eval(e);
    return storage;
  }

  Column cast(const Column& a, Type to) {
    if (a.type == to) return a;
    Column out(to);
    out.reserve(b_.rows);
    for (std::size_t r = 0; r < b_.rows; ++r) {
      Value v = a.value_at(r);
      if (a.type == Type::kDynamic) {
        out.push_value(dyn_to_value(v.d, to));
      } else if (to == Type::kString) {
        out.push_string(value_to_string(v));
      } else if (to == Type::kDynamic) {
        out.push_dyn(value_to_dyn(v));
      } else {
        out.push_value(v);
      }
    }
    return out;
  }

  Column arith(const BExpr& e) {
    Column a_storage, b_storage;
    const Column& a = operand(*e.args[0], a_storage);
    const Column& b = operand(*e.args[1], b_storage);
    std::size_t n = b_.rows;
    Column out(e.type);
    const char op = e.op[0];
    bool any_null = !a.nulls.empty() || !b.nulls.empty();
    auto null_at = [&](std::size_t r) { return a.is_null(r) || b.is_null(r); };
    bool int_inputs = a.type != Type::kReal && b.type != Type::kReal;
    if (e.type == Type::kReal || !int_inputs) {
      // Real arithmetic (also timespan/timespan, datetime/timespan, timespan*real).
      bool datetime_left = a.type == Type::kDateTime && e.type == Type::kReal;
      std::vector<double> res(n);
      for (std::size_t r = 0; r < n; ++r) {
        double x = as_double(a, r);
        double y = as_double(b, r);
        if (datetime_left) x += kTicksFrom0001D;
        double z = 0;
        switch (op) {
          case '+':
            z = x + y;
            break;
          case '-':
            z = x - y;
            break;
          case '*':
            z = x * y;
            break;
          case '/':
            z = x / y;
            break;
          case '%': {
            z = std::fmod(x, y);
            if (z < 0) z += std::fabs(y);
            break;
          }
        }
        res[r] = z;
      }
      if (e.type == Type::kReal) {
        out.reals = std::move(res);
      } else {
        out.ints.resize(n);
        for (std::size_t r = 0; r < n; ++r) {
          double z = res[r];
          if (std::isnan(z) || std::isinf(z)) {
            set_null(out, r);
            out.ints[r] = 0;
          } else {
            out.ints[r] = static_cast<std::int64_t>(z);
          }
        }
      }
    } else {
      out.ints.resize(n);
      const auto& x = a.ints;
      const auto& y = b.ints;
      auto& z = out.ints;
      switch (op) {
        case '+':
          for (std::size_t r = 0; r < n; ++r) {
            z[r] = static_cast<std::int64_t>(static_cast<std::uint64_t>(x[r]) +
                                             static_cast<std::uint64_t>(y[r]));
          }
          break;
        case '-':
          for (std::size_t r = 0; r < n; ++r) {
            z[r] = static_cast<std::int64_t>(static_cast<std::uint64_t>(x[r]) -
                                             static_cast<std::uint64_t>(y[r]));
          }
          break;
        case '*':
          for (std::size_t r = 0; r < n; ++r) {
            z[r] = static_cast<std::int64_t>(static_cast<std::uint64_t>(x[r]) *
                                             static_cast<std::uint64_t>(y[r]));
          }
          break;
        case '/':
        case '%':
          for (std::size_t r = 0; r < n; ++r) {
            if (y[r] == 0 || (x[r] == INT64_MIN && y[r] == -1)) {
              set_null(out, r);
              z[r] = 0;
            } else {
              z[r] = op == '/' ? x[r] / y[r] : kql_mod(x[r], y[r]);
            }
          }
          break;
      }
    }
    if (any_null) {
      if (out.nulls.empty()) out.nulls.assign(n, 0);
      for (std::size_t r = 0; r < n; ++r) {
        if (null_at(r)) out.nulls[r] = 1;
      }
    }
    if (e.type == Type::kReal && out.reals.size() != n) out.reals.resize(n);
    return out;
  }

  Column negate(const BExpr& e) {
    Column out = eval(*e.args[0]);
    const Column& a = out;
    out.type = e.type;
    if (a.type == Type::kReal) {
      for (double& v : out.reals)
        v = -v;
    } else {
      for (auto& v : out.ints)
        v = static_cast<std::int64_t>(0ULL - static_cast<std::uint64_t>(v));
    }
    return out;
  }

  Column compare(const BExpr& e) {
    Column a_storage, b_storage;
    const Column& a = operand(*e.args[0], a_storage);
    // A constant right side is only materialized when no fast path below applies.
    bool rhs_const = e.args[1]->kind == BKind::kConst;
    const Column& b = rhs_const && (a.type == Type::kString || is_int64_backed(a.type))
                          ? b_storage
                          : operand(*e.args[1], b_storage);
    std::size_t n = b_.rows;
    Column out = bool_column(n);
    const std::string& op = e.op;
    int code = op == "==" ? 0 : op == "!=" ? 1 : op == "<" ? 2 : op == "<=" ? 3 : op == ">" ? 4 : 5;
    const BExpr& rhs = *e.args[1];
    if (a.type == Type::kString && rhs.kind == BKind::kConst && (code == 0 || code == 1)) {
      // Once per dictionary entry.
      const std::string& c = rhs.constant.s;
      std::vector<std::int8_t> memo(a.dict->values.size(), -1);
      for (std::size_t r = 0; r < n; ++r) {
        std::uint32_t k = a.codes[r];
        if (memo[k] < 0) memo[k] = a.dict->values[k] == c;
        out.ints[r] = (memo[k] != 0) == (code == 0);
      }
      return out;
    }
    if (is_int64_backed(a.type) && rhs.kind == BKind::kConst && !rhs.constant.null &&
        is_int64_backed(rhs.constant.type) && a.nulls.empty()) {
      const std::int64_t c = rhs.constant.i;
      const auto& x = a.ints;
      switch (code) {
        case 0:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] == c;
          break;
        case 1:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] != c;
          break;
        case 2:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] < c;
          break;
        case 3:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] <= c;
          break;
        case 4:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] > c;
          break;
        default:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] >= c;
          break;
      }
      return out;
    }
    if (rhs_const && b.size() != n) {
      b_storage = constant_column(rhs.constant, n);
      return compare_columns(a, b_storage, code, out);
    }
    return compare_columns(a, b, code, out);
  }

  Column compare_columns(const Column& a, const Column& b, int code, Column& out) {
    std::size_t n = b_.rows;
    auto apply = [&](auto cmp) {  // cmp(r) -> -1/0/1
      for (std::size_t r = 0; r < n; ++r) {
        int c = cmp(r);
        out.ints[r] = code == 0   ? c == 0
                      : code == 1 ? c != 0
                      : code == 2 ? c < 0
                      : code == 3 ? c <= 0
                      : code == 4 ? c > 0
                                  : c >= 0;
      }
    };
    if (a.type == Type::kString && b.type == Type::kString) {
      apply([&](std::size_t r) {
        std::string_view x = a.str(r), y = b.str(r);
        return x == y ? 0 : (x < y ? -1 : 1);
      });
      return out;  // strings are never null
    }
    if (a.type == Type::kDynamic || b.type == Type::kDynamic) {
      for (std::size_t r = 0; r < n; ++r) {
        Value x = a.value_at(r), y = b.value_at(r);
        if (x.null || y.null) {
          out.ints[r] = 0;
          continue;
        }
        std::string sx = value_to_string(x), sy = value_to_string(y);
        int c = sx == sy ? 0 : (sx < sy ? -1 : 1);
        out.ints[r] = code == 0 ? c == 0 : code == 1 ? c != 0 : 0;
      }
    } else if (a.type == Type::kReal || b.type == Type::kReal) {
      apply([&](std::size_t r) {
        double x = as_double(a, r), y = as_double(b, r);
        return x == y ? 0 : (x < y ? -1 : (x > y ? 1 : 2));  // 2: NaN (unordered)
      });
      // NaN compares false for everything except !=.
      for (std::size_t r = 0; r < n; ++r) {
        double x = as_double(a, r), y = as_double(b, r);
        if (std::isnan(x) || std::isnan(y)) out.ints[r] = code == 1;
      }
    } else {
      const auto& x = a.ints;
      const auto& y = b.ints;
      switch (code) {
        case 0:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] == y[r];
          break;
        case 1:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] != y[r];
          break;
        case 2:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] < y[r];
          break;
        case 3:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] <= y[r];
          break;
        case 4:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] > y[r];
          break;
        default:
          for (std::size_t r = 0; r < n; ++r)
            out.ints[r] = x[r] >= y[r];
          break;
      }
    }
    if (!a.nulls.empty() || !b.nulls.empty()) {
      // §2.5: == false / != true when exactly one side is null; null when both are; ordering
      // comparisons are null when either is.
      for (std::size_t r = 0; r < n; ++r) {
        bool na = a.is_null(r), nb = b.is_null(r);
        if (!na && !nb) continue;
        if (code <= 1 && na != nb) {
          out.ints[r] = code == 1;
        } else {
          set_null(out, r);
          out.ints[r] = 0;
        }
      }
    }
    return out;
  }

  Column logical(const BExpr& e) {
    Column a_storage, b_storage;
    const Column& a = operand(*e.args[0], a_storage);
    const Column& b = operand(*e.args[1], b_storage);
    std::size_t n = b_.rows;
    Column out = bool_column(n);
    bool is_and = e.kind == BKind::kAnd;
    bool nulls = !a.nulls.empty() || !b.nulls.empty();
    if (!nulls) {
      for (std::size_t r = 0; r < n; ++r) {
        out.ints[r] = is_and ? (a.ints[r] && b.ints[r]) : (a.ints[r] || b.ints[r]);
      }
      return out;
    }
    for (std::size_t r = 0; r < n; ++r) {
      bool na = a.is_null(r), nb = b.is_null(r);
      bool x = !na && a.ints[r], y = !nb && b.ints[r];
      if (is_and) {
        if ((!na && !x) || (!nb && !y)) {
          out.ints[r] = 0;
        } else if (na || nb) {
          set_null(out, r);
        } else {
          out.ints[r] = 1;
        }
      } else {
        if (x || y) {
          out.ints[r] = 1;
        } else if (na || nb) {
          set_null(out, r);
        } else {
          out.ints[r] = 0;
        }
      }
    }
    return out;
  }

  Column strop(const BExpr& e) {
    Column a_storage;
    const Column& a = operand(*e.args[0], a_storage);
    std::size_t n = b_.rows;
    Column out = bool_column(n);
    if (e.args[1]->kind == BKind::kConst) {
      const std::string& rhs = e.args[1]->constant.s;
      if (e.op == "matches regex") {
        const RE2* re = cached_regex(rhs);
        if (!re->ok()) {
          throw QueryError(ErrorKind::kSemantic, "invalid regular expression: " + re->error(),
                           e.args[1]->span.offset, e.args[1]->span.length);
        }
      }
      // Once per distinct value of the dictionary.
      std::vector<std::int8_t> memo(a.dict->values.size(), -1);
      for (std::size_t r = 0; r < n; ++r) {
        std::uint32_t code = a.codes[r];
        if (memo[code] < 0) memo[code] = string_op(e.op, a.dict->values[code], rhs) ? 1 : 0;
        out.ints[r] = memo[code] != e.negated;
      }
      return out;
    }
    Column b_storage;
    const Column& b = operand(*e.args[1], b_storage);
    for (std::size_t r = 0; r < n; ++r) {
      out.ints[r] = string_op(e.op, a.str(r), b.str(r)) != e.negated;
    }
    return out;
  }

  Column in(const BExpr& e) {
    Column a_storage;
    const Column& a = operand(*e.args[0], a_storage);
    std::size_t n = b_.rows;
    Column out = bool_column(n);
    const std::string& op = e.op;
    if (op == "has_any" || op == "has_all") {
      std::vector<std::string> needles;
      for (const auto& v : e.list)
        needles.push_back(value_to_string(v));
      std::vector<std::int8_t> memo(a.type == Type::kString ? a.dict->values.size() : 0, -1);
      for (std::size_t r = 0; r < n; ++r) {
        auto test = [&](std::string_view s) {
          if (op == "has_any") {
            for (const auto& nd : needles) {
              if (kql_has(s, nd, false)) return true;
            }
            return false;
          }
          for (const auto& nd : needles) {
            if (!kql_has(s, nd, false)) return false;
          }
          return true;
        };
        if (a.type == Type::kString) {
          std::uint32_t code = a.codes[r];
          if (memo[code] < 0) memo[code] = test(a.dict->values[code]);
          out.ints[r] = memo[code];
        } else {
          out.ints[r] = test(value_to_string(a.value_at(r)));
        }
      }
      return out;
    }
    bool negated = e.negated;
    if (a.type == Type::kString) {
      std::unordered_set<std::string> set;
      for (const auto& v : e.list) {
        std::string s = value_to_string(v);
        set.insert(e.case_insensitive ? ascii_lower(s) : s);
      }
      std::vector<std::int8_t> memo(a.dict->values.size(), -1);
      for (std::size_t r = 0; r < n; ++r) {
        std::uint32_t code = a.codes[r];
        if (memo[code] < 0) {
          std::string_view s = a.dict->values[code];
          memo[code] = set.count(e.case_insensitive ? ascii_lower(s) : std::string(s)) ? 1 : 0;
        }
        out.ints[r] = memo[code] != negated;
      }
      return out;
    }
    if (a.type == Type::kReal || a.type == Type::kDynamic) {
      std::vector<Value> values = e.list;
      for (std::size_t r = 0; r < n; ++r) {
        Value x = a.value_at(r);
        bool found = false;
        if (!x.null) {
          for (const auto& v : values) {
            if (v.null) continue;
            if (x.type == Type::kDynamic) {
              found = found || value_to_string(x) == value_to_string(v);
            } else {
              double y = v.type == Type::kReal ? v.r : static_cast<double>(v.i);
              found = found || x.r == y;
            }
          }
        }
        out.ints[r] = found != negated;
      }
      return out;
    }
    std::unordered_set<std::int64_t> ints;
    std::vector<double> reals;
    for (const auto& v : e.list) {
      if (v.null) continue;
      if (v.type == Type::kReal) {
        reals.push_back(v.r);
      } else {
        ints.insert(v.i);
      }
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (a.is_null(r)) {
        out.ints[r] = negated;
        continue;
      }
      bool found = ints.count(a.ints[r]) > 0;
      for (double y : reals)
        found = found || static_cast<double>(a.ints[r]) == y;
      out.ints[r] = found != negated;
    }
    return out;
  }

  Column dyn_access(const BExpr& e) {
    Column a_storage;
    const Column& a = operand(*e.args[0], a_storage);
    Column out(Type::kDynamic);
    std::size_t n = b_.rows;
    out.reserve(n);
    if (e.kind == BKind::kMember) {
      for (std::size_t r = 0; r < n; ++r) {
        out.push_dyn(a.is_null(r) ? nullptr : dyn_member(a.dyns[r], e.op));
      }
      return out;
    }
    Column ix = eval(*e.args[1]);
    for (std::size_t r = 0; r < n; ++r) {
      if (a.is_null(r) || ix.is_null(r)) {
        out.push_dyn(nullptr);
      } else if (ix.type == Type::kString) {
        out.push_dyn(dyn_member(a.dyns[r], ix.str(r)));
      } else if (ix.type == Type::kReal) {
        out.push_dyn(dyn_index(a.dyns[r], static_cast<std::int64_t>(ix.reals[r])));
      } else {
        out.push_dyn(dyn_index(a.dyns[r], ix.ints[r]));
      }
    }
    return out;
  }

  // bin(x, size) over an integer/datetime/timespan column with a constant size: a loop instead
  // of a call per row. Datetimes floor their ticks counted from 0001-01-01 (§6.2).
  bool fast_bin(const BExpr& e, Column& out) {
    if ((e.fn->name != "bin" && e.fn->name != "floor") || e.args.size() != 2) return false;
    const BExpr& size = *e.args[1];
    if (size.kind != BKind::kConst || size.constant.null || !is_int64_backed(size.constant.type) ||
        size.constant.i <= 0 || !is_int64_backed(e.type) || e.type == Type::kBool) {
      return false;
    }
    Column storage;
    const Column& x = operand(*e.args[0], storage);
    if (!is_int64_backed(x.type)) return false;
    std::int64_t width = size.constant.i;
    std::int64_t origin = x.type == Type::kDateTime ? kTicksFrom0001 : 0;
    out = Column(e.type);
    out.ints.resize(b_.rows);
    for (std::size_t r = 0; r < b_.rows; ++r) {
      std::int64_t v = x.ints[r] + origin;
      std::int64_t q = v / width - ((v % width != 0) && (v < 0) ? 1 : 0);
      out.ints[r] = q * width - origin;
    }
    out.nulls = x.nulls;
    return true;
  }

  Column call(const BExpr& e) {
    Column binned;
    if (fast_bin(e, binned)) return binned;
    std::vector<Column> args;
    args.reserve(e.args.size());
    std::vector<bool> constant(e.args.size());
    std::vector<Value> values(e.args.size());
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (e.args[i]->kind == BKind::kConst) {
        constant[i] = true;
        values[i] = e.args[i]->constant;
        args.emplace_back();
      } else {
        args.push_back(eval(*e.args[i]));
      }
    }
    Column out(e.type);
    std::size_t n = b_.rows;
    out.reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t i = 0; i < args.size(); ++i) {
        if (!constant[i]) values[i] = args[i].value_at(r);
      }
      Value v = e.fn->eval(values, ctx_);
      out.push_value(v);
    }
    return out;
  }

  const Batch& b_;
  const EvalContext& ctx_;
};

}  // namespace

Column evaluate(const BExpr& e, const Batch& batch, const EvalContext& context) {
  return Evaluator(batch, context).eval(e);
}

std::vector<std::uint32_t> select_true(const BExpr& predicate, const Batch& batch,
                                       const EvalContext& context) {
  Column c = evaluate(predicate, batch, context);
  std::vector<std::uint32_t> rows;
  rows.reserve(batch.rows);
  if (c.nulls.empty()) {
    for (std::size_t r = 0; r < batch.rows; ++r) {
      if (c.ints[r]) rows.push_back(static_cast<std::uint32_t>(r));
    }
  } else {
    for (std::size_t r = 0; r < batch.rows; ++r) {
      if (c.ints[r] && !c.nulls[r]) rows.push_back(static_cast<std::uint32_t>(r));
    }
  }
  return rows;
}

Value evaluate_constant(const BExpr& e, const EvalContext& context) {
  Batch one;
  one.rows = 1;
  Column c = evaluate(e, one, context);
  return c.value_at(0);
}

}  // namespace flowlens::query
