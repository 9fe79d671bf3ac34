// Reading a table from a snapshot: the one way export, status and the query engine get rows.
//
// Plain tables (FlowTuples, IngestErrors) are read segment by segment in commit order, row
// group by row group, skipping row groups whose zone map lies outside the time range. Rollup
// tables are merged (see rollup_merge.h) and come out interval by interval, ordered by key.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "store/ip_details.h"
#include "store/row_batch.h"
#include "store/snapshot.h"
#include "store/table_schema.h"

namespace flowlens::store {

struct ScanOptions {
  Ticks from = kMinTicks;  // rows whose time column is in [from, to)
  Ticks to = kMaxTicks;
  // The columns to decode (empty: all); rollup row groups that need merging read them all.
  std::vector<bool> projection;
  // NTAIpDetails: fills PublicIpDetails and the threat columns (none: left empty).
  IpDetailsLookup ip_details;
  // NTAIpDetails: when set, rows are derived (and looked up) only for these addresses; the
  // rows of other addresses may or may not be produced.
  bool ip_filter_set = false;
  std::vector<std::string> ip_filter;
  // Plain tables: incremented per row group considered / skipped by its zone map (the query
  // engine's --explain counters). May be null.
  std::uint64_t* row_groups_total = nullptr;
  std::uint64_t* row_groups_pruned = nullptr;
  // Plain tables: read only the `shard`-th of `shards` contiguous ranges of row groups (in
  // commit order), so several readers can split one scan. Other tables: shard 0 reads all.
  // Rollup tables: merged rows ordered by key within each interval (export, compaction);
  // false leaves them in first-seen order, which is cheaper (the query engine).
  bool key_order = true;
  // Rollup tables: hand over the stored partial rows without merging them. Only correct for
  // readers that combine rows the way the merge would (sums of counters grouped by keys).
  bool raw_partials = false;
  // Plain scans: columns decoded for a row group only when `need_extra` says so after the
  // projected ones were read (FlowType resolution needs four more columns, but only for row
  // groups that hold an unresolved "Private" FlowType).
  std::vector<bool> extra_columns;
  std::function<bool(const RowBatch&)> need_extra;
  std::size_t shard = 0;
  std::size_t shards = 1;
};

// Calls `sink` with consecutive batches. Throws StoreError when a segment is damaged.
void scan_table(const Snapshot& snapshot, const TableDef& table, const ScanOptions& options,
                const std::function<void(RowBatch&)>& sink);

}  // namespace flowlens::store
