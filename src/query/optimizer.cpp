#include "query/optimizer.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>

namespace flowlens::query {
namespace {

// Conjuncts of a predicate (a and b and c).
void conjuncts(const BExprPtr& e, std::vector<BExprPtr>& out) {
  if (e->kind == BKind::kAnd) {
    conjuncts(e->args[0], out);
    conjuncts(e->args[1], out);
  } else {
    out.push_back(e);
  }
}

// Narrows [from, to) with `column op constant` conjuncts on the time column.
// Columns whose value lies in [time, time + 1h) of the table's time column: a rollup row's
// FlowStartTime and FlowEndTime fall inside its interval (10 or 60 minutes), so bounds on them
// bound FlowIntervalStartTime too.
constexpr std::int64_t kLongestInterval = 36'000'000'000;  // 1 hour in ticks

void time_bounds(const BExprPtr& predicate, const store::TableDef& table, std::int64_t& from,
                 std::int64_t& to) {
  int time_column = table.time_index();
  int flow_start = -1, flow_end = -1;
  if (table.id == store::TableId::kNTANetAnalytics) {
    flow_start = table.column_index("FlowStartTime");
    flow_end = table.column_index("FlowEndTime");
  }
  std::vector<BExprPtr> parts;
  conjuncts(predicate, parts);
  for (const auto& p : parts) {
    if (p->kind != BKind::kCompare) continue;
    const BExpr* col = p->args[0].get();
    const BExpr* lit = p->args[1].get();
    std::string_view op = p->op;  // (a std::string here trips GCC 12's -Wrestrict)
    if (col->kind == BKind::kConst && lit->kind == BKind::kColumn) {
      std::swap(col, lit);
      if (op == "<")
        op = ">";
      else if (op == "<=")
        op = ">=";
      else if (op == ">")
        op = "<";
      else if (op == ">=")
        op = "<=";
    }
    if (col->kind != BKind::kColumn || lit->kind != BKind::kConst || lit->constant.null ||
        lit->constant.type != Type::kDateTime) {
      continue;
    }
    std::int64_t v = lit->constant.i;
    if (col->column == flow_start || col->column == flow_end) {
      // time <= column < time + 1h
      if (op == ">=" || op == ">" || op == "==") from = std::max(from, v - kLongestInterval);
      if (op == "<") to = std::min(to, v);
      if (op == "<=" || op == "==") to = std::min(to, v + 1);
      continue;
    }
    if (col->column != time_column) continue;
    if (op == ">=") from = std::max(from, v);
    if (op == ">") from = std::max(from, v + 1);
    if (op == "<") to = std::min(to, v);
    if (op == "<=") to = std::min(to, v + 1);
    if (op == "==") {
      from = std::max(from, v);
      to = std::min(to, v + 1);
    }
  }
}

// NTAIpDetails: `Ip == "a"` and `Ip in ("a", "b")` conjuncts name the only addresses the
// filter can pass, so the scan needs to derive (and look up) only those. Several such
// conjuncts intersect.
void ip_bounds(const BExprPtr& predicate, PlanNode& scan) {
  if (scan.table->id != store::TableId::kNTAIpDetails) return;
  int ip_column = scan.table->column_index("Ip");
  std::vector<BExprPtr> parts;
  conjuncts(predicate, parts);
  for (const auto& p : parts) {
    std::vector<std::string> values;
    if (p->kind == BKind::kCompare && p->op == "==" && p->args.size() == 2) {
      const BExpr* col = p->args[0].get();
      const BExpr* lit = p->args[1].get();
      if (col->kind == BKind::kConst) std::swap(col, lit);
      if (col->kind != BKind::kColumn || col->column != ip_column || lit->kind != BKind::kConst ||
          lit->constant.null || lit->constant.type != Type::kString) {
        continue;
      }
      values.push_back(lit->constant.s);
    } else if (p->kind == BKind::kIn && p->op == "in" && !p->negated && !p->case_insensitive &&
               !p->args.empty() && p->args[0]->kind == BKind::kColumn &&
               p->args[0]->column == ip_column) {
      bool all_strings = true;
      for (const Value& v : p->list) {
        if (v.null || v.type != Type::kString) {
          all_strings = false;
          break;
        }
        values.push_back(v.s);
      }
      if (!all_strings) continue;
    } else {
      continue;
    }
    std::sort(values.begin(), values.end());
    if (scan.ip_filter_set) {
      std::vector<std::string> both;
      std::set_intersection(scan.ip_filter.begin(), scan.ip_filter.end(), values.begin(),
                            values.end(), std::back_inserter(both));
      values = std::move(both);
    }
    scan.ip_filter = std::move(values);
    scan.ip_filter_set = true;
  }
}

// Rewrites column references through a projection of plain references; false when the
// predicate reads a computed column.
bool remap_columns(const BExprPtr& e, const std::vector<BExprPtr>& exprs, BExprPtr& out) {
  if (e->kind == BKind::kColumn) {
    const BExprPtr& source = exprs[static_cast<std::size_t>(e->column)];
    if (source->kind != BKind::kColumn) return false;
    out = source;
    return true;
  }
  auto copy = std::make_shared<BExpr>(*e);
  for (auto& a : copy->args) {
    BExprPtr mapped;
    if (!remap_columns(a, exprs, mapped)) return false;
    a = mapped;
  }
  out = copy;
  return true;
}

// ---- aggregating rollup partials without merging them ----
//
// A rollup table's stored rows are partials that readers merge by key: counters add up, first
// and last times take min/max, key columns (and columns that depend on the key) are equal. An
// aggregation that groups by such key columns and only sums counters (or takes min/max of the
// time columns, or counts distinct key values) gets the same answer from the partials as from
// the merged rows, so it can skip the merge: sum(a) over merged rows = sum(a) over partials.
// Filters and computed columns on the way must read key columns only. count(), avg() and
// anything row-based would see the partials and are left alone.

BExprPtr substitute(const BExprPtr& e, const std::vector<BExprPtr>& columns) {
  if (e->kind == BKind::kColumn) return columns[static_cast<std::size_t>(e->column)];
  if (e->args.empty()) return e;
  auto copy = std::make_shared<BExpr>(*e);
  for (auto& a : copy->args)
    a = substitute(a, columns);
  return copy;
}

bool reads_only(const BExpr& e, const store::TableDef& t, std::initializer_list<store::Merge> ok) {
  if (e.kind == BKind::kRowNumber) return false;
  if (e.kind == BKind::kColumn) {
    store::Merge m = t.columns[static_cast<std::size_t>(e.column)].merge;
    return m == store::Merge::kKey || m == store::Merge::kAny ||
           std::find(ok.begin(), ok.end(), m) != ok.end();
  }
  for (const auto& a : e.args) {
    if (!reads_only(*a, t, ok)) return false;
  }
  return true;
}

// A sum of counter columns: `a`, `a + b`, ...
bool sum_of_counters(const BExpr& e, const store::TableDef& t) {
  if (e.kind == BKind::kColumn) {
    return t.columns[static_cast<std::size_t>(e.column)].merge == store::Merge::kSum;
  }
  if (e.kind == BKind::kArith && e.op == "+") {
    return sum_of_counters(*e.args[0], t) && sum_of_counters(*e.args[1], t);
  }
  return false;
}

bool aggregates_partials(const PlanNode& agg) {
  std::vector<const PlanNode*> chain;
  const PlanNode* p = agg.children[0].get();
  while (p->kind == PlanKind::kFilter || p->kind == PlanKind::kProject) {
    chain.push_back(p);
    p = p->children[0].get();
  }
  if (p->kind != PlanKind::kScan || !p->table->rollup || p->table->derived) return false;
  const store::TableDef& t = *p->table;
  std::vector<BExprPtr> columns;  // each column of the current level, in scan columns
  for (std::size_t i = 0; i < p->schema.size(); ++i) {
    columns.push_back(make_column_ref(static_cast<int>(i), p->schema[i].type));
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const PlanNode& node = **it;
    if (node.kind == PlanKind::kFilter) {
      if (!reads_only(*substitute(node.predicate, columns), t, {})) return false;
    } else {
      std::vector<BExprPtr> next;
      for (const auto& e : node.exprs)
        next.push_back(substitute(e, columns));
      columns = std::move(next);
    }
  }
  for (const auto& k : agg.keys) {
    if (!reads_only(*substitute(k, columns), t, {})) return false;
  }
  using store::Merge;
  for (const auto& a : agg.aggs) {
    std::vector<BExprPtr> args;
    for (const auto& e : a.args)
      args.push_back(substitute(e, columns));
    switch (a.kind) {
      case AggKind::kSum:
        if (!sum_of_counters(*args[0], t)) return false;
        break;
      case AggKind::kSumIf:
        if (!sum_of_counters(*args[0], t) || !reads_only(*args[1], t, {})) return false;
        break;
      case AggKind::kMin:
        if (!reads_only(*args[0], t, {Merge::kMin}) || args[0]->kind != BKind::kColumn) {
          if (!reads_only(*args[0], t, {})) return false;
        }
        break;
      case AggKind::kMax:
        if (!reads_only(*args[0], t, {Merge::kMax}) || args[0]->kind != BKind::kColumn) {
          if (!reads_only(*args[0], t, {})) return false;
        }
        break;
      case AggKind::kDCount:
      case AggKind::kMakeSet:
        if (!reads_only(*args[0], t, {})) return false;
        break;
      case AggKind::kDCountIf:
      case AggKind::kMakeSetIf:
        if (!reads_only(*args[0], t, {}) || !reads_only(*args[1], t, {})) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// The aggregation's input chain with a private copy of its scan, marked to read partials.
PlanPtr with_partial_scan(const PlanPtr& n) {
  if (n->kind == PlanKind::kScan) {
    auto scan = std::make_shared<PlanNode>(*n);
    scan->stats = std::make_shared<ScanStats>();
    scan->raw_partials = true;
    return scan;
  }
  auto copy = std::make_shared<PlanNode>(*n);
  copy->children = {with_partial_scan(n->children[0])};
  return copy;
}

PlanPtr rewrite(PlanPtr n) {
  for (auto& c : n->children)
    c = rewrite(c);
  if (n->kind == PlanKind::kAggregate && aggregates_partials(*n)) {
    auto agg = std::make_shared<PlanNode>(*n);
    agg->children = {with_partial_scan(n->children[0])};
    return agg;
  }
  // sort | take N  ->  top N
  if (n->kind == PlanKind::kTake && n->children[0]->kind == PlanKind::kSort) {
    auto top = std::make_shared<PlanNode>(*n->children[0]);
    top->kind = PlanKind::kTop;
    top->limit = n->limit;
    top->label = "top (sort | take)";
    return top;
  }
  if (n->kind == PlanKind::kFilter) {
    PlanPtr child = n->children[0];
    // where over a pass-through projection: filter first.
    bool positional = uses_row_number(*n->predicate);
    for (const auto& e : child->exprs)
      positional = positional || uses_row_number(*e);
    if (child->kind == PlanKind::kProject && !positional) {
      BExprPtr mapped;
      if (remap_columns(n->predicate, child->exprs, mapped)) {
        auto filter = std::make_shared<PlanNode>(*n);
        filter->predicate = mapped;
        filter->children = {child->children[0]};
        filter->schema = child->children[0]->schema;
        auto project = std::make_shared<PlanNode>(*child);
        project->children = {rewrite(filter)};
        return project;
      }
    }
    // where | where: one filter with both predicates.
    if (child->kind == PlanKind::kFilter && !positional && !uses_row_number(*child->predicate)) {
      auto merged = std::make_shared<PlanNode>(*child);
      auto both = std::make_shared<BExpr>();
      both->kind = BKind::kAnd;
      both->type = Type::kBool;
      both->args = {child->predicate, n->predicate};
      merged->predicate = both;
      return rewrite(merged);
    }
    // where over a scan: the time predicates become the scan's range (on a private copy of
    // the scan node: a let-bound table may be read by other branches).
    if (child->kind == PlanKind::kScan) {
      auto scan = std::make_shared<PlanNode>(*child);
      scan->stats = std::make_shared<ScanStats>();
      time_bounds(n->predicate, *scan->table, scan->time_from, scan->time_to);
      ip_bounds(n->predicate, *scan);
      auto filter = std::make_shared<PlanNode>(*n);
      filter->children = {scan};
      return filter;
    }
  }
  return n;
}

// Marks the input columns each node needs, top-down, and sets scan projections.
void prune(const PlanPtr& n, std::vector<bool> needed) {
  if (needed.size() < n->schema.size()) needed.resize(n->schema.size(), false);
  switch (n->kind) {
    case PlanKind::kScan: {
      needed.resize(n->schema.size(), false);
      if (n->projection_set) {
        if (n->projection.empty()) return;  // already reads everything
        for (std::size_t i = 0; i < needed.size(); ++i)
          needed[i] = needed[i] || n->projection[i];
      }
      n->projection_set = true;
      bool all = std::all_of(needed.begin(), needed.end(), [](bool b) { return b; });
      if (all) {
        n->projection.clear();
      } else {
        n->projection = needed;
      }
      return;
    }
    case PlanKind::kFilter: {
      std::vector<bool> in = needed;
      collect_columns(*n->predicate, in);
      prune(n->children[0], in);
      return;
    }
    case PlanKind::kProject: {
      // A node reached from several parents keeps the union of their needs.
      if (n->needed.size() == n->exprs.size()) {
        for (std::size_t i = 0; i < n->exprs.size(); ++i)
          needed[i] = needed[i] || n->needed[i];
      }
      n->needed.assign(needed.begin(),
                       needed.begin() + static_cast<std::ptrdiff_t>(n->exprs.size()));
      std::vector<bool> in;
      for (std::size_t i = 0; i < n->exprs.size(); ++i) {
        if (n->needed[i] || uses_row_number(*n->exprs[i])) collect_columns(*n->exprs[i], in);
      }
      prune(n->children[0], in);
      return;
    }
    case PlanKind::kAggregate: {
      std::vector<bool> in;
      for (const auto& k : n->keys)
        collect_columns(*k, in);
      for (const auto& a : n->aggs) {
        for (const auto& e : a.args)
          collect_columns(*e, in);
      }
      prune(n->children[0], in);
      return;
    }
    case PlanKind::kSort:
    case PlanKind::kTop:
    case PlanKind::kTake: {
      std::vector<bool> in = needed;
      for (const auto& s : n->sort)
        collect_columns(*s.expr, in);
      prune(n->children[0], in);
      return;
    }
    case PlanKind::kCount:
      prune(n->children[0], {});
      return;
    default: {
      for (const auto& c : n->children) {
        prune(c, std::vector<bool>(c->schema.size(), true));
      }
      if (n->subplan) prune(n->subplan, std::vector<bool>(n->subplan->schema.size(), true));
      return;
    }
  }
}

}  // namespace

PlanPtr optimize(PlanPtr root) {
  root = rewrite(std::move(root));
  prune(root, std::vector<bool>(root->schema.size(), true));
  return root;
}

}  // namespace flowlens::query
