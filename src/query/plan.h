// The bound, typed form of a query: scalar expressions with resolved columns and functions
// (BExpr), and tabular plan nodes with their output schemas (PlanNode). The binder builds
// them from the AST, the optimizer rewrites them, the executor runs them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/column.h"
#include "query/function_registry.h"
#include "store/table_schema.h"

namespace flowlens::query {

enum class BKind : std::uint8_t {
  kConst,
  kColumn,  // column `column` of the input batch
  kCall,    // registry function `fn`
  kArith,   // + - * / % (op)
  kNegate,
  kCompare,  // == != < <= > >=
  kAnd,
  kOr,
  kStrOp,      // =~ !~ has contains startswith ... matches regex (op, negated)
  kIn,         // in / !in / in~ / !in~ / has_any / has_all against `list`
  kMember,     // dynamic member: args[0].text
  kIndex,      // dynamic index: args[0][args[1]]
  kCast,       // implicit conversion of args[0] to `type` (dynamic operands)
  kRowNumber,  // row_number([start]): position in the serialized input (args: start)
};

struct BExpr;
using BExprPtr = std::shared_ptr<BExpr>;

struct BExpr {
  BKind kind = BKind::kConst;
  Type type = Type::kLong;
  SourceSpan span;
  Value constant;                      // kConst
  int column = -1;                     // kColumn
  const ScalarFunction* fn = nullptr;  // kCall
  std::string op;                      // kArith/kCompare/kStrOp/kIn; kMember: the key
  bool negated = false;                // kStrOp / kIn negative forms
  bool case_insensitive = false;
  std::vector<BExprPtr> args;
  std::vector<Value> list;  // kIn: flattened constant values
};

BExprPtr make_const(Value v, SourceSpan span = {});
BExprPtr make_column_ref(int column, Type type);
bool is_const(const BExprPtr& e);
// Columns an expression reads (for projection pushdown).
void collect_columns(const BExpr& e, std::vector<bool>& used);
// Whether an expression depends on the row's position (row_number()).
bool uses_row_number(const BExpr& e);

enum class AggKind : std::uint8_t {
  kCount,
  kCountIf,
  kSum,
  kSumIf,
  kAvg,
  kAvgIf,
  kMin,
  kMax,
  kMinIf,
  kMaxIf,
  kDCount,
  kDCountIf,
  kMakeSet,
  kMakeSetIf,
  kMakeList,
  kMakeListIf,
  kMakeListWithNulls,
  kArgMax,
  kArgMin,
  kPercentile,  // one output per percentile in `params`
  kPercentilesArray,
  kStdev,
  kStdevIf,
  kStdevP,
  kVariance,
  kVarianceIf,
  kVarianceP,
  kMakeBag,  // property bags merged; a repeated key keeps its first value
  kTakeAny,  // one output per argument
  kAnyLegacy,
};

struct AggSpec {
  AggKind kind = AggKind::kCount;
  std::vector<BExprPtr> args;       // evaluated per row (value, predicate, returned columns)
  std::vector<double> params;       // percentiles
  std::int64_t max_size = 1048576;  // make_set/make_list
  std::vector<Type> output_types;   // one per output column
  int predicate_arg = -1;           // index in args of the ..if predicate
};

enum class PlanKind : std::uint8_t {
  kScan,
  kValues,
  kFilter,
  kProject,
  kAggregate,
  kSort,
  kTop,
  kTake,
  kJoin,
  kUnion,
  kMvExpand,
  kMakeSeries,
  kTopNested,
  kGetSchema,
  kCount,
  kMvApply,
};

struct PlanNode;
using PlanPtr = std::shared_ptr<PlanNode>;

struct SortSpec {
  BExprPtr expr;
  bool descending = true;
  bool nulls_first = false;
};

struct ScanStats {  // filled by the scan's readers (possibly several threads)
  std::atomic<std::uint64_t> row_groups{0};
  std::atomic<std::uint64_t> row_groups_pruned{0};
  std::atomic<std::uint64_t> rows_read{0};
};

struct PlanNode {
  PlanKind kind = PlanKind::kValues;
  Schema schema;
  std::vector<PlanPtr> children;
  SourceSpan span;
  std::string label;  // for --explain
  std::string alias;  // `| as Name` (union withsource reports it)

  // kScan
  const store::TableDef* table = nullptr;
  std::int64_t time_from = INT64_MIN;
  std::int64_t time_to = INT64_MAX;
  std::vector<bool> projection;  // empty: all columns
  bool projection_set = false;   // set by the optimizer (a shared scan merges its readers' needs)
  bool raw_partials = false;     // rollup table read as stored partial rows (see optimizer.cpp)
  // NTAIpDetails: only these addresses are derived (from `Ip == ...` / `Ip in (...)` above
  // the scan; the filter stays, so this only saves work).
  bool ip_filter_set = false;
  std::vector<std::string> ip_filter;
  std::shared_ptr<ScanStats> stats;
  // kValues
  std::shared_ptr<Batch> values;
  // kFilter
  BExprPtr predicate;
  // kProject: one expression per output column; `needed` (set by the optimizer) marks the
  // outputs something above reads; the others come out as empty columns, never evaluated
  // (their inputs may not have been decoded).
  std::vector<BExprPtr> exprs;
  std::vector<bool> needed;
  // kAggregate / kMakeSeries: keys then aggregates
  std::vector<BExprPtr> keys;
  std::vector<AggSpec> aggs;
  // kSort / kTop
  std::vector<SortSpec> sort;
  std::int64_t limit = -1;  // kTop / kTake
  // kJoin
  std::string join_kind;
  std::vector<std::pair<int, int>> join_keys;  // (left column, right column)
  bool lookup = false;
  std::vector<int> right_output;  // right columns emitted (lookup drops keys)
  // kUnion: per child, the output column each child column maps to
  std::vector<std::vector<int>> union_map;
  int with_source_column = -1;
  std::vector<std::string> union_names;
  // kMvExpand: expanded expressions, target columns (-1: appended), cast types
  std::vector<BExprPtr> expand_exprs;
  std::vector<int> expand_targets;
  std::vector<std::optional<Type>> expand_types;
  bool expand_bag_as_array = false;
  bool expand_item_index = false;
  std::int64_t expand_limit = INT64_MAX;
  // kMakeSeries
  BExprPtr axis;
  Value series_from, series_to, series_step;
  std::vector<Value> series_defaults;
  bool series_nonempty = false;
  // kTopNested: per level: count (-1 all), the grouping expr, the aggregate, others value
  struct NestedLevel {
    std::int64_t count = -1;
    BExprPtr of;
    AggSpec agg;
    std::optional<Value> others;
    bool descending = true;
  };
  std::vector<NestedLevel> nested;
  // kMvApply: the sub-plan reads a kValues node that the executor fills per row
  PlanPtr subplan;
  std::shared_ptr<Batch> apply_input;
  std::vector<int> apply_keep;  // input columns kept beside the sub-query output
};

std::string explain_plan(const PlanNode& root);

}  // namespace flowlens::query
