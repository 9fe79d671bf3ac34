// The query engine's front door: text in, result tables out.
//
//   lexer -> parser (AST) -> binder (typed plan against the table schemas) -> optimizer
//   (filter/projection pushdown, time pruning, top-N) -> executor (column batches)
//
// A query is any number of `let`/`set` statements and one or more tabular statements; each
// tabular statement yields one ResultTable. Errors are QueryError (see query_error.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/types.h"
#include "query/value.h"

namespace flowlens::query {

struct QueryOptions {
  std::filesystem::path data_dir;  // the store; empty: only datatable/print/range work
  std::int64_t now = 0;            // now() for the whole query (Unix-epoch ticks)
  std::size_t memory_limit = std::size_t{4} << 30;  // bytes of intermediate results
  std::chrono::milliseconds timeout{0};             // 0: none
  const std::atomic<bool>* cancel = nullptr;        // set to true to stop the query
  std::size_t max_rows = 500000;                    // result truncation (set truncationmaxrecords)
  bool explain = false;                             // fill QueryResult::explain and run
  int threads = 0;                                  // 0: hardware concurrency
};

struct ResultColumn {
  std::string name;
  Type type = Type::kString;
};

struct RenderHint {
  std::string kind;  // empty: no render operator
  std::vector<std::pair<std::string, std::string>> properties;
};

struct ResultTable {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<Value>> rows;
  RenderHint render;
  bool truncated = false;  // more rows existed than max_rows
};

struct QueryResult {
  std::vector<ResultTable> tables;
  std::string explain;                // the plan with pruning counters (options.explain)
  std::vector<std::string> warnings;  // truncation, deprecated forms
};

// Throws QueryError.
QueryResult run_query(std::string_view text, const QueryOptions& options);

}  // namespace flowlens::query
