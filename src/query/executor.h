// The executor: runs a plan, pushing column batches from the sources up through streaming
// operators (where, project/extend) into blocking ones (summarize, sort, top, join, ...).
// Scans stop early when a `take` above them has what it needs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "query/column.h"
#include "query/plan.h"
#include "query/table_reader.h"

namespace flowlens::query {

struct ExecContext {
  const TableReader* reader = nullptr;  // null: no data directory
  EvalContext eval;
  std::size_t memory_limit = 0;  // bytes; 0: none
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::chrono::milliseconds timeout{0};
  const std::atomic<bool>* cancel = nullptr;
  int threads = 1;  // scans under summarize/count/top split across this many threads
  std::size_t shard = 0, shards = 1;  // this runner's part of every plain-table scan
  // Throws QueryError when the deadline passed or the query was cancelled.
  void check() const;
  // Throws QueryError when `bytes` of intermediate data exceed the memory limit.
  void check_memory(std::size_t bytes, const char* where) const;
};

using BatchSink = std::function<void(Batch&&)>;

void run_plan(const PlanNode& node, ExecContext& ctx, const BatchSink& sink);
Batch collect(const PlanNode& node, ExecContext& ctx);

}  // namespace flowlens::query
