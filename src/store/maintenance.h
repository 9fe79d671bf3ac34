// Keeping a data directory small: retention by age and compaction of small segments. Both run
// after an ingest and from `flowlens compact`; both replace catalog rows in one transaction
// and delete the files they made obsolete only after it commits, so readers and crashes at any
// point see either the old or the new state.
#pragma once

#include <cstdint>

#include "store/data_dir.h"

namespace flowlens::store {

// Removes the segments whose rows are all older than the retention period at `now` (nothing
// when retention is 0, "forever"). Rows older than the cutoff in segments that also hold newer
// rows are hidden by readers and dropped by the next compaction. Returns segments removed.
std::size_t apply_retention(DataDir& dir, Ticks now);

struct CompactionOptions {
  std::uint64_t small_bytes = 4u << 20;   // a segment smaller than this on disk is small
  std::size_t min_segments = 8;           // compact a table once it has this many small ones
  std::uint64_t target_rows = 8'000'000;  // rows per output segment (plain tables)
  Ticks now = 0;                          // for the retention cutoff; 0: the clock
};

struct CompactionResult {
  std::size_t segments_in = 0;
  std::size_t segments_out = 0;
  std::uint64_t rows_in = 0;
  std::uint64_t rows_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

// Rewrites each table's small segments as few large ones: plain tables are concatenated,
// rollup tables merged (their partial rows combined by key, which also makes them smaller).
CompactionResult compact(DataDir& dir, const CompactionOptions& options);

}  // namespace flowlens::store
