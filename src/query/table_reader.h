// TableReader: reads a stored table the way every reader must see it (export and the query
// engine share it):
//  - rows older than the retention cutoff are hidden (until maintenance deletes them);
//  - FlowType "Private" in FlowTuples/NTANetAnalytics is resolved against the topology
//    (IntraVNet, InterVNet, UnknownPrivate; aggregate/flow_type.h);
//  - NTAIpDetails gets its enrichment columns from the stored enrichment inputs;
//  - NTATopologyDetails is derived from the stored topology snapshots.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "aggregate/flow_type.h"
#include "common/timestamp.h"
#include "enrich/enricher.h"
#include "query/types.h"
#include "store/data_dir.h"
#include "store/snapshot.h"
#include "store/table_scan.h"

namespace flowlens::query {

// The query type of a stored column type (the store keeps KQL's types).
Type query_type(store::ColumnType t);

class TableReader {
 public:
  TableReader(const store::DataDir& dir, const store::Snapshot& snapshot, Ticks now);

  // Widens a projection (empty: all columns) by the columns the read-time rules need.
  // Merged rollup scans get the FlowType resolver's inputs here; plain scans (and rollup
  // partials) decode them only in row groups that need resolving (see scan()).
  std::vector<bool> required_columns(const store::TableDef& table, std::vector<bool> projection,
                                     bool raw_partials = false) const;
  // Loads what reading `table` needs (the FlowType resolver) so that several threads may then
  // scan shards of it at once (options.shard/shards); scan() is otherwise not thread-safe.
  void prepare(const store::TableDef& table) const;
  // Calls `sink` with consecutive batches. Throws StoreError when a segment is damaged.
  void scan(const store::TableDef& table, store::ScanOptions options,
            const std::function<void(store::RowBatch&)>& sink) const;

 private:
  const store::DataDir& dir_;
  const store::Snapshot& snapshot_;
  Ticks now_;
  mutable std::optional<aggregate::FlowTypeResolver> resolver_;
  mutable std::shared_ptr<const enrich::Enricher> enricher_;
  mutable bool enricher_loaded_ = false;
};

}  // namespace flowlens::query
