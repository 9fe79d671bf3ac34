// Snapshot: a consistent view of a data directory for one reader.
//
// Taking a snapshot reads the catalog in one read transaction and opens every segment file it
// lists. Open files stay readable even if a writer later replaces them (compaction, retention)
// and deletes them, so a reader sees exactly the data of one committed state, however long it
// reads. If a listed file vanished between the catalog read and the open (a commit raced the
// snapshot), the snapshot is simply taken again.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/catalog.h"
#include "store/segment.h"

namespace flowlens::store {

class DataDir;

struct OpenSegment {
  SegmentRecord record;
  std::shared_ptr<const SegmentReader> reader;
};

class Snapshot {
 public:
  // Throws StoreError (a listed segment is corrupt or unreadable; the message names the file).
  static Snapshot take(DataDir& dir);

  // The table's segments in commit order.
  std::vector<OpenSegment> segments(TableId table) const;
  const std::vector<OpenSegment>& all_segments() const { return segments_; }
  const std::vector<std::pair<IpAddress, std::string>>& nic_addresses() const {
    return nic_addresses_;
  }
  // Every source's checkpoint as of the same commit as the segments.
  const std::vector<SourceRecord>& sources() const { return sources_; }
  Ticks interval() const { return interval_; }
  int retention_days() const { return retention_days_; }
  // The first instant retention keeps at time `now`, or kMinTicks when it keeps everything.
  Ticks retention_cutoff(Ticks now) const;

 private:
  std::vector<OpenSegment> segments_;
  std::vector<std::pair<IpAddress, std::string>> nic_addresses_;
  std::vector<SourceRecord> sources_;
  Ticks interval_ = 0;
  int retention_days_ = 0;
};

}  // namespace flowlens::store
