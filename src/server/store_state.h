// What the server needs to know about the store on every panel request, from one read of the
// catalog (no segment file is opened): a fingerprint that changes with every commit a query
// could see, and the time range of the stored rollup.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/timestamp.h"

namespace flowlens::server {

struct StoreState {
  // Changes whenever segments are added or removed (ingest, compaction, retention), the
  // retention setting changes, or the enrichment inputs are replaced.
  std::string fingerprint;
  // NTANetAnalytics: the start of its first interval and the end of its newest one; unset
  // when nothing is stored. The dashboard's default window ends at `rollup_end`.
  std::optional<Ticks> rollup_start, rollup_end;
  Ticks interval = 10 * kTicksPerMinute;  // the rollup interval of the data directory
};

// Throws what DataDir::open throws (no such directory, not a data directory).
StoreState read_store_state(const std::filesystem::path& data_dir);

}  // namespace flowlens::server
