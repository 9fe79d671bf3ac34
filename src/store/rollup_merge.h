// Merging the partial rows of a rollup table (NTANetAnalytics, NTAIpDetails).
//
// Every commit stores the rollup of its own tuples as partial rows; rows with equal key columns
// (TableDef Merge::kKey) are one logical row, combined column by column by their Merge role:
// counters add up, first/last times take the min/max, source-port and encryption sets unite, and
// the SrcPublicIps/DestPublicIps lists merge entry by entry, adding the counters of an address
// that appears in several partials. The result does not depend on how tuples were split across
// commits, which is what lets late data and resumed blobs count exactly once.
//
// Readers and compaction merge one interval at a time: every key holds its interval
// (FlowIntervalStartTime, the table's time column), so the memory needed is that of the
// partials of a single interval, whatever the size of the table.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/flat_index.h"
#include "store/row_batch.h"
#include "store/snapshot.h"
#include "store/table_schema.h"

namespace flowlens::store {

// The decoded columns of one row group, kept alive while its rows are being merged.
struct DecodedRowGroup {
  std::vector<ColumnData> columns;
};

class RollupMerger {
 public:
  explicit RollupMerger(const TableDef& table);

  // Adds one partial row. `group` must stay alive until emit().
  void add(const DecodedRowGroup& group, std::uint32_t row);
  std::size_t size() const { return entries_.size(); }
  // Only these columns are sent (empty: all); the rest are left out of the sink's rows.
  void set_columns(std::vector<bool> wanted) { wanted_ = std::move(wanted); }
  // false: rows leave in the order their keys were first added (deterministic, not sorted).
  void set_ordered(bool ordered) { ordered_ = ordered; }
  // Sends the merged rows to `sink`, ordered by key, and forgets them.
  void emit(RowSink& sink);

 private:
  struct Ref {
    const DecodedRowGroup* group;
    std::uint32_t row;
    std::uint32_t next;  // next partial of the same entry, or kNone
  };
  struct Entry {
    std::uint32_t first;
    std::uint32_t last;
  };
  static constexpr std::uint32_t kNone = 0xffffffff;
  std::uint64_t hash_key(const DecodedRowGroup& g, std::uint32_t row) const;
  bool same_key(const Ref& a, const DecodedRowGroup& g, std::uint32_t row) const;
  int compare_keys(const Ref& a, const Ref& b) const;
  void emit_entry(const Entry& e, RowSink& sink);

  const TableDef& table_;
  std::vector<bool> wanted_;
  bool ordered_ = true;
  std::vector<std::size_t> key_columns_;
  std::vector<Ref> refs_;
  std::vector<Entry> entries_;
  FlatIndex index_;
  std::vector<const Ref*> parts_;
  std::string scratch_;
};

// Merges the rows of `segments` (all of one rollup table) whose time lies in [from, to),
// interval by interval in ascending time, sending merged rows to `sink`. `after_interval` runs
// after each interval's rows were sent (a place to hand on a batch). Throws StoreError when a
// block is corrupt.
// `include` (optional) limits the merge to some row groups (segment, row group index).
using RowGroupFilter = std::function<bool(const OpenSegment& segment, std::size_t row_group)>;
void merge_rollup(const std::vector<OpenSegment>& segments, const TableDef& table, Ticks from,
                  Ticks to, RowSink& sink, const std::function<void()>& after_interval,
                  const RowGroupFilter& include = nullptr, const std::vector<bool>& columns = {},
                  bool ordered = true);

// Set merges, exposed for tests: "|"-joined ports, ", "-joined words, public-IP lists.
std::string merge_port_sets(const std::vector<std::string_view>& values);
std::string merge_word_sets(const std::vector<std::string_view>& values);
std::string merge_public_ip_lists(const std::vector<std::string_view>& values);

}  // namespace flowlens::store
