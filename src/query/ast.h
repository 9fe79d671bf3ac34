// The KQL syntax tree the parser produces and the binder consumes.
//
// Scalar and tabular expressions share one node type (Expr): in KQL the same text can be either
// (`let x = T;` binds a table or a scalar depending on what T is), so the parser records what
// it read and the binder decides. Pipelines are Expr nodes of kind kPipe: a source expression
// followed by tabular operators. Every node keeps the byte offset and length of its text for
// error messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/dynamic.h"
#include "query/types.h"
#include "query/value.h"

namespace flowlens::query {

struct Expr;
struct Operator;
using ExprPtr = std::shared_ptr<Expr>;

struct SourceSpan {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// `Name = expr`, `(A, B) = expr` or a bare `expr`.
struct NamedExpr {
  std::vector<std::string> names;  // empty: unnamed
  std::vector<SourceSpan> name_spans;
  ExprPtr expr;
};

struct SortKey {
  ExprPtr expr;
  bool descending = true;           // KQL's default for sort and top
  std::optional<bool> nulls_first;  // default follows the direction
};

struct Parameter {  // a user function's parameter
  std::string name;
  SourceSpan span;
  bool tabular = false;
  std::optional<Type> type;                                   // scalar parameters
  std::vector<std::pair<std::string, Type>> tabular_columns;  // T:(a:long, ...)
  bool any_schema = false;                                    // T:(*)
  ExprPtr default_value;
};

struct FunctionDef {  // `(params) { lets; body }`
  std::vector<Parameter> parameters;
  std::vector<std::shared_ptr<struct Statement>> body_lets;
  ExprPtr body;
  bool is_view = false;
};

enum class ExprKind : std::uint8_t {
  kLiteral,       // value
  kDateTimeText,  // datetime(...)/todatetime literal text, converted by the binder
  kTimeSpanText,  // timespan(...) literal text
  kName,          // name (a column, a let binding, a table)
  kDollarSide,    // $left.name / $right.name: name = "left"/"right", member in `text`
  kMember,        // args[0].text
  kIndex,         // args[0][args[1]]
  kCall,          // name(args...), with named arguments in `arg_names`
  kBinary,        // args[0] op args[1]
  kUnary,         // op args[0]  (- or +)
  kIn,            // args[0] op (args[1..])  op: in, !in, in~, !in~, has_any, has_all
  kBetween,       // args[0] between (args[1] .. args[2]); op "between" or "!between"
  kTypeOf,        // typeof(T): value_type
  kStar,          // * (arg_max(x, *), take_any(*), distinct *)
  kPipe,          // args[0] is the source; `ops` the tabular operators
  kDataTable,     // datatable(columns)[values]
  kPrint,         // print items
  kRange,         // range name from a to b step c (args: from, to, step)
  kUnion,         // union legs (as a source)
  kFunction,      // a lambda (let f = (a:long) { ... }) — only as a let value
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  SourceSpan span;
  std::string text;  // kName, kMember, kCall (function name), kBinary/kUnary/kIn (operator)
  Value value;       // kLiteral
  Type value_type = Type::kLong;  // kTypeOf
  std::vector<ExprPtr> args;
  std::vector<std::string> arg_names;  // kCall: "" for positional arguments
  bool parenthesized = false;          // written in (...) (naming rules, `in` lists)
  // kPipe
  std::vector<std::shared_ptr<Operator>> ops;
  // kDataTable: column definitions and literal cells (row-major)
  std::vector<std::pair<std::string, Type>> columns;
  // kPrint: items; kRange: the column name in `text`
  std::vector<NamedExpr> items;
  // kUnion
  std::shared_ptr<Operator> union_op;
  // kFunction
  std::shared_ptr<FunctionDef> function;
};

enum class OpKind : std::uint8_t {
  kWhere,
  kProject,
  kProjectAway,
  kProjectKeep,
  kProjectRename,
  kProjectReorder,
  kExtend,
  kSummarize,
  kDistinct,
  kCount,
  kTop,
  kTopNested,
  kSort,
  kTake,
  kJoin,
  kLookup,
  kUnion,
  kMvExpand,
  kMakeSeries,
  kRender,
  kGetSchema,
  kAs,
  kSerialize,
  kInvoke,
  kMvApply,
  kSample,
};

struct TopNestedClause {
  std::optional<ExprPtr> count;  // N (absent: all)
  NamedExpr of;
  std::optional<ExprPtr> others;  // with others = value
  NamedExpr aggregate;
  bool descending = true;
};

struct MvExpandItem {
  NamedExpr item;
  std::optional<Type> to_type;
};

struct Operator {
  OpKind kind = OpKind::kWhere;
  SourceSpan span;               // the operator keyword
  ExprPtr predicate;             // where; take/top/sample count
  std::vector<NamedExpr> items;  // project, extend, summarize aggregates, make-series aggregates
  std::vector<NamedExpr> by;     // summarize/make-series by; distinct columns
  std::vector<std::pair<std::string, SourceSpan>> patterns;  // project-away/keep/reorder
  std::vector<std::pair<NamedExpr, std::string>> renames;    // project-rename: new = old
  std::vector<SortKey> sort_keys;                            // sort, top
  std::vector<TopNestedClause> nested;
  std::string name;  // count as; as; render kind; join/lookup/union kind; mv-expand kind
  std::vector<std::pair<std::string, std::string>> properties;  // render with (...)
  // join / lookup
  ExprPtr right;
  std::vector<ExprPtr> conditions;  // kName (same column) or kBinary $left.a == $right.b
  // union
  std::vector<ExprPtr> legs;
  std::string with_source;
  bool is_fuzzy = false;
  // mv-expand / mv-apply
  std::vector<MvExpandItem> expand;
  std::optional<std::string> item_index;
  std::optional<ExprPtr> limit;
  ExprPtr subquery;  // mv-apply on (...)
  // make-series
  ExprPtr axis;
  ExprPtr from, to, step;
  std::vector<ExprPtr> defaults;  // per aggregate (nullptr: default 0)
  bool nonempty = false;
  bool star = false;  // distinct *
};

enum class StatementKind : std::uint8_t { kLet, kSet, kQuery };

struct Statement {
  StatementKind kind = StatementKind::kQuery;
  SourceSpan span;
  std::string name;  // let/set name
  ExprPtr value;     // let value (scalar, tabular or kFunction); query expression
  std::string set_value;
};

struct Query {
  std::vector<std::shared_ptr<Statement>> statements;
};

}  // namespace flowlens::query
