// RecordParser: turns the records of a chunk into tuples, with simdjson On-Demand.
//
// A record is accepted or rejected as a whole for record-level problems (invalid JSON, missing
// or mistyped keys, unknown version, bad time or MAC): its tuples reach the batch only after
// the entire record has been read, so a damaged record never contributes half its tuples.
// Within an accepted record, a bad flow group (missing rule, ACL id or MAC) rejects that
// group's tuples, and a bad tuple rejects only itself.
//
// Keys may come in any order: tuples are collected first, and interpreted once the record's
// kind (VNet or NSG), version and context are known.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "flowlog/chunk.h"
#include "flowlog/flow_batch.h"
#include "flowlog/parse_error.h"
#include "flowlog/parse_limits.h"

namespace flowlens {

struct RecordStats {
  std::uint64_t records = 0;  // records accepted
  std::uint64_t rejected_records = 0;
  std::uint64_t tuples = 0;           // tuples appended
  std::uint64_t rejected_tuples = 0;  // tuples rejected, alone or with their group or record
};

class RecordParser {
 public:
  explicit RecordParser(const ParseLimits& limits);
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Parses every record of `chunk`, appending tuples to `batch` (whose `source` must be set)
  // and problems to `errors`. The chunk's bytes are modified during the call and restored.
  void parse_chunk(Chunk& chunk, FlowBatch& batch, std::vector<ParseError>& errors,
                   RecordStats& stats);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowlens
