#include "query/binder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "query/evaluator.h"
#include "query/parser.h"
#include "query/query_error.h"
#include "query/table_reader.h"

namespace flowlens::query {
namespace {

[[noreturn]] void fail(const std::string& message, SourceSpan span) {
  throw QueryError(ErrorKind::kSemantic, message, span.offset,
                   std::max<std::size_t>(1, span.length));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      char x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
      char y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x == y ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "did you mean" text for an unknown name among `candidates`.
std::string suggest(std::string_view name, const std::vector<std::string>& candidates) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(name, c);
    std::string lower_name(name), lower_c(c);
    for (auto& ch : lower_name)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (auto& ch : lower_c)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower_c.find(lower_name) != std::string::npos ||
        lower_name.find(lower_c) != std::string::npos) {
      d = std::min<std::size_t>(d, 2);
    }
    if (d <= std::max<std::size_t>(2, name.size() / 3)) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  if (scored.empty()) return {};
  std::string out = " (did you mean ";
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) {
    if (i > 0) out += i + 1 == std::min<std::size_t>(scored.size(), 3) ? " or " : ", ";
    out += "'" + scored[i].second + "'";
  }
  return out + "?)";
}

Type widen(Type a, Type b) {
  if (a == Type::kReal || b == Type::kReal) return Type::kReal;
  return Type::kLong;
}

struct Scope;
using ScopePtr = std::shared_ptr<Scope>;

struct Binding {
  enum class Kind { kScalar, kTabular, kFunction, kPlan } kind = Kind::kScalar;
  BExprPtr scalar;
  ExprPtr tabular;
  ScopePtr scope;  // where the tabular expression / function was defined
  std::shared_ptr<FunctionDef> function;
  PlanPtr plan;  // tabular function arguments and materialize() results
};

struct Scope {
  std::unordered_map<std::string, Binding> names;
  ScopePtr parent;
  const Binding* find(const std::string& name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent.get()) {
      auto it = s->names.find(name);
      if (it != s->names.end()) return &it->second;
    }
    return nullptr;
  }
};

// The columns an expression can see: a schema, and for each column either a plain reference
// or the expression that computes it (extend items referring to earlier items).
struct RowView {
  Schema schema;
  std::vector<BExprPtr> exprs;  // empty, or one per column (nullptr: plain reference)
  int find(const std::string& name) const {
    for (std::size_t i = 0; i < schema.size(); ++i) {
      if (schema[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
};

RowView view_of(const Schema& schema) {
  return RowView{schema, {}};
}

std::string unique_name(const std::string& base, const std::set<std::string>& used) {
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

std::string generated_name(std::set<std::string>& used, int& counter) {
  for (;;) {
    std::string candidate = "Column" + std::to_string(++counter);
    if (!used.count(candidate)) return candidate;
  }
}

bool is_aggregate_name(std::string_view n) {
  static const std::set<std::string_view> kNames = {"count",
                                                    "countif",
                                                    "sum",
                                                    "sumif",
                                                    "avg",
                                                    "avgif",
                                                    "min",
                                                    "max",
                                                    "minif",
                                                    "maxif",
                                                    "dcount",
                                                    "dcountif",
                                                    "make_set",
                                                    "make_set_if",
                                                    "make_list",
                                                    "make_list_if",
                                                    "make_list_with_nulls",
                                                    "makeset",
                                                    "makelist",
                                                    "arg_max",
                                                    "arg_min",
                                                    "percentile",
                                                    "percentiles",
                                                    "percentiles_array",
                                                    "stdev",
                                                    "stdevif",
                                                    "stdevp",
                                                    "variance",
                                                    "varianceif",
                                                    "variancep",
                                                    "take_any",
                                                    "any",
                                                    "count_distinct",
                                                    "make_bag",
                                                    "make_bag_if"};
  return kNames.count(n) > 0;
}

class Binder {
 public:
  Binder(const store::Snapshot* snapshot, const EvalContext& context, const PlanRunner& runner)
      : snapshot_(snapshot), ctx_(context), runner_(runner) {}

  BoundQuery bind(const Query& q) {
    BoundQuery out;
    auto scope = std::make_shared<Scope>();
    for (const auto& s : q.statements) {
      switch (s->kind) {
        case StatementKind::kLet:
          bind_let(*s, scope);
          break;
        case StatementKind::kSet:
          out.settings.emplace_back(s->name, s->set_value);
          break;
        case StatementKind::kQuery: {
          render_ = {};
          BoundStatement st;
          st.plan = bind_tabular(*s->value, scope, "a tabular expression");
          st.render = render_;
          out.statements.push_back(std::move(st));
          break;
        }
      }
    }
    return out;
  }

 private:
  // ---------------------------------------------------------------- let statements
  void bind_let(const Statement& s, const ScopePtr& scope) {
    Binding b;
    const Expr& v = *s.value;
    if (v.kind == ExprKind::kFunction) {
      b.kind = Binding::Kind::kFunction;
      b.function = v.function;
      b.scope = scope;
    } else if (is_tabular(v, scope)) {
      b.kind = Binding::Kind::kTabular;
      b.tabular = s.value;
      b.scope = scope;
      if (v.kind == ExprKind::kCall && v.text == "materialize") {
        // Evaluated once: the plan becomes a values node shared by every reference.
        PlanPtr plan = bind_tabular(*v.args.at(0), scope, "a tabular expression");
        auto values = std::make_shared<Batch>(runner_(plan));
        b.kind = Binding::Kind::kPlan;
        b.plan = values_node(plan->schema, values, "materialize");
      }
    } else {
      b.kind = Binding::Kind::kScalar;
      b.scalar = bind_scalar(v, RowView{}, scope);
    }
    // A new scope level so that earlier tabular lets keep seeing what they saw.
    scope->names[s.name] = std::move(b);
  }

  bool is_tabular(const Expr& e, const ScopePtr& scope) const {
    switch (e.kind) {
      case ExprKind::kPipe:
      case ExprKind::kDataTable:
      case ExprKind::kPrint:
      case ExprKind::kRange:
      case ExprKind::kUnion:
        return true;
      case ExprKind::kName: {
        const Binding* b = scope->find(e.text);
        if (b != nullptr) {
          return b->kind == Binding::Kind::kTabular || b->kind == Binding::Kind::kPlan ||
                 (b->kind == Binding::Kind::kFunction && b->function->parameters.empty() &&
                  is_tabular(*b->function->body, b->scope));
        }
        return snapshot_ != nullptr ? store::find_table(e.text) != nullptr
                                    : store::find_table(e.text) != nullptr;
      }
      case ExprKind::kCall: {
        if (e.text == "materialize") return true;
        const Binding* b = scope->find(e.text);
        if (b != nullptr && b->kind == Binding::Kind::kFunction) {
          auto inner = std::make_shared<Scope>();
          inner->parent = b->scope;
          for (const auto& p : b->function->parameters) {
            Binding pb;
            pb.kind = p.tabular ? Binding::Kind::kPlan : Binding::Kind::kScalar;
            inner->names[p.name] = pb;
          }
          return is_tabular(*b->function->body, inner);
        }
        return false;
      }
      default:
        return false;
    }
  }

  PlanPtr values_node(const Schema& schema, std::shared_ptr<Batch> values, std::string label) {
    auto n = std::make_shared<PlanNode>();
    n->kind = PlanKind::kValues;
    n->schema = schema;
    n->values = std::move(values);
    n->label = std::move(label);
    return n;
  }

  // ---------------------------------------------------------------- tabular expressions
  PlanPtr bind_tabular(const Expr& e, const ScopePtr& scope, const char* what) {
    switch (e.kind) {
      case ExprKind::kPipe: {
        if (!e.args[0]) fail("this operator needs an input", e.span);
        PlanPtr plan = bind_tabular(*e.args[0], scope, what);
        for (std::size_t i = 0; i < e.ops.size(); ++i) {
          const Operator& op = *e.ops[i];
          if (op.kind == OpKind::kRender) {
            if (i + 1 != e.ops.size()) fail("render must be the last operator", op.span);
            render_.kind = op.name;
            render_.properties = op.properties;
            continue;
          }
          plan = bind_operator(op, plan, scope);
        }
        return plan;
      }
      case ExprKind::kName:
        return bind_table_name(e, scope);
      case ExprKind::kCall:
        if (e.text == "materialize") return bind_tabular(*e.args.at(0), scope, what);
        return bind_function_call_tabular(e, scope, nullptr);
      case ExprKind::kDataTable:
        return bind_datatable(e, scope);
      case ExprKind::kPrint:
        return bind_print(e, scope);
      case ExprKind::kRange:
        return bind_range(e, scope);
      case ExprKind::kUnion:
        return bind_union(*e.union_op, nullptr, scope);
      default:
        fail(std::string("expected ") + what + ", found a scalar expression", e.span);
    }
  }

  PlanPtr bind_table_name(const Expr& e, const ScopePtr& scope) {
    const Binding* b = scope->find(e.text);
    if (b != nullptr) {
      switch (b->kind) {
        case Binding::Kind::kTabular:
          return bind_tabular(*b->tabular, b->scope, "a tabular expression");
        case Binding::Kind::kPlan:
          return b->plan;
        case Binding::Kind::kFunction:
          if (b->function->parameters.empty()) return bind_function_call_tabular(e, scope, nullptr);
          fail("'" + e.text + "' is a function with parameters; call it as " + e.text + "(...)",
               e.span);
        case Binding::Kind::kScalar:
          fail("'" + e.text + "' is a scalar, not a table", e.span);
      }
    }
    const store::TableDef* table = store::find_table(e.text);
    if (table == nullptr) {
      std::vector<std::string> candidates;
      for (const auto* t : store::all_tables())
        candidates.emplace_back(t->name);
      for (const Scope* s = scope.get(); s != nullptr; s = s->parent.get()) {
        for (const auto& [name, binding] : s->names)
          candidates.push_back(name);
      }
      fail("unknown table or tabular expression '" + e.text + "'" + suggest(e.text, candidates),
           e.span);
    }
    if (snapshot_ == nullptr) {
      fail("table '" + e.text + "' needs a data directory (--data DIR)", e.span);
    }
    auto n = std::make_shared<PlanNode>();
    n->kind = PlanKind::kScan;
    n->table = table;
    n->label = std::string(table->name);
    n->stats = std::make_shared<ScanStats>();
    for (const auto& c : table->columns) {
      n->schema.push_back({std::string(c.name), query_type(c.type)});
    }
    return n;
  }

  // A user function call; `piped` is the input of `| invoke f(...)`.
  PlanPtr bind_function_call_tabular(const Expr& call, const ScopePtr& scope, PlanPtr piped) {
    const Binding* b = scope->find(call.text);
    if (b == nullptr || b->kind != Binding::Kind::kFunction) {
      if (b == nullptr && find_function(call.text) == nullptr && !is_aggregate_name(call.text)) {
        std::vector<std::string> candidates;
        for (const Scope* s = scope.get(); s != nullptr; s = s->parent.get()) {
          for (const auto& [name, binding] : s->names)
            candidates.push_back(name);
        }
        fail("unknown function '" + call.text + "'" + suggest(call.text, candidates), call.span);
      }
      fail("'" + call.text + "' does not return a table", call.span);
    }
    ScopePtr inner = function_scope(*b, call, scope, std::move(piped), RowView{});
    for (const auto& let : b->function->body_lets)
      bind_let(*let, inner);
    return bind_tabular(*b->function->body, inner, "a tabular function body");
  }

  // Binds arguments to parameters (positional, then named; defaults), in a new scope.
  ScopePtr function_scope(const Binding& b, const Expr& call, const ScopePtr& caller, PlanPtr piped,
                          const RowView& row) {
    const FunctionDef& f = *b.function;
    auto inner = std::make_shared<Scope>();
    inner->parent = b.scope;
    std::vector<const Expr*> given(f.parameters.size(), nullptr);
    std::size_t next_positional = 0;
    if (piped) {
      if (f.parameters.empty() || !f.parameters[0].tabular) {
        fail("'" + call.text + "' has no tabular parameter to receive the piped input", call.span);
      }
      next_positional = 1;
    }
    for (std::size_t i = 0; i < call.args.size(); ++i) {
      const std::string& name = i < call.arg_names.size() ? call.arg_names[i] : std::string();
      std::size_t index = 0;
      if (name.empty()) {
        index = next_positional++;
      } else {
        auto it = std::find_if(f.parameters.begin(), f.parameters.end(),
                               [&](const Parameter& p) { return p.name == name; });
        if (it == f.parameters.end()) {
          fail("'" + call.text + "' has no parameter named '" + name + "'", call.args[i]->span);
        }
        index = static_cast<std::size_t>(it - f.parameters.begin());
      }
      if (index >= f.parameters.size()) {
        fail("too many arguments for '" + call.text + "' (it takes " +
                 std::to_string(f.parameters.size()) + ")",
             call.args[i]->span);
      }
      given[index] = call.args[i].get();
    }
    for (std::size_t p = 0; p < f.parameters.size(); ++p) {
      const Parameter& param = f.parameters[p];
      Binding pb;
      if (param.tabular) {
        pb.kind = Binding::Kind::kPlan;
        if (p == 0 && piped) {
          pb.plan = piped;
        } else if (given[p] != nullptr) {
          pb.plan = bind_tabular(*given[p], caller, "a table argument");
        } else {
          fail("missing table argument '" + param.name + "' of '" + call.text + "'", call.span);
        }
        for (const auto& [col, type] : param.tabular_columns) {
          bool found = false;
          for (const auto& fld : pb.plan->schema)
            found = found || fld.name == col;
          if (!found) {
            fail("the table passed to '" + call.text + "' lacks column '" + col + "'", call.span);
          }
          (void)type;
        }
      } else {
        pb.kind = Binding::Kind::kScalar;
        if (given[p] != nullptr) {
          pb.scalar = bind_scalar(*given[p], row, caller);
        } else if (param.default_value) {
          pb.scalar = bind_scalar(*param.default_value, RowView{}, b.scope);
        } else {
          fail("missing argument '" + param.name + "' of '" + call.text + "'", call.span);
        }
        if (param.type && pb.scalar->type != *param.type) {
          pb.scalar = convert_to(pb.scalar, *param.type, given[p] ? given[p]->span : call.span);
        }
      }
      inner->names[param.name] = std::move(pb);
    }
    return inner;
  }

  BExprPtr convert_to(const BExprPtr& e, Type to, SourceSpan span) {
    if (e->type == to) return e;
    bool ok = (is_numeric(e->type) && is_numeric(to)) || e->type == Type::kDynamic ||
              to == Type::kDynamic || to == Type::kString;
    if (!ok) {
      fail(
          "expected a " + std::string(type_name(to)) + ", found " + std::string(type_name(e->type)),
          span);
    }
    auto c = std::make_shared<BExpr>();
    c->kind = BKind::kCast;
    c->type = to;
    c->span = span;
    c->args.push_back(e);
    return fold(c);
  }

  PlanPtr bind_datatable(const Expr& e, const ScopePtr& scope) {
    Schema schema;
    for (const auto& [name, type] : e.columns)
      schema.push_back({name, type});
    auto batch = std::make_shared<Batch>(empty_batch(schema));
    std::size_t ncols = schema.size();
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      const Field& f = schema[i % ncols];
      BExprPtr v = bind_scalar(*e.args[i], RowView{}, scope);
      if (v->kind != BKind::kConst) fail("datatable values must be constants", e.args[i]->span);
      Value value = v->constant;
      if (!value.null && value.type != f.type) {
        bool ok = (is_numeric(value.type) && is_numeric(f.type)) || f.type == Type::kDynamic ||
                  (f.type == Type::kString && value.type == Type::kString);
        if (!ok) {
          fail("datatable column '" + f.name + "' is " + std::string(type_name(f.type)) +
                   ", but the value is " + std::string(type_name(value.type)),
               e.args[i]->span);
        }
      }
      if (value.null && value.type != f.type) value = Value::null_of(f.type);
      batch->columns[i % ncols].push_value(value);
    }
    batch->rows = ncols == 0 ? 0 : e.args.size() / ncols;
    return values_node(schema, batch, "datatable");
  }

  PlanPtr bind_print(const Expr& e, const ScopePtr& scope) {
    auto one = std::make_shared<Batch>();
    one->rows = 1;
    PlanPtr source = values_node({}, one, "print");
    auto n = std::make_shared<PlanNode>();
    n->kind = PlanKind::kProject;
    n->children.push_back(source);
    n->label = "print";
    std::set<std::string> used;
    for (std::size_t i = 0; i < e.items.size(); ++i) {
      const NamedExpr& item = e.items[i];
      BExprPtr b = bind_scalar(*item.expr, RowView{}, scope);
      std::string name = item.names.empty() ? "print_" + std::to_string(i) : item.names[0];
      if (used.count(name)) fail("duplicate column name '" + name + "'", item.expr->span);
      used.insert(name);
      n->schema.push_back({name, b->type});
      n->exprs.push_back(b);
    }
    return n;
  }

  PlanPtr bind_range(const Expr& e, const ScopePtr& scope) {
    Value from = constant_arg(*e.args[0], scope, "range start");
    Value to = constant_arg(*e.args[1], scope, "range end");
    Value step = constant_arg(*e.args[2], scope, "range step");
    Type t = from.type;
    if (t == Type::kInt) t = Type::kLong;
    Schema schema = {{e.text, t}};
    auto batch = std::make_shared<Batch>(empty_batch(schema));
    constexpr std::size_t kMaxRange = 10'000'000;
    if (t == Type::kReal || to.type == Type::kReal || step.type == Type::kReal) {
      schema[0].type = Type::kReal;
      *batch = empty_batch(schema);
      double a = from.type == Type::kReal ? from.r : static_cast<double>(from.i);
      double b = to.type == Type::kReal ? to.r : static_cast<double>(to.i);
      double s = step.type == Type::kReal ? step.r : static_cast<double>(step.i);
      if (s == 0) fail("range step must not be zero", e.args[2]->span);
      for (double x = a; s > 0 ? x <= b : x >= b; x += s) {
        batch->columns[0].push_real(x);
        if (++batch->rows > kMaxRange) fail("range produces more than 10,000,000 rows", e.span);
      }
    } else {
      std::int64_t a = from.i, b = to.i, s = step.i;
      if (s == 0) fail("range step must not be zero", e.args[2]->span);
      for (std::int64_t x = a; s > 0 ? x <= b : x >= b; x += s) {
        batch->columns[0].push_int(x);
        if (++batch->rows > kMaxRange) fail("range produces more than 10,000,000 rows", e.span);
      }
    }
    return values_node(schema, batch, "range");
  }

  Value constant_arg(const Expr& e, const ScopePtr& scope, const std::string& what) {
    BExprPtr b = bind_scalar(e, RowView{}, scope);
    if (b->kind != BKind::kConst) fail(what + " must be a constant", e.span);
    if (b->constant.null) fail(what + " must not be null", e.span);
    return b->constant;
  }

  // ---------------------------------------------------------------- operators
  PlanPtr bind_operator(const Operator& op, PlanPtr in, const ScopePtr& scope) {
    switch (op.kind) {
      case OpKind::kWhere: {
        BExprPtr p = bind_scalar(*op.predicate, view_of(in->schema), scope);
        if (p->type != Type::kBool) {
          if (p->type == Type::kDynamic) {
            p = convert_to(p, Type::kBool, op.predicate->span);
          } else {
            fail("where needs a bool predicate, found " + std::string(type_name(p->type)),
                 op.predicate->span);
          }
        }
        if (p->kind == BKind::kConst && p->constant.is_true()) return in;
        auto n = node(PlanKind::kFilter, in, "where");
        n->schema = in->schema;
        n->predicate = p;
        return n;
      }
      case OpKind::kProject:
        return bind_project(op, in, scope);
      case OpKind::kExtend:
      case OpKind::kSerialize:
        return bind_extend(op.items, in, scope,
                           op.kind == OpKind::kExtend ? "extend" : "serialize");
      case OpKind::kProjectAway:
      case OpKind::kProjectKeep:
      case OpKind::kProjectReorder:
        return bind_project_patterns(op, in);
      case OpKind::kProjectRename:
        return bind_project_rename(op, in);
      case OpKind::kSummarize:
        return bind_summarize(op, in, scope);
      case OpKind::kDistinct:
        return bind_distinct(op, in, scope);
      case OpKind::kCount: {
        auto n = node(PlanKind::kCount, in, "count");
        n->schema = {{op.name.empty() ? "Count" : op.name, Type::kLong}};
        return n;
      }
      case OpKind::kTop:
      case OpKind::kSort: {
        auto n = node(op.kind == OpKind::kTop ? PlanKind::kTop : PlanKind::kSort, in,
                      op.kind == OpKind::kTop ? "top" : "sort");
        n->schema = in->schema;
        for (const auto& k : op.sort_keys) {
          SortSpec s;
          s.expr = bind_scalar(*k.expr, view_of(in->schema), scope);
          if (s.expr->type == Type::kDynamic) {
            fail("cannot sort by a dynamic value; convert it first (tostring, tolong)",
                 k.expr->span);
          }
          s.descending = k.descending;
          s.nulls_first = k.nulls_first.value_or(!k.descending);
          n->sort.push_back(s);
        }
        if (op.kind == OpKind::kTop) n->limit = count_arg(*op.predicate, scope, "top");
        return n;
      }
      case OpKind::kTake:
      case OpKind::kSample: {
        auto n = node(PlanKind::kTake, in, "take");
        n->schema = in->schema;
        n->limit = count_arg(*op.predicate, scope, "take");
        return n;
      }
      case OpKind::kJoin:
      case OpKind::kLookup:
        return bind_join(op, in, scope);
      case OpKind::kUnion:
        return bind_union(op, in, scope);
      case OpKind::kMvExpand:
        return bind_mv_expand(op, in, scope);
      case OpKind::kMakeSeries:
        return bind_make_series(op, in, scope);
      case OpKind::kTopNested:
        return bind_top_nested(op, in, scope);
      case OpKind::kGetSchema: {
        auto n = node(PlanKind::kGetSchema, in, "getschema");
        n->schema = {{"ColumnName", Type::kString},
                     {"ColumnOrdinal", Type::kInt},
                     {"DataType", Type::kString},
                     {"ColumnType", Type::kString}};
        return n;
      }
      case OpKind::kAs: {
        Binding b;
        b.kind = Binding::Kind::kPlan;
        b.plan = in;
        scope->names[op.name] = b;
        in->label += " as " + op.name;
        in->alias = op.name;
        return in;
      }
      case OpKind::kInvoke: {
        const Expr& call = *op.predicate;
        if (call.kind != ExprKind::kCall && call.kind != ExprKind::kName) {
          fail("invoke needs a function call", call.span);
        }
        return bind_function_call_tabular(call, scope, in);
      }
      case OpKind::kMvApply:
        return bind_mv_apply(op, in, scope);
      case OpKind::kRender:
        break;
    }
    fail("operator not supported here", op.span);
  }

  PlanPtr node(PlanKind kind, const PlanPtr& child, std::string label) {
    auto n = std::make_shared<PlanNode>();
    n->kind = kind;
    n->children.push_back(child);
    n->label = std::move(label);
    return n;
  }

  std::int64_t count_arg(const Expr& e, const ScopePtr& scope, const std::string& what) {
    Value v = constant_arg(e, scope, what + " row count");
    if (!is_int64_backed(v.type) || v.type == Type::kDateTime || v.type == Type::kTimeSpan ||
        v.type == Type::kBool) {
      fail(what + " needs an integer row count", e.span);
    }
    if (v.i < 0) fail(what + " needs a row count of 0 or more", e.span);
    return v.i;
  }

  // Name of an unnamed expression (§4.0); "" when Kusto would generate ColumnN.
  std::string infer_name(const Expr& e, const RowView& row) {
    switch (e.kind) {
      case ExprKind::kName:
        return row.find(e.text) >= 0 ? e.text : std::string();
      case ExprKind::kMember: {
        std::string base = infer_name(*e.args[0], row);
        return base.empty() ? std::string() : base + "_" + e.text;
      }
      case ExprKind::kIndex: {
        std::string base = infer_name(*e.args[0], row);
        const Expr& ix = *e.args[1];
        if (base.empty() || ix.kind != ExprKind::kLiteral) return {};
        return base + "_" + value_to_string(ix.value);
      }
      case ExprKind::kCall: {
        const ScalarFunction* f = find_function(e.text);
        if (f != nullptr && f->naming == Naming::kFirstArg && !e.args.empty()) {
          return infer_name(*e.args[0], row);
        }
        return {};
      }
      default:
        return {};
    }
  }

  PlanPtr bind_project(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    auto n = node(PlanKind::kProject, in, "project");
    RowView row = view_of(in->schema);
    std::set<std::string> used;
    std::set<std::string> explicit_names;
    for (const auto& item : op.items) {
      for (const auto& nm : item.names)
        explicit_names.insert(nm);
    }
    int counter = 0;
    for (const auto& item : op.items) {
      if (item.expr->kind == ExprKind::kStar)
        fail("project * is not supported; list the columns", item.expr->span);
      BExprPtr b = bind_scalar(*item.expr, row, scope);
      if (item.names.size() > 1) {
        add_multi_output(n, item, b, used);
        continue;
      }
      std::string name;
      if (!item.names.empty()) {
        name = item.names[0];
        if (used.count(name))
          fail("duplicate column name '" + name + "' in project", item.name_spans[0]);
      } else {
        name = infer_name(*item.expr, row);
        if (name.empty()) {
          std::set<std::string> taken = used;
          taken.insert(explicit_names.begin(), explicit_names.end());
          for (const auto& f : in->schema)
            taken.insert(f.name);
          name = generated_name(taken, counter);
        } else if (used.count(name)) {
          fail("column '" + name + "' is listed twice in project", item.expr->span);
        }
      }
      used.insert(name);
      n->schema.push_back({name, b->type});
      n->exprs.push_back(b);
    }
    return n;
  }

  // (A, B, C) = f(...) for functions with several outputs.
  void add_multi_output(const PlanPtr& n, const NamedExpr& item, const BExprPtr& b,
                        std::set<std::string>& used) {
    if (b->kind != BKind::kCall || b->fn->outputs.empty()) {
      fail("a list of names needs a function with several results", item.expr->span);
    }
    if (item.names.size() > b->fn->outputs.size()) {
      fail(std::string(b->fn->name) + "() has only " + std::to_string(b->fn->outputs.size()) +
               " results",
           item.name_spans.back());
    }
    for (std::size_t k = 0; k < item.names.size(); ++k) {
      const std::string& name = item.names[k];
      used.insert(name);
      replace_or_append(n, name, output_element(b, k));
    }
  }

  static void replace_or_append(const PlanPtr& n, const std::string& name, const BExprPtr& e) {
    for (std::size_t i = 0; i < n->schema.size(); ++i) {
      if (n->schema[i].name == name) {
        n->schema[i].type = e->type;
        n->exprs[i] = e;
        return;
      }
    }
    n->schema.push_back({name, e->type});
    n->exprs.push_back(e);
  }

  PlanPtr bind_extend(const std::vector<NamedExpr>& items, const PlanPtr& in, const ScopePtr& scope,
                      const std::string& label) {
    auto n = node(PlanKind::kProject, in, label);
    n->schema = in->schema;
    for (std::size_t i = 0; i < in->schema.size(); ++i) {
      n->exprs.push_back(make_column_ref(static_cast<int>(i), in->schema[i].type));
    }
    int counter = 0;
    for (const auto& item : items) {
      RowView row{n->schema, n->exprs};
      BExprPtr b = bind_scalar(*item.expr, row, scope);
      if (item.names.size() > 1) {
        std::set<std::string> used;
        add_multi_output(n, item, b, used);
        continue;
      }
      std::string name;
      if (!item.names.empty()) {
        name = item.names[0];
      } else {
        name = infer_name(*item.expr, row);
        if (name.empty() && b->kind == BKind::kCall && !b->fn->outputs.empty()) {
          // Unnamed multi-output function: <fn>_<arg>_<output> columns.
          std::string arg = item.expr->args.empty() ? "" : infer_name(*item.expr->args[0], row);
          for (std::size_t k = 0; k < b->fn->outputs.size(); ++k) {
            replace_or_append(
                n, std::string(b->fn->name) + "_" + arg + "_" + std::string(b->fn->outputs[k]),
                output_element(b, k));
          }
          continue;
        }
        if (name.empty()) {
          std::set<std::string> taken;
          for (const auto& f : n->schema)
            taken.insert(f.name);
          name = generated_name(taken, counter);
        }
      }
      replace_or_append(n, name, b);
    }
    if (label == "serialize" && items.empty()) return in;
    return n;
  }

  static bool wildcard_match(std::string_view pattern, std::string_view name) {
    // `*` matches any run of characters; case-sensitive.
    std::size_t p = 0, s = 0, star = std::string_view::npos, mark = 0;
    while (s < name.size()) {
      if (p < pattern.size() && pattern[p] == name[s]) {
        ++p;
        ++s;
      } else if (p < pattern.size() && pattern[p] == '*') {
        star = p++;
        mark = s;
      } else if (star != std::string_view::npos) {
        p = star + 1;
        s = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.size() && pattern[p] == '*')
      ++p;
    return p == pattern.size();
  }

  PlanPtr bind_project_patterns(const Operator& op, const PlanPtr& in) {
    auto n = node(PlanKind::kProject, in,
                  op.kind == OpKind::kProjectAway   ? "project-away"
                  : op.kind == OpKind::kProjectKeep ? "project-keep"
                                                    : "project-reorder");
    std::vector<bool> matched(in->schema.size(), false);
    std::vector<int> order;
    for (const auto& [raw, span] : op.patterns) {
      std::string pattern = raw;
      std::string modifier;
      if (auto sp = raw.find('\n'); sp != std::string::npos) {  // the parser's modifier mark
        pattern = raw.substr(0, sp);
        modifier = raw.substr(sp + 1);
      }
      bool any = false;
      std::vector<int> these;
      for (std::size_t i = 0; i < in->schema.size(); ++i) {
        if (wildcard_match(pattern, in->schema[i].name)) {
          any = true;
          if (!matched[i]) these.push_back(static_cast<int>(i));
          matched[i] = true;
        }
      }
      if (!any && pattern.find('*') == std::string::npos) {
        std::vector<std::string> names;
        for (const auto& f : in->schema)
          names.push_back(f.name);
        fail("unknown column '" + pattern + "'" + suggest(pattern, names), span);
      }
      if (!modifier.empty()) {
        auto key = [&](int i) { return in->schema[static_cast<std::size_t>(i)].name; };
        bool granny = modifier.rfind("granny", 0) == 0;
        bool desc = modifier.find("desc") != std::string::npos;
        std::stable_sort(these.begin(), these.end(), [&](int a, int b) {
          std::string x = key(a), y = key(b);
          int c = granny ? granny_compare(x, y) : ci_compare(x, y);
          return desc ? c > 0 : c < 0;
        });
      }
      order.insert(order.end(), these.begin(), these.end());
    }
    std::vector<int> columns;
    if (op.kind == OpKind::kProjectAway) {
      for (std::size_t i = 0; i < in->schema.size(); ++i) {
        if (!matched[i]) columns.push_back(static_cast<int>(i));
      }
    } else if (op.kind == OpKind::kProjectKeep) {
      for (std::size_t i = 0; i < in->schema.size(); ++i) {
        if (matched[i]) columns.push_back(static_cast<int>(i));
      }
    } else {
      columns = order;
      for (std::size_t i = 0; i < in->schema.size(); ++i) {
        if (!matched[i]) columns.push_back(static_cast<int>(i));
      }
    }
    for (int c : columns) {
      n->schema.push_back(in->schema[static_cast<std::size_t>(c)]);
      n->exprs.push_back(make_column_ref(c, in->schema[static_cast<std::size_t>(c)].type));
    }
    return n;
  }

  static int ci_compare(const std::string& a, const std::string& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
      int x = std::tolower(static_cast<unsigned char>(a[i]));
      int y = std::tolower(static_cast<unsigned char>(b[i]));
      if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
  }
  static int granny_compare(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (std::isdigit(static_cast<unsigned char>(a[i])) &&
          std::isdigit(static_cast<unsigned char>(b[j]))) {
        std::size_t i2 = i, j2 = j;
        while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2])))
          ++i2;
        while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2])))
          ++j2;
        long long x = std::stoll(a.substr(i, i2 - i)), y = std::stoll(b.substr(j, j2 - j));
        if (x != y) return x < y ? -1 : 1;
        i = i2;
        j = j2;
        continue;
      }
      int x = std::tolower(static_cast<unsigned char>(a[i]));
      int y = std::tolower(static_cast<unsigned char>(b[j]));
      if (x != y) return x < y ? -1 : 1;
      ++i;
      ++j;
    }
    return (a.size() - i) == (b.size() - j) ? 0 : ((a.size() - i) < (b.size() - j) ? -1 : 1);
  }

  PlanPtr bind_project_rename(const Operator& op, const PlanPtr& in) {
    auto n = node(PlanKind::kProject, in, "project-rename");
    n->schema = in->schema;
    for (std::size_t i = 0; i < in->schema.size(); ++i) {
      n->exprs.push_back(make_column_ref(static_cast<int>(i), in->schema[i].type));
    }
    for (const auto& [named, old] : op.renames) {
      const std::string& to = named.names[0];
      int idx = -1;
      for (std::size_t i = 0; i < n->schema.size(); ++i) {
        if (n->schema[i].name == old) idx = static_cast<int>(i);
      }
      if (idx < 0) {
        std::vector<std::string> names;
        for (const auto& f : in->schema)
          names.push_back(f.name);
        fail("unknown column '" + old + "'" + suggest(old, names), named.name_spans[1]);
      }
      for (std::size_t i = 0; i < n->schema.size(); ++i) {
        if (n->schema[i].name == to && static_cast<int>(i) != idx) {
          fail("project-rename: a column named '" + to + "' already exists", named.name_spans[0]);
        }
      }
      n->schema[static_cast<std::size_t>(idx)].name = to;
    }
    return n;
  }

  // ---------------------------------------------------------------- aggregation
  // The `by` keys of summarize, distinct and make-series: bound, checked (no dynamic keys),
  // named (explicit, inferred, else ColumnN avoiding `reserved`), appended to `n`. Returns the
  // names used.
  std::set<std::string> bind_group_keys(const std::vector<NamedExpr>& by, const RowView& row,
                                        const ScopePtr& scope, PlanNode& n, int& counter,
                                        const std::set<std::string>& reserved = {}) {
    std::set<std::string> used;
    for (const auto& k : by) {
      BExprPtr b = bind_scalar(*k.expr, row, scope);
      if (b->type == Type::kDynamic) {
        fail("cannot group by a dynamic value; convert it first with tostring()", k.expr->span);
      }
      std::string name = k.names.empty() ? infer_name(*k.expr, row) : k.names[0];
      if (name.empty()) {
        std::set<std::string> taken = used;
        taken.insert(reserved.begin(), reserved.end());
        name = generated_name(taken, counter);
      }
      if (used.count(name)) {
        if (!k.names.empty()) fail("duplicate column name '" + name + "'", k.name_spans[0]);
        name = unique_name(name, used);
      }
      used.insert(name);
      n.keys.push_back(b);
      n.schema.push_back({name, b->type});
    }
    return used;
  }

  PlanPtr bind_summarize(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    auto n = node(PlanKind::kAggregate, in, "summarize");
    RowView row = view_of(in->schema);
    std::set<std::string> used;
    int counter = 0;
    std::set<std::string> explicit_names;
    for (const auto& item : op.items) {
      for (const auto& nm : item.names)
        explicit_names.insert(nm);
    }
    std::set<std::string> key_names =
        bind_group_keys(op.by, row, scope, *n, counter, explicit_names);
    used = key_names;
    current_keys_ = key_names;  // arg_max(x, *) and take_any(*) skip the keys
    // Items that compute over aggregates (`sum(x) * 2`, `sum(a) / count()`) aggregate into
    // hidden columns and are computed by a projection above the aggregation.
    struct Output {
      int column = -1;  // a column of the aggregation, or -1: computed from `expr`
      std::string name;
      ExprPtr expr;
      SourceSpan span;
    };
    std::vector<Output> outputs;
    for (std::size_t k = 0; k < n->schema.size(); ++k)
      outputs.push_back({static_cast<int>(k), n->schema[k].name, nullptr, {}});
    bool computed = false;
    int hidden = 0;
    for (const auto& item : op.items) {
      const Expr& e = *item.expr;
      if (e.kind == ExprKind::kCall && is_aggregate_name(e.text)) {
        std::size_t before = n->schema.size();
        bind_aggregate_item(item, row, scope, *n, used, key_names);
        for (std::size_t k = before; k < n->schema.size(); ++k) {
          outputs.push_back({static_cast<int>(k), n->schema[k].name, nullptr, {}});
        }
        continue;
      }
      std::vector<std::pair<std::string, ExprPtr>> found;
      ExprPtr rewritten = extract_aggregates(item.expr, found, hidden);
      if (found.empty()) {
        fail("summarize expects aggregation functions (count(), sum(), ...); '" +
                 std::string(e.kind == ExprKind::kCall ? e.text + "()" : "this expression") +
                 "' is not one",
             e.span);
      }
      for (const auto& [name, call] : found) {
        AggSpec spec = bind_aggregate(*call, row, scope);
        if (spec.output_types.size() != 1)
          fail("this aggregate cannot be used inside an expression", call->span);
        n->schema.push_back({name, spec.output_types[0]});
        n->aggs.push_back(std::move(spec));
      }
      if (item.names.size() > 1)
        fail("a list of names needs a function with several results", e.span);
      std::string name;
      if (!item.names.empty()) {
        name = item.names[0];
        if (used.count(name)) fail("duplicate column name '" + name + "'", item.name_spans[0]);
      } else {
        std::set<std::string> taken = used;
        taken.insert(explicit_names.begin(), explicit_names.end());
        name = generated_name(taken, counter);
      }
      used.insert(name);
      outputs.push_back({-1, name, rewritten, e.span});
      computed = true;
    }
    current_keys_.clear();
    if (!computed) return n;
    auto p = node(PlanKind::kProject, n, "summarize (expressions over aggregates)");
    for (const auto& o : outputs) {
      BExprPtr b = o.column >= 0 ? make_column_ref(
                                       o.column, n->schema[static_cast<std::size_t>(o.column)].type)
                                 : bind_scalar(*o.expr, view_of(n->schema), scope);
      p->schema.push_back({o.name, b->type});
      p->exprs.push_back(b);
    }
    return p;
  }

  // Replaces each aggregate call in `e` by a reference to a hidden column `__aggN`.
  static ExprPtr extract_aggregates(const ExprPtr& e,
                                    std::vector<std::pair<std::string, ExprPtr>>& found,
                                    int& counter) {
    if (!e) return e;
    if (e->kind == ExprKind::kCall && is_aggregate_name(e->text)) {
      std::string name = "__agg" + std::to_string(counter++);
      found.emplace_back(name, e);
      auto ref = std::make_shared<Expr>();
      ref->kind = ExprKind::kName;
      ref->text = name;
      ref->span = e->span;
      return ref;
    }
    if (e->kind == ExprKind::kPipe) return e;
    auto copy = std::make_shared<Expr>(*e);
    for (auto& a : copy->args)
      a = extract_aggregates(a, found, counter);
    return copy;
  }

  void bind_aggregate_item(const NamedExpr& item, const RowView& row, const ScopePtr& scope,
                           PlanNode& n, std::set<std::string>& used,
                           const std::set<std::string>& key_names) {
    const Expr& e = *item.expr;
    if (e.kind != ExprKind::kCall || !is_aggregate_name(e.text)) {
      fail("summarize expects aggregation functions (count(), sum(), ...); '" +
               std::string(e.kind == ExprKind::kCall ? e.text + "()" : "this expression") +
               "' is not one",
           e.span);
    }
    AggSpec spec = bind_aggregate(e, row, scope);
    std::vector<std::string> names = aggregate_names(e, spec, row, key_names);
    if (item.names.size() > names.size()) {
      fail("too many names for this aggregate", item.name_spans.back());
    }
    for (std::size_t k = 0; k < names.size(); ++k) {
      std::string name;
      if (k < item.names.size()) {
        name = item.names[k];
        if (used.count(name)) fail("duplicate column name '" + name + "'", item.name_spans[k]);
      } else {
        name = unique_name(names[k], used);
      }
      used.insert(name);
      n.schema.push_back({name, spec.output_types[k]});
    }
    n.aggs.push_back(std::move(spec));
  }

  std::vector<std::string> aggregate_names(const Expr& e, const AggSpec& spec, const RowView& row,
                                           const std::set<std::string>& key_names) {
    std::string arg = e.args.empty() ? "" : infer_name(*e.args[0], row);
    const std::string& f = e.text;
    auto pre = [&](const std::string& p) { return std::vector<std::string>{p + "_" + arg}; };
    switch (spec.kind) {
      case AggKind::kCount:
        return {"count_"};
      case AggKind::kCountIf:
        return {"countif_"};
      case AggKind::kSum:
        return pre("sum");
      case AggKind::kSumIf:
        return pre("sumif");
      case AggKind::kAvg:
        return pre("avg");
      case AggKind::kAvgIf:
        return pre("avgif");
      case AggKind::kMin:
        return pre("min");
      case AggKind::kMax:
        return pre("max");
      case AggKind::kMinIf:
        return pre("minif");
      case AggKind::kMaxIf:
        return pre("maxif");
      case AggKind::kDCount:
        return pre(f == "count_distinct" ? "count_distinct" : "dcount");
      case AggKind::kDCountIf:
        return pre("dcountif");
      case AggKind::kMakeSet:
      case AggKind::kMakeSetIf:
        return pre("set");
      case AggKind::kMakeList:
      case AggKind::kMakeListIf:
      case AggKind::kMakeListWithNulls:
        return pre("list");
      case AggKind::kStdev:
        return pre("stdev");
      case AggKind::kStdevIf:
        return pre("stdevif");
      case AggKind::kStdevP:
        return pre("stdevp");
      case AggKind::kVariance:
        return pre("variance");
      case AggKind::kVarianceIf:
        return pre("varianceif");
      case AggKind::kVarianceP:
        return pre("variancep");
      case AggKind::kAnyLegacy:
        return pre("any");
      case AggKind::kMakeBag:
        return pre("bag");
      case AggKind::kPercentilesArray:
        return pre("percentiles");
      case AggKind::kPercentile: {
        std::vector<std::string> out;
        for (std::size_t k = 0; k < spec.params.size(); ++k) {
          const Expr& p = *e.args[k + 1];
          std::string text = p.kind == ExprKind::kLiteral ? value_to_string(p.value) : "";
          for (char& c : text) {
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
          }
          out.push_back("percentile_" + arg + "_" + text);
        }
        return out;
      }
      case AggKind::kTakeAny: {
        std::vector<std::string> out;
        if (!e.args.empty() && e.args[0]->kind == ExprKind::kStar) {
          for (const auto& fld : row.schema) {
            if (!key_names.count(fld.name)) out.push_back(fld.name);
          }
          return out;
        }
        for (const auto& a : e.args) {
          std::string nm = infer_name(*a, row);
          out.push_back(nm.empty() ? "any_" : nm);
        }
        return out;
      }
      case AggKind::kArgMax:
      case AggKind::kArgMin: {
        std::vector<std::string> out;
        std::string first = arg.empty() ? (spec.kind == AggKind::kArgMax ? "max_" : "min_") : arg;
        out.push_back(first);
        std::set<std::string> listed = {first};
        for (std::size_t k = 1; k < e.args.size(); ++k) {
          if (e.args[k]->kind == ExprKind::kStar) {
            for (const auto& fld : row.schema) {
              if (!key_names.count(fld.name) && !listed.count(fld.name)) {
                out.push_back(fld.name);
                listed.insert(fld.name);
              }
            }
          } else {
            std::string nm = infer_name(*e.args[k], row);
            out.push_back(nm.empty() ? "Column" + std::to_string(k) : nm);
            listed.insert(nm);
          }
        }
        return out;
      }
    }
    return {"Column"};
  }

  AggSpec bind_aggregate(const Expr& e, const RowView& row, const ScopePtr& scope) {
    AggSpec s;
    const std::string& f = e.text;
    auto arity = [&](std::size_t lo, std::size_t hi) {
      if (e.args.size() < lo || e.args.size() > hi) {
        fail(
            f + "() takes " +
                (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                " arguments",
            e.span);
      }
    };
    auto arg = [&](std::size_t i) { return bind_scalar(*e.args[i], row, scope); };
    auto pred = [&](std::size_t i) {
      BExprPtr p = arg(i);
      if (p->type != Type::kBool) fail(f + "() needs a bool predicate", e.args[i]->span);
      return p;
    };
    auto numeric_arg = [&](std::size_t i) {
      BExprPtr a = arg(i);
      if (a->type == Type::kDynamic) a = convert_to(a, Type::kReal, e.args[i]->span);
      if (!is_numeric(a->type) && a->type != Type::kTimeSpan) {
        fail(
            f + "() needs a numeric or timespan argument, found " + std::string(type_name(a->type)),
            e.args[i]->span);
      }
      return a;
    };
    auto sum_type = [](Type t) { return t == Type::kInt ? Type::kLong : t; };
    if (f == "count") {
      arity(0, 1);
      s.kind = AggKind::kCount;
      s.output_types = {Type::kLong};
    } else if (f == "countif") {
      arity(1, 1);
      s.kind = AggKind::kCountIf;
      s.args = {pred(0)};
      s.output_types = {Type::kLong};
    } else if (f == "sum" || f == "sumif") {
      arity(f == "sum" ? 1 : 2, f == "sum" ? 1 : 2);
      s.kind = f == "sum" ? AggKind::kSum : AggKind::kSumIf;
      s.args = {numeric_arg(0)};
      if (f == "sumif") s.args.push_back(pred(1));
      s.output_types = {sum_type(s.args[0]->type)};
    } else if (f == "avg" || f == "avgif") {
      arity(f == "avg" ? 1 : 2, f == "avg" ? 1 : 2);
      s.kind = f == "avg" ? AggKind::kAvg : AggKind::kAvgIf;
      s.args = {arg(0)};
      if (s.args[0]->type != Type::kDateTime) s.args[0] = numeric_arg(0);
      if (f == "avgif") s.args.push_back(pred(1));
      s.output_types = {s.args[0]->type == Type::kTimeSpan || s.args[0]->type == Type::kDateTime
                            ? s.args[0]->type
                            : Type::kReal};
    } else if (f == "min" || f == "max" || f == "minif" || f == "maxif") {
      bool is_if = f.size() > 3;
      arity(is_if ? 2 : 1, is_if ? 2 : 1);
      s.kind = f == "min"     ? AggKind::kMin
               : f == "max"   ? AggKind::kMax
               : f == "minif" ? AggKind::kMinIf
                              : AggKind::kMaxIf;
      s.args = {arg(0)};
      if (s.args[0]->type == Type::kDynamic)
        fail(f + "() cannot order dynamic values", e.args[0]->span);
      if (is_if) s.args.push_back(pred(1));
      s.output_types = {s.args[0]->type};
    } else if (f == "dcount" || f == "count_distinct" || f == "dcountif") {
      bool is_if = f == "dcountif";
      arity(is_if ? 2 : 1, is_if ? 3 : 2);
      s.kind = is_if ? AggKind::kDCountIf : AggKind::kDCount;
      s.args = {arg(0)};
      if (is_if) s.args.push_back(pred(1));
      s.output_types = {Type::kLong};
    } else if (f == "make_set" || f == "makeset" || f == "make_set_if" || f == "make_list" ||
               f == "makelist" || f == "make_list_if" || f == "make_list_with_nulls") {
      bool is_if = f.size() > 3 && f.substr(f.size() - 3) == "_if";
      bool is_set = f.find("set") != std::string::npos;
      s.kind = is_set ? (is_if ? AggKind::kMakeSetIf : AggKind::kMakeSet)
                      : (f == "make_list_with_nulls"
                             ? AggKind::kMakeListWithNulls
                             : (is_if ? AggKind::kMakeListIf : AggKind::kMakeList));
      arity(is_if ? 2 : 1, is_if ? 3 : 2);
      s.args = {arg(0)};
      std::size_t size_index = 1;
      if (is_if) {
        s.args.push_back(pred(1));
        size_index = 2;
      }
      if (f == "makeset" || f == "makelist") s.max_size = 128;
      if (e.args.size() > size_index) {
        Value v = constant_arg(*e.args[size_index], scope, f + "() size");
        s.max_size = std::min<std::int64_t>(v.i, 1048576);
      }
      s.output_types = {Type::kDynamic};
    } else if (f == "arg_max" || f == "arg_min") {
      if (e.args.size() < 2)
        fail(f + "() needs the expression to maximize and what to return", e.span);
      s.kind = f == "arg_max" ? AggKind::kArgMax : AggKind::kArgMin;
      s.args = {arg(0)};
      s.output_types = {s.args[0]->type};
      std::set<std::string> listed;
      if (e.args[0]->kind == ExprKind::kName) listed.insert(e.args[0]->text);
      for (std::size_t k = 1; k < e.args.size(); ++k) {
        if (e.args[k]->kind == ExprKind::kStar) {
          for (std::size_t c = 0; c < row.schema.size(); ++c) {
            if (listed.count(row.schema[c].name) || current_keys_.count(row.schema[c].name))
              continue;
            listed.insert(row.schema[c].name);
            s.args.push_back(make_column_ref(static_cast<int>(c), row.schema[c].type));
            s.output_types.push_back(row.schema[c].type);
          }
        } else {
          BExprPtr r = arg(k);
          s.args.push_back(r);
          s.output_types.push_back(r->type);
        }
      }
    } else if (f == "percentile" || f == "percentiles" || f == "percentiles_array") {
      if (e.args.size() < 2) fail(f + "() needs a value and at least one percentile", e.span);
      s.kind = f == "percentiles_array" ? AggKind::kPercentilesArray : AggKind::kPercentile;
      s.args = {numeric_or_time(arg(0), e.args[0]->span, f)};
      for (std::size_t k = 1; k < e.args.size(); ++k) {
        Value v = constant_arg(*e.args[k], scope, "percentile");
        if (v.type == Type::kDynamic && dyn_is_array(v.d)) {
          for (const auto& item : v.d->items) {
            Value x = dyn_to_value(item, Type::kReal);
            s.params.push_back(x.r);
          }
          continue;
        }
        double p = v.type == Type::kReal ? v.r : static_cast<double>(v.i);
        if (p < 0 || p > 100) fail("percentile must be between 0 and 100", e.args[k]->span);
        s.params.push_back(p);
      }
      if (f == "percentile" && s.params.size() != 1)
        fail("percentile() takes one percentile; use percentiles()", e.span);
      Type t = s.args[0]->type == Type::kInt ? Type::kLong : s.args[0]->type;
      if (s.kind == AggKind::kPercentilesArray) {
        s.output_types = {Type::kDynamic};
      } else {
        s.output_types.assign(s.params.size(), t);
      }
    } else if (f == "stdev" || f == "stdevp" || f == "variance" || f == "variancep" ||
               f == "stdevif" || f == "varianceif") {
      bool is_if = f.size() > 2 && f.substr(f.size() - 2) == "if";
      arity(is_if ? 2 : 1, is_if ? 2 : 1);
      s.kind = f == "stdev"       ? AggKind::kStdev
               : f == "stdevp"    ? AggKind::kStdevP
               : f == "variance"  ? AggKind::kVariance
               : f == "variancep" ? AggKind::kVarianceP
               : f == "stdevif"   ? AggKind::kStdevIf
                                  : AggKind::kVarianceIf;
      s.args = {numeric_arg(0)};
      if (is_if) s.args.push_back(pred(1));
      s.output_types = {Type::kReal};
    } else if (f == "make_bag" || f == "make_bag_if") {
      bool is_if = f == "make_bag_if";
      arity(is_if ? 2 : 1, is_if ? 3 : 2);
      s.kind = AggKind::kMakeBag;
      s.args = {arg(0)};
      if (s.args[0]->type != Type::kDynamic)
        fail(f + "() needs a dynamic property bag", e.args[0]->span);
      if (is_if) s.args.push_back(pred(1));
      s.output_types = {Type::kDynamic};
    } else if (f == "take_any" || f == "any") {
      if (e.args.empty()) fail(f + "() needs at least one argument", e.span);
      s.kind = f == "any" ? AggKind::kAnyLegacy : AggKind::kTakeAny;
      if (e.args[0]->kind == ExprKind::kStar) {
        for (std::size_t c = 0; c < row.schema.size(); ++c) {
          if (current_keys_.count(row.schema[c].name)) continue;
          s.args.push_back(make_column_ref(static_cast<int>(c), row.schema[c].type));
          s.output_types.push_back(row.schema[c].type);
        }
      } else {
        for (std::size_t k = 0; k < e.args.size(); ++k) {
          s.args.push_back(arg(k));
          s.output_types.push_back(s.args.back()->type);
        }
      }
    }
    return s;
  }

  BExprPtr numeric_or_time(BExprPtr a, SourceSpan span, const std::string& f) {
    if (a->type == Type::kDynamic) a = convert_to(a, Type::kReal, span);
    if (!is_numeric(a->type) && a->type != Type::kDateTime && a->type != Type::kTimeSpan) {
      fail(f + "() needs a numeric, datetime or timespan argument", span);
    }
    return a;
  }

  PlanPtr bind_distinct(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    auto n = node(PlanKind::kAggregate, in, "distinct");
    RowView row = view_of(in->schema);
    if (op.star) {
      for (std::size_t i = 0; i < in->schema.size(); ++i) {
        if (in->schema[i].type == Type::kDynamic) {
          fail("distinct cannot use dynamic column '" + in->schema[i].name + "'", op.span);
        }
        n->keys.push_back(make_column_ref(static_cast<int>(i), in->schema[i].type));
        n->schema.push_back(in->schema[i]);
      }
      return n;
    }
    int counter = 0;
    bind_group_keys(op.by, row, scope, *n, counter);
    return n;
  }

  // ---------------------------------------------------------------- join / lookup / union
  PlanPtr bind_join(const Operator& op, const PlanPtr& left, const ScopePtr& scope) {
    bool lookup = op.kind == OpKind::kLookup;
    static const std::set<std::string> kJoinKinds = {
        "innerunique", "inner", "leftouter",    "rightouter", "fullouter", "leftsemi",
        "leftanti",    "anti",  "leftantisemi", "rightsemi",  "rightanti", "rightantisemi"};
    std::string kind = op.name;
    if (kind == "anti" || kind == "leftantisemi") kind = "leftanti";
    if (kind == "rightantisemi") kind = "rightanti";
    if (lookup ? (kind != "leftouter" && kind != "inner") : !kJoinKinds.count(op.name)) {
      fail("unknown " + std::string(lookup ? "lookup" : "join") + " kind '" + op.name + "'",
           op.span);
    }
    PlanPtr right = bind_tabular(*op.right, scope, "the right side of the join");
    auto n = std::make_shared<PlanNode>();
    n->kind = PlanKind::kJoin;
    n->children = {left, right};
    n->join_kind = kind;
    n->lookup = lookup;
    n->label = lookup ? "lookup kind=" + kind : "join kind=" + kind;
    auto find = [](const Schema& s, const std::string& name) {
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i].name == name) return static_cast<int>(i);
      }
      return -1;
    };
    auto names_of = [](const Schema& s) {
      std::vector<std::string> v;
      for (const auto& f : s)
        v.push_back(f.name);
      return v;
    };
    for (const auto& c : op.conditions) {
      int l = -1, r = -1;
      if (c->kind == ExprKind::kName) {
        l = find(left->schema, c->text);
        r = find(right->schema, c->text);
        if (l < 0)
          fail("join key '" + c->text + "' is not a column of the left side" +
                   suggest(c->text, names_of(left->schema)),
               c->span);
        if (r < 0)
          fail("join key '" + c->text + "' is not a column of the right side" +
                   suggest(c->text, names_of(right->schema)),
               c->span);
      } else if (c->kind == ExprKind::kBinary && c->text == "==" &&
                 c->args[0]->kind == ExprKind::kDollarSide &&
                 c->args[1]->kind == ExprKind::kDollarSide) {
        const Expr* a = c->args[0].get();
        const Expr* b = c->args[1].get();
        if (a->text == "right") std::swap(a, b);
        if (a->text != "left" || b->text != "right") {
          fail("a join condition compares $left.column with $right.column", c->span);
        }
        l = find(left->schema, a->value.s);
        r = find(right->schema, b->value.s);
        if (l < 0)
          fail("unknown left column '" + a->value.s + "'" +
                   suggest(a->value.s, names_of(left->schema)),
               a->span);
        if (r < 0)
          fail("unknown right column '" + b->value.s + "'" +
                   suggest(b->value.s, names_of(right->schema)),
               b->span);
      } else {
        fail("join conditions are column names or $left.a == $right.b", c->span);
      }
      Type lt = left->schema[static_cast<std::size_t>(l)].type;
      Type rt = right->schema[static_cast<std::size_t>(r)].type;
      auto norm = [](Type t) { return t == Type::kInt ? Type::kLong : t; };
      if (norm(lt) != norm(rt)) {
        fail("join key types differ: " + std::string(type_name(lt)) + " on the left, " +
                 std::string(type_name(rt)) + " on the right",
             c->span);
      }
      if (lt == Type::kDynamic) fail("join keys cannot be dynamic; use tostring()", c->span);
      n->join_keys.emplace_back(l, r);
    }
    if (n->join_keys.empty()) fail("join needs at least one condition after 'on'", op.span);
    // Output schema.
    std::set<std::string> used;
    bool left_cols = kind != "rightsemi" && kind != "rightanti";
    bool right_cols = kind != "leftsemi" && kind != "leftanti";
    if (left_cols) {
      for (const auto& f : left->schema) {
        n->schema.push_back(f);
        used.insert(f.name);
      }
    }
    if (right_cols) {
      std::set<int> right_keys;
      if (lookup) {
        for (auto [l, r] : n->join_keys)
          right_keys.insert(r);  // §4.13: keys are not repeated
      }
      std::set<std::string> reserved = used;
      for (const auto& f : right->schema)
        reserved.insert(f.name);
      for (std::size_t i = 0; i < right->schema.size(); ++i) {
        if (right_keys.count(static_cast<int>(i))) continue;
        Field f = right->schema[i];
        if (used.count(f.name)) {
          std::set<std::string> taken = reserved;
          taken.insert(used.begin(), used.end());
          f.name = unique_name(f.name, taken);
        }
        used.insert(f.name);
        n->schema.push_back(f);
        n->right_output.push_back(static_cast<int>(i));
      }
    }
    return n;
  }

  PlanPtr bind_union(const Operator& op, const PlanPtr& piped, const ScopePtr& scope) {
    auto n = std::make_shared<PlanNode>();
    n->kind = PlanKind::kUnion;
    n->label = "union kind=" + op.name;
    if (piped) {
      n->children.push_back(piped);
      n->union_names.push_back(piped->alias);
    }
    for (const auto& leg : op.legs) {
      if (leg->kind == ExprKind::kName && leg->text.find('*') != std::string::npos) {
        bool any = false;
        for (const auto* t : store::all_tables()) {
          if (wildcard_match(leg->text, t->name)) {
            Expr name;
            name.kind = ExprKind::kName;
            name.text = std::string(t->name);
            name.span = leg->span;
            n->children.push_back(bind_table_name(name, scope));
            n->union_names.emplace_back(t->name);
            any = true;
          }
        }
        if (!any && !op.is_fuzzy) fail("no table matches '" + leg->text + "'", leg->span);
        continue;
      }
      try {
        n->children.push_back(bind_tabular(*leg, scope, "a union leg"));
        const PlanPtr& leg_plan = n->children.back();
        n->union_names.push_back(!leg_plan->alias.empty()       ? leg_plan->alias
                                 : leg->kind == ExprKind::kName ? leg->text
                                                                : std::string());
      } catch (const QueryError&) {
        if (!op.is_fuzzy) throw;
      }
    }
    if (n->children.empty()) fail("union has no table to read", op.span);
    // Schema: outer = every column in order of first appearance (name+type); clashing types
    // become name_type columns; inner = columns common to all legs.
    std::vector<std::pair<std::string, Type>> columns;
    std::map<std::string, std::set<Type>> types_by_name;
    for (const auto& c : n->children) {
      for (const auto& f : c->schema)
        types_by_name[f.name].insert(f.type);
    }
    for (const auto& c : n->children) {
      for (const auto& f : c->schema) {
        if (std::find(columns.begin(), columns.end(), std::make_pair(f.name, f.type)) ==
            columns.end()) {
          columns.emplace_back(f.name, f.type);
        }
      }
    }
    if (op.name == "inner") {
      std::vector<std::pair<std::string, Type>> common;
      for (const auto& col : columns) {
        bool all = true;
        for (const auto& c : n->children) {
          bool has = false;
          for (const auto& f : c->schema)
            has = has || (f.name == col.first && f.type == col.second);
          all = all && has;
        }
        if (all) common.push_back(col);
      }
      columns = common;
    }
    std::set<std::string> used;
    if (!op.with_source.empty()) {
      n->schema.push_back({op.with_source, Type::kString});
      used.insert(op.with_source);
      n->with_source_column = 0;
    }
    // Names that keep their spelling are reserved first; a column renamed to name_type takes
    // a numeric suffix if that name is taken (§4.14).
    for (const auto& [name, type] : columns) {
      if (types_by_name[name].size() == 1) used.insert(name);
    }
    for (const auto& [name, type] : columns) {
      std::string out = name;
      if (types_by_name[name].size() > 1) {
        out = unique_name(name + "_" + std::string(type_name(type)), used);
        used.insert(out);
      }
      n->schema.push_back({out, type});
    }
    for (const auto& c : n->children) {
      std::vector<int> map;
      for (const auto& f : c->schema) {
        int target = -1;
        for (std::size_t k = 0; k < columns.size(); ++k) {
          if (columns[k].first == f.name && columns[k].second == f.type) {
            target = static_cast<int>(k) + (n->with_source_column >= 0 ? 1 : 0);
          }
        }
        map.push_back(target);
      }
      n->union_map.push_back(map);
    }
    return n;
  }

  // ---------------------------------------------------------------- mv-expand / mv-apply
  PlanPtr bind_mv_expand(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    auto n = node(PlanKind::kMvExpand, in, "mv-expand");
    n->schema = in->schema;
    n->expand_bag_as_array = op.name == "array";
    RowView row = view_of(in->schema);
    for (const auto& item : op.expand) {
      BExprPtr b = bind_scalar(*item.item.expr, row, scope);
      if (b->type != Type::kDynamic) {
        fail("mv-expand needs a dynamic array or property bag, found " +
                 std::string(type_name(b->type)),
             item.item.expr->span);
      }
      std::string name =
          item.item.names.empty() ? infer_name(*item.item.expr, row) : item.item.names[0];
      if (name.empty()) name = "Column1";
      Type t = item.to_type.value_or(Type::kDynamic);
      int target = row.find(name);
      if (target >= 0) {
        n->schema[static_cast<std::size_t>(target)].type = t;
      } else {
        n->schema.push_back({name, t});
        target = static_cast<int>(n->schema.size()) - 1;
      }
      n->expand_exprs.push_back(b);
      n->expand_targets.push_back(target);
      n->expand_types.push_back(item.to_type);
    }
    if (op.item_index) {
      std::set<std::string> used;
      for (const auto& f : n->schema)
        used.insert(f.name);
      n->schema.push_back({unique_name(*op.item_index, used), Type::kLong});
      n->expand_item_index = true;
    }
    if (op.limit) n->expand_limit = count_arg(**op.limit, scope, "mv-expand limit");
    return n;
  }

  PlanPtr bind_mv_apply(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    // Per input row: expand into a sub-table, run the sub-query on it, and emit its rows next
    // to the input row's other columns.
    Operator expand = op;
    expand.kind = OpKind::kMvExpand;
    expand.name = "array";
    auto apply = std::make_shared<PlanNode>();
    apply->kind = PlanKind::kMvApply;
    apply->children.push_back(in);
    apply->label = "mv-apply";
    // The sub-table: the expanded columns only (a one-row values node filled per row).
    auto input = std::make_shared<Batch>();
    PlanPtr row_source = values_node(in->schema, input, "mv-apply row");
    PlanPtr expanded = bind_mv_expand(expand, row_source, scope);
    std::set<int> targets(expanded->expand_targets.begin(), expanded->expand_targets.end());
    // Sub-query input: expanded columns only.
    auto keep = node(PlanKind::kProject, expanded, "mv-apply items");
    for (int t : targets) {
      keep->schema.push_back(expanded->schema[static_cast<std::size_t>(t)]);
      keep->exprs.push_back(make_column_ref(t, expanded->schema[static_cast<std::size_t>(t)].type));
    }
    if (expanded->expand_item_index) {
      std::size_t last = expanded->schema.size() - 1;
      keep->schema.push_back(expanded->schema[last]);
      keep->exprs.push_back(make_column_ref(static_cast<int>(last), Type::kLong));
    }
    PlanPtr sub = keep;
    for (const auto& o : op.subquery->ops)
      sub = bind_operator(*o, sub, scope);
    apply->subplan = sub;
    apply->apply_input = input;
    std::set<std::string> used;
    for (std::size_t i = 0; i < in->schema.size(); ++i) {
      if (targets.count(static_cast<int>(i))) continue;
      apply->apply_keep.push_back(static_cast<int>(i));
      apply->schema.push_back(in->schema[i]);
      used.insert(in->schema[i].name);
    }
    for (const auto& f : sub->schema) {
      Field g = f;
      g.name = unique_name(f.name, used);
      used.insert(g.name);
      apply->schema.push_back(g);
    }
    return apply;
  }

  // ---------------------------------------------------------------- make-series
  PlanPtr bind_make_series(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    auto n = node(PlanKind::kMakeSeries, in, "make-series");
    RowView row = view_of(in->schema);
    int counter = 0;
    std::set<std::string> used = bind_group_keys(op.by, row, scope, *n, counter);
    std::set<std::string> key_names = used;
    for (std::size_t i = 0; i < op.items.size(); ++i) {
      const NamedExpr& item = op.items[i];
      const Expr& e = *item.expr;
      if (e.kind != ExprKind::kCall || !is_aggregate_name(e.text)) {
        fail("make-series expects aggregation functions", e.span);
      }
      AggSpec spec = bind_aggregate(e, row, scope);
      if (spec.output_types.size() != 1)
        fail("make-series aggregates must have one result", e.span);
      std::string name =
          item.names.empty() ? aggregate_names(e, spec, row, key_names)[0] : item.names[0];
      name = unique_name(name, used);
      used.insert(name);
      n->schema.push_back({name, Type::kDynamic});
      Value def = Value::long_(0);
      if (op.defaults[i]) {
        BExprPtr d = bind_scalar(*op.defaults[i], RowView{}, scope);
        if (d->kind != BKind::kConst) fail("default must be a constant", op.defaults[i]->span);
        def = d->constant;
      }
      n->series_defaults.push_back(def);
      n->aggs.push_back(std::move(spec));
    }
    n->axis = bind_scalar(*op.axis, row, scope);
    Type at = n->axis->type;
    if (at != Type::kDateTime && at != Type::kTimeSpan && !is_numeric(at)) {
      fail("the make-series axis must be a datetime, timespan or number", op.axis->span);
    }
    std::string axis_name = infer_name(*op.axis, row);
    if (axis_name.empty()) axis_name = "Column";
    axis_name = unique_name(axis_name, used);
    n->schema.push_back({axis_name, Type::kDynamic});
    n->series_step = constant_arg(*op.step, scope, "make-series step");
    if ((n->series_step.type == Type::kReal ? n->series_step.r <= 0 : n->series_step.i <= 0)) {
      fail("make-series step must be positive", op.step->span);
    }
    if (op.from) n->series_from = constant_arg(*op.from, scope, "make-series from");
    if (op.to) n->series_to = constant_arg(*op.to, scope, "make-series to");
    if (op.name == "range" && !n->series_to.null) {
      // `in range(start, stop, step)`: stop is inclusive.
      n->series_to.i += 1;
      n->series_to.r += 1e-9;
    }
    n->series_nonempty = op.nonempty;
    return n;
  }

  // ---------------------------------------------------------------- top-nested
  PlanPtr bind_top_nested(const Operator& op, const PlanPtr& in, const ScopePtr& scope) {
    auto n = node(PlanKind::kTopNested, in, "top-nested");
    RowView row = view_of(in->schema);
    std::set<std::string> used;
    int counter = 0;
    for (const auto& c : op.nested) {
      PlanNode::NestedLevel level;
      if (c.count) level.count = count_arg(**c.count, scope, "top-nested");
      level.of = bind_scalar(*c.of.expr, row, scope);
      if (level.of->type == Type::kDynamic)
        fail("top-nested cannot group by dynamic values", c.of.expr->span);
      std::string of_name = c.of.names.empty() ? infer_name(*c.of.expr, row) : c.of.names[0];
      if (of_name.empty()) of_name = generated_name(used, counter);
      of_name = unique_name(of_name, used);
      used.insert(of_name);
      const Expr& agg = *c.aggregate.expr;
      if (agg.kind != ExprKind::kCall || !is_aggregate_name(agg.text)) {
        fail("top-nested needs an aggregation after 'by'", agg.span);
      }
      level.agg = bind_aggregate(agg, row, scope);
      if (level.agg.output_types.size() != 1)
        fail("this aggregate cannot be used in top-nested", agg.span);
      std::string agg_name =
          c.aggregate.names.empty() ? "aggregated_" + of_name : c.aggregate.names[0];
      agg_name = unique_name(agg_name, used);
      used.insert(agg_name);
      if (c.others) {
        BExprPtr o = bind_scalar(**c.others, RowView{}, scope);
        Type want = level.of->type;
        bool ok =
            o->kind == BKind::kConst &&
            (o->type == want || (is_numeric(o->type) && is_numeric(want)) || o->constant.null);
        if (!ok) {
          fail("'with others' needs a constant of the column's type (" +
                   std::string(type_name(want)) + ")",
               (*c.others)->span);
        }
        Value v = o->constant;
        if (v.null) {
          v = Value::null_of(want);
        } else if (want == Type::kReal && v.type != Type::kReal) {
          v = Value::real(static_cast<double>(v.i));
        } else if (is_int64_backed(want) && v.type == Type::kReal) {
          v.i = static_cast<std::int64_t>(v.r);
        }
        v.type = want;
        level.others = v;
      }
      level.descending = c.descending;
      n->schema.push_back({of_name, level.of->type});
      Type at = level.agg.output_types[0];
      n->schema.push_back({agg_name, at});
      n->nested.push_back(std::move(level));
    }
    return n;
  }

  // ---------------------------------------------------------------- scalar expressions
  BExprPtr fold(const BExprPtr& e) {
    if (e->kind == BKind::kConst || e->kind == BKind::kColumn) return e;
    for (const auto& a : e->args) {
      if (a->kind != BKind::kConst) return e;
    }
    if (e->kind == BKind::kIn) {
      // constant list and constant lhs
    }
    Value v = evaluate_constant(*e, ctx_);
    auto c = make_const(v, e->span);
    c->type = e->type;
    if (c->constant.type != e->type && !(c->constant.null)) {
      return e;  // keep the expression when the evaluated type differs (should not happen)
    }
    if (c->constant.null) c->constant = Value::null_of(e->type);
    return c;
  }

  BExprPtr bind_scalar(const Expr& e, const RowView& row, const ScopePtr& scope) {
    switch (e.kind) {
      case ExprKind::kLiteral:
        return make_const(e.value, e.span);
      case ExprKind::kDateTimeText:
      case ExprKind::kTimeSpanText: {
        if (e.kind == ExprKind::kDateTimeText && e.text.empty()) {
          return make_const(Value::datetime(ctx_.now), e.span);
        }
        Value v = convert_literal_text(e);
        if (v.null && e.text != "null") {
          fail("cannot read '" + e.text + "' as a " +
                   (e.kind == ExprKind::kDateTimeText ? "datetime" : "timespan"),
               e.span);
        }
        return make_const(v, e.span);
      }
      case ExprKind::kName:
        return bind_name(e, row, scope);
      case ExprKind::kDollarSide:
        fail("$left/$right can only be used in join conditions", e.span);
      case ExprKind::kMember: {
        BExprPtr base = bind_scalar(*e.args[0], row, scope);
        if (base->type != Type::kDynamic) {
          fail("'." + e.text + "' needs a dynamic value, but this is " +
                   std::string(type_name(base->type)),
               e.span);
        }
        auto m = std::make_shared<BExpr>();
        m->kind = BKind::kMember;
        m->type = Type::kDynamic;
        m->op = e.text;
        m->span = e.span;
        m->args.push_back(base);
        return fold(m);
      }
      case ExprKind::kIndex: {
        BExprPtr base = bind_scalar(*e.args[0], row, scope);
        BExprPtr index = bind_scalar(*e.args[1], row, scope);
        if (base->type != Type::kDynamic) {
          fail("indexing needs a dynamic array or bag, but this is " +
                   std::string(type_name(base->type)),
               e.span);
        }
        auto m = std::make_shared<BExpr>();
        m->kind = BKind::kIndex;
        m->type = Type::kDynamic;
        m->span = e.span;
        m->args = {base, index};
        return fold(m);
      }
      case ExprKind::kCall:
        return bind_call(e, row, scope);
      case ExprKind::kBinary:
        return bind_binary(e, row, scope);
      case ExprKind::kUnary: {
        BExprPtr a = bind_scalar(*e.args[0], row, scope);
        if (a->type == Type::kDynamic) a = convert_to(a, Type::kReal, e.span);
        if (!is_numeric(a->type) && a->type != Type::kTimeSpan) {
          fail("unary minus needs a number or timespan", e.span);
        }
        auto m = std::make_shared<BExpr>();
        m->kind = BKind::kNegate;
        m->type = a->type == Type::kInt ? Type::kLong : a->type;
        m->span = e.span;
        m->args.push_back(a);
        return fold(m);
      }
      case ExprKind::kIn:
        return bind_in(e, row, scope);
      case ExprKind::kBetween: {
        BExprPtr x = bind_scalar(*e.args[0], row, scope);
        BExprPtr lo = bind_scalar(*e.args[1], row, scope);
        BExprPtr hi = bind_scalar(*e.args[2], row, scope);
        if (x->type == Type::kString || lo->type == Type::kString) {
          fail("between works on numbers, datetimes and timespans, not strings", e.span);
        }
        if (x->type == Type::kDateTime && lo->type == Type::kDateTime &&
            hi->type == Type::kTimeSpan) {
          hi = arith("+", lo, hi, e.span);
        }
        bool neg = e.text == "!between";
        BExprPtr a = compare(neg ? "<" : ">=", x, lo, e.span);
        BExprPtr b = compare(neg ? ">" : "<=", x, hi, e.span);
        auto m = std::make_shared<BExpr>();
        m->kind = neg ? BKind::kOr : BKind::kAnd;
        m->type = Type::kBool;
        m->span = e.span;
        m->args = {a, b};
        return fold(m);
      }
      case ExprKind::kTypeOf:
        fail("typeof() can only be used as a function argument", e.span);
      case ExprKind::kStar:
        fail("'*' is not allowed here", e.span);
      default: {
        // A tabular expression where a scalar is expected.
        fail(
            "expected a scalar expression, found a tabular expression (use toscalar() to "
            "turn a one-row table into a value)",
            e.span);
      }
    }
  }

  // Element k of a multi-output function's result, typed as the function declares it.
  BExprPtr output_element(const BExprPtr& call, std::size_t k) {
    auto ix = std::make_shared<BExpr>();
    ix->kind = BKind::kIndex;
    ix->type = Type::kDynamic;
    ix->args = {call, make_const(Value::long_(static_cast<std::int64_t>(k)))};
    if (k < call->fn->output_types.size() && call->fn->output_types[k] != Type::kDynamic) {
      auto c = std::make_shared<BExpr>();
      c->kind = BKind::kCast;
      c->type = call->fn->output_types[k];
      c->args.push_back(ix);
      return c;
    }
    return ix;
  }

  BExprPtr bind_name(const Expr& e, const RowView& row, const ScopePtr& scope) {
    if (!e.text.empty() && e.text[0] == '!') {
      fail("there is no prefix '!' in KQL; write not(" + e.text.substr(1) + ")", e.span);
    }
    const Binding* b = scope->find(e.text);
    if (b != nullptr && b->kind == Binding::Kind::kScalar) return b->scalar;
    int c = row.find(e.text);
    if (c >= 0) {
      if (!row.exprs.empty() && row.exprs[static_cast<std::size_t>(c)] &&
          row.exprs[static_cast<std::size_t>(c)]->kind != BKind::kColumn) {
        return row.exprs[static_cast<std::size_t>(c)];
      }
      if (!row.exprs.empty() && row.exprs[static_cast<std::size_t>(c)]) {
        return row.exprs[static_cast<std::size_t>(c)];
      }
      return make_column_ref(c, row.schema[static_cast<std::size_t>(c)].type);
    }
    if (b != nullptr && b->kind == Binding::Kind::kFunction && b->function->parameters.empty() &&
        !is_tabular(*b->function->body, b->scope)) {
      Expr call = e;
      call.kind = ExprKind::kCall;
      return bind_call(call, row, scope);
    }
    if (b != nullptr) {
      fail("'" + e.text + "' is a table, not a scalar value (use toscalar(" + e.text + "))",
           e.span);
    }
    std::vector<std::string> names;
    for (const auto& f : row.schema)
      names.push_back(f.name);
    for (const Scope* s = scope.get(); s != nullptr; s = s->parent.get()) {
      for (const auto& [name, binding] : s->names) {
        if (binding.kind == Binding::Kind::kScalar) names.push_back(name);
      }
    }
    if (row.schema.empty() && store::find_table(e.text) != nullptr) {
      fail("'" + e.text + "' is a table, not a scalar value", e.span);
    }
    fail("unknown column or scalar '" + e.text + "'" + suggest(e.text, names), e.span);
  }

  BExprPtr arith(const std::string& op, BExprPtr a, BExprPtr b, SourceSpan span) {
    if (a->type == Type::kDynamic && b->type != Type::kDynamic)
      a = convert_to(a, b->type == Type::kInt ? Type::kLong : b->type, span);
    if (b->type == Type::kDynamic && a->type != Type::kDynamic)
      b = convert_to(b, a->type == Type::kInt ? Type::kLong : a->type, span);
    if (a->type == Type::kDynamic && b->type == Type::kDynamic) {
      a = convert_to(a, Type::kReal, span);
      b = convert_to(b, Type::kReal, span);
    }
    Type x = a->type, y = b->type;
    std::optional<Type> result;
    char o = op[0];
    if (is_numeric(x) && is_numeric(y)) {
      result = widen(x, y);
    } else if (x == Type::kDateTime && y == Type::kDateTime && o == '-') {
      result = Type::kTimeSpan;
    } else if (x == Type::kDateTime && y == Type::kTimeSpan && (o == '+' || o == '-')) {
      result = Type::kDateTime;
    } else if (x == Type::kTimeSpan && y == Type::kDateTime && o == '+') {
      result = Type::kDateTime;
      std::swap(a, b);
    } else if (x == Type::kTimeSpan && y == Type::kTimeSpan) {
      if (o == '+' || o == '-' || o == '%') result = Type::kTimeSpan;
      if (o == '/') result = Type::kReal;
    } else if (x == Type::kTimeSpan && is_numeric(y) && (o == '*' || o == '/')) {
      result = Type::kTimeSpan;
    } else if (is_numeric(x) && y == Type::kTimeSpan && o == '*') {
      result = Type::kTimeSpan;
    } else if (x == Type::kDateTime && y == Type::kTimeSpan && o == '/') {
      result = Type::kReal;
    }
    if (!result) {
      fail("cannot apply '" + op + "' to " + std::string(type_name(x)) + " and " +
               std::string(type_name(y)),
           span);
    }
    auto m = std::make_shared<BExpr>();
    m->kind = BKind::kArith;
    m->type = *result;
    m->op = op;
    m->span = span;
    m->args = {a, b};
    return fold(m);
  }

  BExprPtr compare(const std::string& op, BExprPtr a, BExprPtr b, SourceSpan span) {
    if (a->type == Type::kDynamic && b->type != Type::kDynamic) a = convert_to(a, b->type, span);
    if (b->type == Type::kDynamic && a->type != Type::kDynamic) b = convert_to(b, a->type, span);
    Type x = a->type, y = b->type;
    bool ok = (is_numeric(x) && is_numeric(y)) || x == y;
    if (ok && (x == Type::kString || x == Type::kBool) && op != "==" && op != "!=") {
      if (x == Type::kString) {
        fail("strings cannot be compared with '" + op + "'; use strcmp() or sort", span);
      }
      fail("bools cannot be compared with '" + op + "'", span);
    }
    if (!ok) {
      std::string hint;
      if ((x == Type::kTimeSpan && is_numeric(y)) || (y == Type::kTimeSpan && is_numeric(x))) {
        hint = " (compare a timespan with a timespan such as 1d; dayofweek() returns a timespan)";
      }
      if ((x == Type::kString) != (y == Type::kString)) {
        hint =
            " (KQL does not convert strings implicitly: use tolong(), todatetime() or "
            "tostring())";
      }
      fail("cannot compare " + std::string(type_name(x)) + " with " + std::string(type_name(y)) +
               hint,
           span);
    }
    auto m = std::make_shared<BExpr>();
    m->kind = BKind::kCompare;
    m->type = Type::kBool;
    m->op = op;
    m->span = span;
    m->args = {a, b};
    return fold(m);
  }

  BExprPtr bind_binary(const Expr& e, const RowView& row, const ScopePtr& scope) {
    const std::string& op = e.text;
    BExprPtr a = bind_scalar(*e.args[0], row, scope);
    BExprPtr b = bind_scalar(*e.args[1], row, scope);
    if (op == "and" || op == "or") {
      if (a->type == Type::kDynamic) a = convert_to(a, Type::kBool, e.args[0]->span);
      if (b->type == Type::kDynamic) b = convert_to(b, Type::kBool, e.args[1]->span);
      if (a->type != Type::kBool)
        fail("'" + op + "' needs bool operands, found " + std::string(type_name(a->type)),
             e.args[0]->span);
      if (b->type != Type::kBool)
        fail("'" + op + "' needs bool operands, found " + std::string(type_name(b->type)),
             e.args[1]->span);
      auto m = std::make_shared<BExpr>();
      m->kind = op == "and" ? BKind::kAnd : BKind::kOr;
      m->type = Type::kBool;
      m->span = e.span;
      m->args = {a, b};
      return fold(m);
    }
    if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%")
      return arith(op, a, b, e.span);
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      return compare(op, a, b, e.span);
    }
    // String operators.
    bool negated = op[0] == '!';
    std::string base = negated ? op.substr(1) : op;
    if (op == "!~") {
      base = "=~";
      negated = true;
    }
    if (a->type == Type::kDynamic) a = convert_to(a, Type::kString, e.args[0]->span);
    if (b->type == Type::kDynamic) b = convert_to(b, Type::kString, e.args[1]->span);
    if (a->type != Type::kString) {
      fail("'" + op + "' needs a string on its left, found " + std::string(type_name(a->type)) +
               " (use tostring())",
           e.args[0]->span);
    }
    if (b->type != Type::kString) {
      fail("'" + op + "' needs a string on its right, found " + std::string(type_name(b->type)),
           e.args[1]->span);
    }
    auto m = std::make_shared<BExpr>();
    m->kind = BKind::kStrOp;
    m->type = Type::kBool;
    m->op = base;
    m->negated = negated;
    m->span = e.span;
    m->args = {a, b};
    return fold(m);
  }

  void flatten_into(const Value& v, std::vector<Value>& out) {
    if (v.type == Type::kDynamic && dyn_is_array(v.d)) {
      for (const auto& item : v.d->items) {
        if (dyn_is_array(item)) {
          flatten_into(Value::dynamic(item), out);
        } else if (item == nullptr) {
          out.push_back(Value::null_of(Type::kDynamic));
        } else {
          switch (item->kind) {
            case DynKind::kString:
              out.push_back(Value::string(item->s));
              break;
            case DynKind::kLong:
              out.push_back(Value::long_(item->i));
              break;
            case DynKind::kReal:
              out.push_back(Value::real(item->r));
              break;
            case DynKind::kBool:
              out.push_back(Value::boolean(item->i != 0));
              break;
            case DynKind::kDateTime:
              out.push_back(Value::datetime(item->i));
              break;
            case DynKind::kTimeSpan:
              out.push_back(Value::timespan(item->i));
              break;
            default:
              out.push_back(Value::dynamic(item));
          }
        }
      }
      return;
    }
    out.push_back(v);
  }

  BExprPtr bind_in(const Expr& e, const RowView& row, const ScopePtr& scope) {
    BExprPtr lhs = bind_scalar(*e.args[0], row, scope);
    auto m = std::make_shared<BExpr>();
    m->kind = BKind::kIn;
    m->type = Type::kBool;
    m->span = e.span;
    std::string op = e.text;
    m->negated = op[0] == '!';
    if (m->negated) op = op.substr(1);
    m->case_insensitive = op == "in~";
    m->op = op == "in~" ? "in" : op;
    for (std::size_t i = 1; i < e.args.size(); ++i) {
      const Expr& item = *e.args[i];
      if (is_tabular(item, scope)) {
        PlanPtr plan = bind_tabular(item, scope, "a list");
        if (plan->schema.empty()) fail("the table in the list has no columns", item.span);
        Batch result = runner_(plan);
        for (std::size_t r = 0; r < result.rows; ++r) {
          m->list.push_back(result.columns[0].value_at(r));
        }
        continue;
      }
      BExprPtr v = bind_scalar(item, row, scope);
      if (v->kind != BKind::kConst) fail("list values must be constants", item.span);
      flatten_into(v->constant, m->list);
    }
    if (lhs->type == Type::kDynamic && m->op == "in") {
      // A dynamic operand takes the list's type (§2.8): numbers compare as numbers.
      bool numbers = !m->list.empty();
      bool reals = false;
      for (const auto& v : m->list) {
        numbers = numbers && (v.null || is_numeric(v.type));
        reals = reals || v.type == Type::kReal;
      }
      lhs = convert_to(lhs, numbers ? (reals ? Type::kReal : Type::kLong) : Type::kString, e.span);
    }
    if (m->op == "in") {
      for (const auto& v : m->list) {
        bool lhs_string = lhs->type == Type::kString;
        bool v_string = v.type == Type::kString;
        if (!v.null && lhs_string != v_string && v.type != Type::kDynamic) {
          fail("'" + e.text + "' compares " + std::string(type_name(lhs->type)) + " with " +
                   std::string(type_name(v.type)) + " values",
               e.span);
        }
      }
    } else if (lhs->type != Type::kString && lhs->type != Type::kDynamic) {
      fail("'" + e.text + "' needs a string on its left (use tostring())", e.args[0]->span);
    }
    m->args.push_back(lhs);
    return fold(m);
  }

  BExprPtr bind_call(const Expr& e, const RowView& row, const ScopePtr& scope) {
    const std::string& name = e.text;
    // User-defined scalar function.
    const Binding* b = scope->find(name);
    if (b != nullptr && b->kind == Binding::Kind::kFunction) {
      ScopePtr inner = function_scope(*b, e, scope, nullptr, row);
      for (const auto& let : b->function->body_lets)
        bind_let(*let, inner);
      if (is_tabular(*b->function->body, inner)) {
        fail("'" + name + "' returns a table; use it as a tabular source", e.span);
      }
      return bind_scalar(*b->function->body, row, inner);
    }
    if (name == "row_number") {
      auto m = std::make_shared<BExpr>();
      m->kind = BKind::kRowNumber;
      m->type = Type::kLong;
      m->span = e.span;
      if (e.args.size() > 1) fail("row_number() takes at most one argument (the start)", e.span);
      if (!e.args.empty()) {
        BExprPtr start = bind_scalar(*e.args[0], row, scope);
        if (start->kind != BKind::kConst || !is_int64_backed(start->type)) {
          fail("row_number() needs a constant integer start", e.args[0]->span);
        }
        m->args.push_back(start);
      }
      return m;
    }
    if (name == "toscalar") {
      if (e.args.size() != 1) fail("toscalar() takes one argument", e.span);
      if (!is_tabular(*e.args[0], scope)) return bind_scalar(*e.args[0], row, scope);
      PlanPtr plan = bind_tabular(*e.args[0], scope, "a tabular expression");
      if (plan->schema.empty()) fail("toscalar() needs a table with a column", e.span);
      Batch result = runner_(plan);
      Value v =
          result.rows == 0 ? Value::null_of(plan->schema[0].type) : result.columns[0].value_at(0);
      return make_const(v, e.span);
    }
    if (is_aggregate_name(name)) {
      fail("'" + name + "()' is an aggregation: use it in summarize, make-series or top-nested",
           e.span);
    }
    const ScalarFunction* f = find_function(name);
    if (f == nullptr) {
      std::vector<std::string> candidates;
      for (auto n : function_names())
        candidates.emplace_back(n);
      fail("unknown function '" + name + "'" + suggest(name, candidates), e.span);
    }
    int count = static_cast<int>(e.args.size());
    if (count < f->min_args || (f->max_args >= 0 && count > f->max_args)) {
      std::string expect = f->min_args == f->max_args
                               ? std::to_string(f->min_args)
                               : (f->max_args < 0 ? "at least " + std::to_string(f->min_args)
                                                  : std::to_string(f->min_args) + " to " +
                                                        std::to_string(f->max_args));
      fail(name + "() takes " + expect + " argument" + (expect == "1" ? "" : "s") + ", not " +
               std::to_string(count),
           e.span);
    }
    auto m = std::make_shared<BExpr>();
    m->kind = BKind::kCall;
    m->fn = f;
    m->span = e.span;
    std::vector<ArgInfo> infos;
    for (const auto& a : e.args) {
      ArgInfo info;
      if (a->kind == ExprKind::kTypeOf) {
        BExprPtr c = make_const(Value::string(std::string(type_name(a->value_type))), a->span);
        m->args.push_back(c);
        info.type = Type::kString;
        info.type_literal = a->value_type;
      } else if (a->kind == ExprKind::kStar) {
        // pack_array(*) and friends: every column of the row.
        for (std::size_t c = 0; c < row.schema.size(); ++c) {
          m->args.push_back(make_column_ref(static_cast<int>(c), row.schema[c].type));
          ArgInfo ci;
          ci.type = row.schema[c].type;
          infos.push_back(ci);
        }
        continue;
      } else {
        m->args.push_back(bind_scalar(*a, row, scope));
        info.type = m->args.back()->type;
      }
      infos.push_back(info);
    }
    for (std::size_t i = 0; i < infos.size(); ++i) {
      if (m->args[i]->kind == BKind::kConst) infos[i].constant = &m->args[i]->constant;
    }
    std::string error;
    std::optional<Type> t = f->result_type(infos, error);
    if (!t) fail(error.empty() ? name + "(): wrong argument types" : error, e.span);
    m->type = *t;
    if (!f->outputs.empty()) m->type = Type::kDynamic;
    return fold(m);
  }

  const store::Snapshot* snapshot_;
  const EvalContext& ctx_;
  const PlanRunner& runner_;
  RenderHint render_;
  std::set<std::string> current_keys_;
};

}  // namespace

BExprPtr make_const(Value v, SourceSpan span) {
  auto e = std::make_shared<BExpr>();
  e->kind = BKind::kConst;
  e->type = v.type;
  e->constant = std::move(v);
  e->span = span;
  return e;
}

BExprPtr make_column_ref(int column, Type type) {
  auto e = std::make_shared<BExpr>();
  e->kind = BKind::kColumn;
  e->column = column;
  e->type = type;
  return e;
}

bool is_const(const BExprPtr& e) {
  return e && e->kind == BKind::kConst;
}

bool uses_row_number(const BExpr& e) {
  if (e.kind == BKind::kRowNumber) return true;
  for (const auto& a : e.args) {
    if (uses_row_number(*a)) return true;
  }
  return false;
}

void collect_columns(const BExpr& e, std::vector<bool>& used) {
  if (e.kind == BKind::kColumn && e.column >= 0) {
    if (used.size() <= static_cast<std::size_t>(e.column))
      used.resize(static_cast<std::size_t>(e.column) + 1);
    used[static_cast<std::size_t>(e.column)] = true;
  }
  for (const auto& a : e.args)
    collect_columns(*a, used);
}

BoundQuery bind_query(const Query& query, const store::Snapshot* snapshot,
                      const EvalContext& context, const PlanRunner& runner) {
  return Binder(snapshot, context, runner).bind(query);
}

}  // namespace flowlens::query
