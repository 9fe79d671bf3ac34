// The ingest job: flow-log inputs -> parse -> FlowTuples, the rollups and IngestErrors in a
// data directory, exactly once (design §7).
//
// Each input is matched to its source's checkpoint first:
//   new        never seen: read from the start
//   unchanged  fully read before and same size and mtime: skipped without reading
//   resumed    the bytes up to the checkpoint hash the same (a PT1H.json that grew): read from
//              the checkpoint, so only records appended since are parsed
//   rewritten  the bytes up to the checkpoint differ: read from the start, skipping records
//              whose time is not after the latest record already stored (the checkpoint keeps
//              that time until the read reaches the end, so an interrupted one goes on skipping)
//   deferred   a blob whose bytes up to the checkpoint cannot be read now (committed again
//              during the check, unreachable): not read, its checkpoint untouched
// Parsed chunks accumulate in memory until a commit threshold (tuples, memory), then one
// commit writes the segments and, in the same catalog transaction, the checkpoints of every
// source whose data they hold. A crash loses at most the uncommitted part, which the next run
// reads again from the checkpoints.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "enrich/enricher.h"
#include "flowlog/parse_error.h"
#include "flowlog/parse_limits.h"
#include "store/data_dir.h"

namespace flowlens::ingest {

// A problem with the command line (a missing path, stdin without a name): nothing was done.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IngestOptions {
  std::vector<std::string> paths;  // files, directories (recursive), "-" for stdin
  // Or: the flow-log blobs of a storage-account container (blob_inputs.h). `blob_source` is a
  // connection string or a container URL (with a SAS); `blob_container` names the container
  // when the source does not; `blob_prefix` limits the listing.
  std::string blob_source;
  std::string blob_container;
  std::string blob_prefix;
  Ticks blob_since = kMinTicks;  // only blobs whose hour (y=/m=/d=/h= in the name) ends after it
  std::string stdin_name;        // the source name of "-" (required with it)
  unsigned threads = 0;          // parser threads; 0: one per CPU
  ParseLimits limits;
  std::uint64_t commit_tuples = 8'000'000;  // commit after this many tuples...
  std::size_t commit_bytes = 160u << 20;    // ...or this much buffered rollup and segment data
  bool compact = true;                      // compact small segments after the run
  Ticks now = 0;                            // retention's "now"; 0: the clock
  // Enrichment inputs (topology, geo-IP, service tags, threat feeds); null: inference only.
  std::shared_ptr<const enrich::Enricher> enricher;
};

struct IngestStats {
  std::uint64_t inputs = 0;  // inputs given (after directory expansion)
  std::uint64_t new_inputs = 0;
  std::uint64_t unchanged = 0;  // skipped without reading
  std::uint64_t resumed = 0;
  std::uint64_t rewritten = 0;
  std::uint64_t duplicates = 0;  // the same source given twice in one run
  std::uint64_t superseded = 0;  // blobs committed again or deleted while read (continued later)
  std::uint64_t deferred = 0;    // blobs whose first bytes could not be compared now (next run)
  std::uint64_t bytes = 0;       // bytes parsed
  std::uint64_t bytes_downloaded = 0;  // blob bytes fetched (parsed or hashed)
  std::uint64_t tuples = 0;            // tuples stored
  std::uint64_t skipped_tuples = 0;    // tuples of rewritten inputs that were already stored
  std::uint64_t rejected_records = 0;
  std::uint64_t rejected_tuples = 0;
  std::uint64_t errors = 0;
  std::uint64_t commits = 0;
  std::uint64_t segments_written = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t expired_segments = 0;    // removed by retention
  std::uint64_t compacted_segments = 0;  // replaced by compaction
};

// What the job tells the user while it runs.
class IngestObserver {
 public:
  virtual ~IngestObserver() = default;
  virtual void on_error(const ParseError& error) { (void)error; }
  virtual void on_notice(const std::string& message) { (void)message; }
  virtual void on_progress(std::uint64_t inputs_done, std::uint64_t bytes, std::uint64_t tuples) {
    (void)inputs_done, (void)bytes, (void)tuples;
  }
};

// Runs the job on an open (writable) data directory. Throws std::exception on failures that
// stop the run (unwritable directory, ...); what was committed before stays committed.
IngestStats run_ingest(store::DataDir& dir, const IngestOptions& options, IngestObserver& observer);

}  // namespace flowlens::ingest
