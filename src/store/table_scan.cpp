#include "store/table_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

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
      if (options.need_extra && !options.extra_columns.empty() && options.need_extra(batch)) {
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
          if (c >= options.extra_columns.size() || !options.extra_columns[c]) continue;
          if (batch.columns[c].size() == info.rows) continue;  // already decoded
          std::string error;
          if (!reader.read(g, static_cast<std::size_t>(source_column[c]), batch.columns[c],
                           error)) {
            throw StoreError(error);
          }
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
  std::optional<IpFilter> wanted;
  if (options.ip_filter_set) wanted = IpFilter(options.ip_filter);
  // Only the columns the derivation reads are merged (the merge decodes the keys anyway), in
  // no particular order: the derivation sorts each interval's addresses itself.
  const TableDef& na = net_analytics_table();
  std::vector<bool> columns(na.columns.size(), false);
  for (std::string_view name :
       {"TimeGenerated", "FlowIntervalStartTime", "FlowIntervalEndTime", "FlowType", "SrcPublicIps",
        "DestPublicIps", "Country", "AzureRegion"})
    columns[static_cast<std::size_t>(na.column_index(name))] = true;
  merge_rollup(
      snapshot.segments(TableId::kNTANetAnalytics), na, options.from, options.to, analytics,
      [&] {
        derive_ip_details(analytics.batch(), details, &options.ip_details,
                          wanted ? &*wanted : nullptr);
        analytics.clear();
        if (details.rows() >= kBatchRows) {
          sink(details.batch());
          details.clear();
        }
      },
      nullptr, columns, false);
  if (details.rows() > 0) sink(details.batch());
}

}  // namespace

void scan_table(const Snapshot& snapshot, const TableDef& table, const ScanOptions& options,
                const std::function<void(RowBatch&)>& sink) {
  if (options.shard > 0 && ((table.rollup && !options.raw_partials) || table.derived)) {
    return;  // shard 0 reads it all
  }
  if (table.id == TableId::kNTAIpDetails) {
    scan_ip_details(snapshot, options, sink);
    return;
  }
  if (!table.rollup || options.raw_partials) {
    scan_plain(snapshot, table, options, sink);
    return;
  }
  // Row groups whose time span meets no other segment's hold final rows: within one segment
  // every key is unique (a commit's rollup, or a compaction's merge), and partials of one key
  // share their interval, so they can only meet in overlapping row groups. Those are read like
  // a plain table (projected columns only); the rest go through the merge.
  std::vector<OpenSegment> segments = snapshot.segments(table.id);
  struct Span {
    std::size_t segment;
    std::size_t group;
    Ticks min_time;
    Ticks max_time;
    bool has_time;
  };
  std::vector<Span> spans;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const auto& groups = segments[s].reader->row_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const RowGroupInfo& info = groups[g];
      if (info.rows == 0) continue;
      if (info.has_time && (info.max_time < options.from || info.min_time >= options.to)) continue;
      spans.push_back({s, g, info.min_time, info.max_time, info.has_time});
    }
  }
  std::set<std::pair<const SegmentReader*, std::size_t>> shared;
  for (std::size_t a = 0; a < spans.size(); ++a) {
    for (std::size_t b = a + 1; b < spans.size(); ++b) {
      const Span& x = spans[a];
      const Span& y = spans[b];
      if (x.segment == y.segment) continue;
      bool overlap =
          !x.has_time || !y.has_time || (x.min_time <= y.max_time && y.min_time <= x.max_time);
      if (overlap) {
        shared.emplace(segments[x.segment].reader.get(), x.group);
        shared.emplace(segments[y.segment].reader.get(), y.group);
      }
    }
  }
  RowBatch batch;
  batch.table = &table;
  batch.columns.resize(table.columns.size());
  auto time_column = static_cast<std::size_t>(table.time_index());
  for (const Span& span : spans) {
    const SegmentReader& reader = *segments[span.segment].reader;
    if (shared.count({&reader, span.group})) continue;
    if (options.row_groups_total != nullptr) ++*options.row_groups_total;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      ColumnData& d = batch.columns[c];
      if (!options.projection.empty() && !options.projection[c] && c != time_column) {
        d.clear();
        d.type = table.columns[c].type;
        continue;
      }
      int at = reader.column_index(table.columns[c].name);
      std::string error;
      if (at < 0) {
        throw StoreError(fmt::format("{}: segment lacks column {}",
                                     segments[span.segment].record.file, table.columns[c].name));
      }
      if (!reader.read(span.group, static_cast<std::size_t>(at), d, error)) throw StoreError(error);
    }
    batch.rows.clear();
    const ColumnData& t = batch.columns[time_column];
    for (std::uint32_t r = 0; r < t.size(); ++r) {
      if (!t.is_null(r) && t.ints[r] >= options.from && t.ints[r] < options.to)
        batch.rows.push_back(r);
    }
    if (!batch.rows.empty()) sink(batch);
  }
  if (shared.empty()) return;
  RowBatchBuilder builder(table);
  merge_rollup(
      segments, table, options.from, options.to, builder,
      [&] {
        if (builder.rows() >= kBatchRows) {
          sink(builder.batch());
          builder.clear();
        }
      },
      [&](const OpenSegment& segment, std::size_t group) {
        return shared.count({segment.reader.get(), group}) > 0;
      },
      options.projection, options.key_order);
  if (builder.rows() > 0) sink(builder.batch());
}

}  // namespace flowlens::store
