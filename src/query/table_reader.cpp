#include "query/table_reader.h"

#include "aggregate/rollup.h"
#include "aggregate/topology_details.h"
#include "enrich/enrichment_store.h"
#include "enrich/topology_file.h"

namespace flowlens::query {

Type query_type(store::ColumnType t) {
  switch (t) {
    case store::ColumnType::kBool:
      return Type::kBool;
    case store::ColumnType::kInt:
      return Type::kInt;
    case store::ColumnType::kLong:
      return Type::kLong;
    case store::ColumnType::kReal:
      return Type::kReal;
    case store::ColumnType::kString:
      return Type::kString;
    case store::ColumnType::kDateTime:
      return Type::kDateTime;
    case store::ColumnType::kTimeSpan:
      return Type::kTimeSpan;
  }
  return Type::kString;
}

TableReader::TableReader(const store::DataDir& dir, const store::Snapshot& snapshot, Ticks now)
    : dir_(dir), snapshot_(snapshot), now_(now) {}

void TableReader::prepare(const store::TableDef& table) const {
  bool resolves =
      table.id == store::TableId::kNTANetAnalytics || table.id == store::TableId::kFlowTuples;
  if (resolves && !resolver_) resolver_.emplace(snapshot_.nic_addresses());
}

std::vector<bool> TableReader::required_columns(const store::TableDef& table,
                                                std::vector<bool> projection,
                                                bool raw_partials) const {
  if (projection.empty()) return projection;
  if (!table.rollup || raw_partials) return projection;  // plain: decoded on demand in scan()
  bool resolves =
      table.id == store::TableId::kNTANetAnalytics || table.id == store::TableId::kFlowTuples;
  int flow_type = table.column_index("FlowType");
  if (resolves && flow_type >= 0 && projection[static_cast<std::size_t>(flow_type)]) {
    for (const char* name : {"SrcIp", "DestIp", "FlowDirection", "TargetResourceId"}) {
      int c = table.column_index(name);
      if (c >= 0) projection[static_cast<std::size_t>(c)] = true;
    }
  }
  return projection;
}

void TableReader::scan(const store::TableDef& table, store::ScanOptions options,
                       const std::function<void(store::RowBatch&)>& sink) const {
  options.from = std::max(options.from, snapshot_.retention_cutoff(now_));
  if (options.from >= options.to) return;
  bool plain = (!table.rollup || options.raw_partials) && !table.derived;
  if (options.shard > 0 && !plain) return;  // only plain tables split between readers
  if (table.id == store::TableId::kNTATopologyDetails) {
    for (const auto& [processed, path] : enrich::topology_snapshots(dir_.path())) {
      if (processed < options.from || processed >= options.to) continue;
      store::RowBatchBuilder rows(table);
      aggregate::append_topology_details(enrich::load_topology_file(path), processed, rows);
      if (rows.rows() > 0) sink(rows.batch());
    }
    return;
  }
  if (table.id == store::TableId::kNTAIpDetails) {
    if (!enricher_loaded_) {
      enrich::EnrichmentSources sources = enrich::stored_sources(dir_.path());
      if (!sources.empty()) enricher_ = enrich::Enricher::load(sources);
      enricher_loaded_ = true;
    }
    if (enricher_) {
      const enrich::Enricher* enricher = enricher_.get();
      options.ip_details = [enricher](const IpAddress& ip, std::string_view flow_type,
                                      std::vector<store::IpDetailsInfo>& rows) {
        enrich::PublicInfo info = enricher->public_info(ip);
        if (flow_type == "MaliciousFlow" && info.threats != nullptr) {
          for (const enrich::ThreatInfo& t : *info.threats) {
            rows.push_back({info.details, t.type, t.description, t.domain, t.url, t.port});
          }
        } else {
          rows.push_back({info.details, "", "", "", "", 0});
        }
      };
    }
  }
  bool resolves =
      table.id == store::TableId::kNTANetAnalytics || table.id == store::TableId::kFlowTuples;
  if (resolves && !resolver_) prepare(table);
  int flow_type = table.column_index("FlowType");
  if (resolves && plain && !options.projection.empty() && flow_type >= 0 &&
      options.projection[static_cast<std::size_t>(flow_type)]) {
    // Resolving "Private" reads four more columns: decode them only for row groups that hold
    // an unresolved FlowType.
    options.extra_columns.assign(table.columns.size(), false);
    for (const char* name : {"SrcIp", "DestIp", "FlowDirection", "TargetResourceId"}) {
      int c = table.column_index(name);
      if (c >= 0 && !options.projection[static_cast<std::size_t>(c)]) {
        options.extra_columns[static_cast<std::size_t>(c)] = true;
      }
    }
    auto type_column = static_cast<std::size_t>(flow_type);
    options.need_extra = [type_column](const store::RowBatch& b) {
      for (std::string_view v : b.columns[type_column].dict) {
        if (v == aggregate::kStoredPrivate) return true;
      }
      return false;
    };
  }
  store::scan_table(snapshot_, table, options, [&](store::RowBatch& batch) {
    if (resolves) resolver_->resolve_batch(batch);
    sink(batch);
  });
}

}  // namespace flowlens::query
