#include "query/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include "query/binder.h"
#include "query/executor.h"
#include "query/optimizer.h"
#include "query/parser.h"
#include "query/query_error.h"
#include "store/catalog.h"
#include "store/data_dir.h"
#include "store/snapshot.h"

namespace flowlens::query {
namespace {

std::string format_ticks(std::int64_t t) {
  if (t == INT64_MIN || t == INT64_MAX) return "*";
  return format_datetime_iso(t);
}

void explain_node(const PlanNode& n, int depth, std::string& out) {
  std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  std::string line = pad;
  switch (n.kind) {
    case PlanKind::kScan: {
      std::size_t read = n.projection.empty()
                             ? n.schema.size()
                             : static_cast<std::size_t>(
                                   std::count(n.projection.begin(), n.projection.end(), true));
      line +=
          fmt::format("scan {}{} time=[{}, {}) columns={}/{}", n.label,
                      n.raw_partials ? " (partial rows, summed by the aggregate)" : "",
                      format_ticks(n.time_from), format_ticks(n.time_to), read, n.schema.size());
      if (n.ip_filter_set) line += fmt::format(" addresses={}", n.ip_filter.size());
      if (n.stats) {
        line += fmt::format(" row_groups={} pruned={} rows_read={}", n.stats->row_groups.load(),
                            n.stats->row_groups_pruned.load(), n.stats->rows_read.load());
      }
      break;
    }
    case PlanKind::kValues:
      line += fmt::format("values ({}) rows={}", n.label, n.values ? n.values->rows : 0);
      break;
    case PlanKind::kTop:
    case PlanKind::kTake:
      line += fmt::format("{} limit={}", n.label, n.limit);
      break;
    case PlanKind::kAggregate:
      line += fmt::format("{} keys={} aggregates={}", n.label, n.keys.size(), n.aggs.size());
      break;
    default:
      line += n.label;
  }
  std::string columns;
  for (const auto& f : n.schema) {
    if (!columns.empty()) columns += ", ";
    columns += f.name + ":" + std::string(type_name(f.type));
    if (columns.size() > 120) {
      columns += ", ...";
      break;
    }
  }
  out += line + "  -> (" + columns + ")\n";
  for (const auto& c : n.children)
    explain_node(*c, depth + 1, out);
  if (n.subplan) explain_node(*n.subplan, depth + 1, out);
}

}  // namespace

std::string explain_plan(const PlanNode& root) {
  std::string out;
  explain_node(root, 0, out);
  return out;
}

QueryResult run_query(std::string_view text, const QueryOptions& options) {
  Query ast = parse_query(text);
  std::unique_ptr<store::DataDir> dir;
  std::unique_ptr<store::Snapshot> snapshot;
  if (!options.data_dir.empty()) {
    try {
      dir = store::DataDir::open(options.data_dir.string(), store::DataDir::Mode::kRead);
      snapshot = std::make_unique<store::Snapshot>(store::Snapshot::take(*dir));
    } catch (const store::StoreError& e) {
      throw QueryError(ErrorKind::kRuntime,
                       std::string("cannot read the data directory: ") + e.what());
    }
  }
  std::unique_ptr<TableReader> reader;
  if (snapshot) reader = std::make_unique<TableReader>(*dir, *snapshot, options.now);
  ExecContext ctx;
  ctx.reader = reader.get();
  ctx.eval.now = options.now;
  ctx.memory_limit = options.memory_limit;
  ctx.timeout = options.timeout;
  if (options.timeout.count() > 0) {
    ctx.deadline = std::chrono::steady_clock::now() + options.timeout;
  }
  ctx.cancel = options.cancel;
  ctx.threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  PlanRunner runner = [&](const PlanPtr& plan) {
    PlanPtr optimized = optimize(plan);
    return collect(*optimized, ctx);
  };
  BoundQuery bound;
  try {
    bound = bind_query(ast, snapshot.get(), ctx.eval, runner);
  } catch (const store::StoreError& e) {
    throw QueryError(ErrorKind::kRuntime, std::string("store error: ") + e.what());
  }
  QueryResult result;
  std::size_t max_rows = options.max_rows;
  for (const auto& [name, value] : bound.settings) {
    if (name == "notruncation") {
      max_rows = SIZE_MAX;
    } else if (name == "truncationmaxrecords") {
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
        throw QueryError(ErrorKind::kSemantic,
                         "set truncationmaxrecords needs a row count, not '" + value + "'");
      }
      max_rows = static_cast<std::size_t>(n);
    } else if (name != "truncationmaxsize" && name != "query_now") {
      result.warnings.push_back("ignored unknown setting '" + name + "'");
    }
  }
  for (std::size_t s = 0; s < bound.statements.size(); ++s) {
    const BoundStatement& st = bound.statements[s];
    PlanPtr plan = optimize(st.plan);
    Batch batch;
    try {
      batch = collect(*plan, ctx);
    } catch (const store::StoreError& e) {
      throw QueryError(ErrorKind::kRuntime, std::string("store error: ") + e.what());
    }
    ResultTable table;
    for (const auto& f : plan->schema)
      table.columns.push_back({f.name, f.type});
    table.render = st.render;
    std::size_t rows = batch.rows;
    if (rows > max_rows) {
      table.truncated = true;
      result.warnings.push_back(fmt::format(
          "result {} truncated to {} of {} rows (set truncationmaxrecords=N; or set notruncation;)",
          s + 1, max_rows, rows));
      rows = max_rows;
    }
    table.rows.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      auto& row = table.rows[r];
      row.reserve(batch.columns.size());
      for (const auto& c : batch.columns)
        row.push_back(c.value_at(r));
    }
    if (options.explain) {
      if (bound.statements.size() > 1) result.explain += fmt::format("statement {}:\n", s + 1);
      result.explain += explain_plan(*plan);
    }
    result.tables.push_back(std::move(table));
  }
  return result;
}

}  // namespace flowlens::query
