// Vectorized evaluation of bound scalar expressions over a batch.
//
// Operators on int64/real columns run as tight loops; string predicates against constants run
// once per dictionary entry and are mapped through the codes; any expression whose only input
// is one dictionary-coded string column is likewise evaluated once per distinct value. Other
// function calls run row by row through the registry (function_registry.h).
#pragma once

#include <cstdint>
#include <vector>

#include "query/column.h"
#include "query/plan.h"

namespace flowlens::query {

Column evaluate(const BExpr& e, const Batch& batch, const EvalContext& context);

// Rows (indexes) where a bool expression is exactly true.
std::vector<std::uint32_t> select_true(const BExpr& predicate, const Batch& batch,
                                       const EvalContext& context);

// Evaluates a constant expression (no column references).
Value evaluate_constant(const BExpr& e, const EvalContext& context);

// KQL's non-negative modulo and truncating division helpers (§2.2), shared with tests.
std::int64_t kql_mod(std::int64_t a, std::int64_t b);

}  // namespace flowlens::query
