// Appends parsed tuples to a FlowTuples segment, column by column.
//
// Values shared by a flow group (record time, MAC, ACL id, rule, resource ids, source) are
// looked up in the row group's dictionaries once per group, and the few distinct protocol,
// direction, state, status and encryption names once per row group, so the per-tuple work is
// little more than copying numbers and interning the two addresses.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "aggregate/rollup.h"
#include "flowlog/flow_batch.h"
#include "store/segment.h"

namespace flowlens::ingest {

// One appender per thread: ingest workers each encode the tuples of their chunks, and the
// committing thread only concatenates the fragments.
class FlowTuplesAppender {
 public:
  FlowTuplesAppender();

  // Appends the tuples of `batch` whose record time is after `skip_through`, with `source` as
  // their Source. Returns how many it appended.
  // `enrichment` (from RollupBuilder::add on the same batch) fills FlowType, the countries and
  // the ASNs; without it they are empty.
  std::uint64_t add(const FlowBatch& batch, std::string_view source, Ticks skip_through,
                    const aggregate::TupleEnrichment* enrichment = nullptr);

  // Hands over the row groups built so far, encoded and compressed, and starts over.
  store::SegmentFragment take_fragment();

 private:
  std::unique_ptr<store::SegmentWriter> writer_;
  // Dictionary codes valid in the row group being filled (all ones: not interned there yet):
  // five per flow group of the current batch (MAC, ACL id, rule, target, flow log), and per
  // value of protocol, direction, state, status and encryption id.
  std::vector<std::uint32_t> group_codes_;
  std::uint32_t small_codes_[6][256];
  // Codes of the countries (by the rollup builder's string id) in the current row group.
  static constexpr std::uint32_t kCountryCodeSlots = 4096;
  std::uint32_t src_country_codes_[kCountryCodeSlots];
  std::uint32_t dest_country_codes_[kCountryCodeSlots];
  void reset_country_codes();
  void add_country(store::ColumnBuilder& column, std::uint32_t* codes, std::uint32_t id,
                   const aggregate::TupleEnrichment& enrichment);
};

}  // namespace flowlens::ingest
