// The tables flowlens stores (design §3), defined once: names, KQL types, storage encodings,
// the time column used for pruning and retention, and, for the rollup tables, how two partial
// rows with the same key merge. Export, status and the query engine all read these definitions.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "store/column.h"
#include "store/segment.h"

namespace flowlens::store {

// How a column of a rollup table combines when two partial rows share a key.
enum class Merge : std::uint8_t {
  kKey,        // part of the key
  kSum,        // counters
  kMin,        // FlowStartTime
  kMax,        // FlowEndTime, TimeGenerated, TimeProcessed
  kWordSet,    // ", "-joined ascending distinct words (FlowEncryption when tuples disagree)
  kPortSet,    // "|"-joined ascending distinct ports (SrcPorts)
  kPublicIps,  // space-joined "ip|started|ended|pkts|pkts|bytes|bytes" entries, merged by ip
  kAny,        // functionally dependent on the key: any partial's value
};

struct ColumnDef {
  std::string_view name;
  ColumnType type;
  StringKind kind = StringKind::kText;
  bool delta = false;
  Merge merge = Merge::kAny;
};

enum class TableId : std::uint16_t {
  kFlowTuples = 1,
  kNTANetAnalytics = 2,
  kNTAIpDetails = 3,
  kIngestErrors = 4,
  kNTATopologyDetails = 5,
};

struct TableDef {
  TableId id;
  std::string_view name;
  std::vector<ColumnDef> columns;
  std::string_view time_column;        // pruning, retention, export --from/--to
  bool rollup = false;                 // rows are partials that merge by key
  bool derived = false;                // not stored: computed when read
  std::string_view derived_from = {};  // what it is computed from (status shows it)

  int column_index(std::string_view column) const;
  int time_index() const { return column_index(time_column); }
  std::vector<ColumnSpec> specs() const;
};

// A writer for a new segment of `table`, with the table's columns and zone-map column.
std::unique_ptr<SegmentWriter> new_segment_writer(const TableDef& table);

const TableDef& flow_tuples_table();
const TableDef& net_analytics_table();
const TableDef& ip_details_table();
const TableDef& ingest_errors_table();
const TableDef& topology_details_table();
const std::vector<const TableDef*>& all_tables();
// Exact, case-sensitive lookup (KQL table names are case-sensitive). nullptr when unknown.
const TableDef* find_table(std::string_view name);
const TableDef* find_table(TableId id);

}  // namespace flowlens::store
