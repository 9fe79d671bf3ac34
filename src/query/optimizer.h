// Plan rewrites that never change results:
//  - `sort | take N` becomes a top-N node (a bounded heap instead of a full sort);
//  - filters move below projections that only pass their columns through;
//  - predicates on a table's time column become the scan's time range, so zone maps skip
//    whole row groups (FlowTuples) and intervals (rollup tables);
//  - each scan decodes only the columns something above it reads.
#pragma once

#include "query/plan.h"

namespace flowlens::query {

PlanPtr optimize(PlanPtr root);

}  // namespace flowlens::query
