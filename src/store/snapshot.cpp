#include "store/snapshot.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "store/data_dir.h"

namespace flowlens::store {

Snapshot Snapshot::take(DataDir& dir) {
  constexpr int kAttempts = 20;
  std::string last_error;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Snapshot s;
    Catalog& catalog = dir.catalog();
    Catalog::Transaction read(catalog, false);
    auto interval = catalog.meta("interval_minutes");
    auto retention = catalog.meta("retention_days");
    s.interval_ = (interval ? std::atoll(interval->c_str()) : 10) * kTicksPerMinute;
    s.retention_days_ = retention ? std::atoi(retention->c_str()) : 0;
    s.nic_addresses_ = catalog.nic_addresses();
    s.sources_ = catalog.sources();
    bool vanished = false;
    for (const SegmentRecord& record : catalog.segments()) {
      std::string error;
      std::string path = dir.segment_path(record.file);
      std::unique_ptr<SegmentReader> reader = SegmentReader::open(path, error);
      if (!reader) {
        if (!std::filesystem::exists(path)) {
          vanished = true;
          last_error = error;
          break;
        }
        throw StoreError(fmt::format("{} (the catalog lists it; the file is damaged)", error));
      }
      s.segments_.push_back({record, std::move(reader)});
    }
    if (!vanished) return s;
  }
  throw StoreError(fmt::format("segments keep disappearing while reading: {}", last_error));
}

std::vector<OpenSegment> Snapshot::segments(TableId table) const {
  std::vector<OpenSegment> out;
  for (const OpenSegment& s : segments_) {
    if (s.record.table == table) out.push_back(s);
  }
  return out;
}

Ticks Snapshot::retention_cutoff(Ticks now) const {
  if (retention_days_ <= 0) return kMinTicks;
  return now - static_cast<Ticks>(retention_days_) * kTicksPerDay;
}

}  // namespace flowlens::store
