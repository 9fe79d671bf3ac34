// The binder: resolves names (columns, let bindings, tables, functions) and types against the
// table schemas, checks every operator's rules, names output columns as Kusto does (§4.0), and
// produces a typed plan per tabular statement.
//
// Constant sub-expressions are folded here (now() and ago() included: the whole query sees one
// instant), and `toscalar()` and tabular `in (...)` lists are executed here, so the plans the
// executor receives read only batches.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/engine.h"
#include "query/plan.h"
#include "store/snapshot.h"

namespace flowlens::query {

struct BoundStatement {
  PlanPtr plan;
  RenderHint render;
};

struct BoundQuery {
  std::vector<BoundStatement> statements;
  std::vector<std::pair<std::string, std::string>> settings;  // set statements
};

// Runs a plan to completion (the binder needs it for toscalar() and tabular `in` lists).
using PlanRunner = std::function<Batch(const PlanPtr&)>;

// `snapshot` may be null (no data directory): then only datatable/print/range sources bind.
BoundQuery bind_query(const Query& query, const store::Snapshot* snapshot,
                      const EvalContext& context, const PlanRunner& runner);

}  // namespace flowlens::query
