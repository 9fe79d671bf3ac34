#include "store/table_scan.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/ip_details.h"
#include "store/rollup_merge.h"

namespace flowlens::store {
namespace {

constexpr std::size_t kBatchRows = 16384;

void scan_plain(const Snapshot& snapshot, const TableDef& table, const ScanOptions& options,
                const std::function<void(RowBatch&)>& sink) {
  RowBatch batch;
  batch.table = &table;
  batch.columns.resize(table.columns.size());
  auto time_column = static_cast<std::size_t>(table.time_index());
  std::vector<OpenSegment> segments = snapshot.segments(table.id);
  // This reader's share of the non-empty row groups: [first, last) in commit order.
  std::size_t total = 0;
  for (const OpenSegment& segment : segments) {
    for (const RowGroupInfo& info : segment.reader->row_groups())
      total += info.rows > 0;
  }
  std::size_t shards = std::max<std::size_t>(1, options.shards);
  std::size_t first = total * options.shard / shards;
  std::size_t last = total * (options.shard + 1) / shards;
  std::size_t ordinal = 0;
  for (const OpenSegment& segment : segments) {
    const SegmentReader& reader = *segment.reader;
    std::vector<int> source_column(table.columns.size());
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      source_column[c] = reader.column_index(table.columns[c].name);
      if (source_column[c] < 0) {
        throw StoreError(
            fmt::format("{}: segment lacks column {}", segment.record.file, table.columns[c].name));
      }
    }
    const auto& groups = reader.row_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const RowGroupInfo& info = groups[g];
      if (info.rows == 0) continue;
      std::size_t mine = ordinal++;
      if (mine < first || mine >= last) continue;
      if (options.row_groups_total != nullptr) ++*options.row_groups_total;
      if (info.has_time && (info.max_time < options.from || info.min_time >= options.to)) {
        if (options.row_groups_pruned != nullptr) ++*options.row_groups_pruned;
        continue;
      }
      bool whole = info.has_time && info.min_time >= options.from && info.max_time < options.to;
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        bool wanted =
            options.projection.empty() || options.projection[c] || (c == time_column && !whole);
        ColumnData& d = batch.columns[c];
        if (!wanted) {
          d.clear();
          d.type = table.columns[c].type;
          continue;
        }
        std::string error;
        if (!reader.read(g, static_cast<std::size_t>(source_column[c]), d, error)) {
          throw StoreError(error);
        }
      }
      batch.rows.clear();
      const ColumnData& t = batch.columns[time_column];
      for (std::uint32_t r = 0; r < info.rows; ++r) {
        if (whole || (!t.is_null(r) && t.ints[r] >= options.from && t.ints[r] < options.to)) {
          batch.rows.push_back(r);
        }
      }
      if (!batch.rows.empty()) sink(batch);
    }
  }
}

void scan_ip_details(const Snapshot& snapshot, const ScanOptions& options,
                     const std::function<void(RowBatch&)>& sink) {
  RowBatchBuilder analytics(net_analytics_table());
  RowBatchBuilder details(ip_details_table());
  merge_rollup(snapshot.segments(TableId::kNTANetAnalytics), net_analytics_table(), options.from,
               options.to, analytics, [&] {
                 derive_ip_details(analytics.batch(), details, &options.ip_details);
                 analytics.clear();
                 if (details.rows() >= kBatchRows) {
                   sink(details.batch());
                   details.clear();
                 }
               });
  if (details.rows() > 0) sink(details.batch());
}

}  // namespace

void scan_table(const Snapshot& snapshot, const TableDef& table, const ScanOptions& options,
                const std::function<void(RowBatch&)>& sink) {
  if (options.shard > 0 && (table.rollup || table.derived)) return;  // shard 0 reads it all
  if (table.id == TableId::kNTAIpDetails) {
    scan_ip_details(snapshot, options, sink);
    return;
  }
  if (!table.rollup) {
    scan_plain(snapshot, table, options, sink);
    return;
  }
  RowBatchBuilder builder(table);
  merge_rollup(snapshot.segments(table.id), table, options.from, options.to, builder, [&] {
    if (builder.rows() >= kBatchRows) {
      sink(builder.batch());
      builder.clear();
    }
  });
  if (builder.rows() > 0) sink(builder.batch());
}

}  // namespace flowlens::store
