// Helpers shared by the unit tests: running the parse pipeline over bytes in memory and
// flattening the result to comparable rows.
#pragma once

#include <string>
#include <vector>

#include "flowlog/parse_pipeline.h"

namespace flowlens::test {

struct ParseOutcome {
  std::vector<std::string> rows;  // one NDJSON line per tuple, in order
  std::vector<ParseError> errors;
  RecordStats stats;
  bool unterminated = false;
  std::vector<ResumePoint> resumes;  // after each chunk
};

// Parses `bytes` as one input named `name`. `max_read` > 0 makes the reader return at most
// that many bytes per call; `chunk_bytes` sets the chunk size.
ParseOutcome parse_bytes(const std::string& bytes, unsigned threads = 1, std::size_t max_read = 0,
                         std::size_t chunk_bytes = 0, const std::string& name = "test.json",
                         std::size_t max_record_bytes = 0);

// Parses `bytes` and returns the parser's batches themselves (errors must not occur).
std::vector<FlowBatch> parse_batches(const std::string& bytes);

// Parses `bytes` starting at `from` (the hash of the bytes before it is computed here).
ParseOutcome parse_bytes_from(const std::string& bytes, const ResumePoint& from,
                              std::size_t chunk_bytes = 0);

// XXH3-64 of a byte string, as resume points record it.
std::uint64_t prefix_hash(std::string_view bytes);

// A compact VNet record with the given tuples in one group.
std::string vnet_record(const std::string& time, const std::vector<std::string>& tuples,
                        const std::string& rule = "DefaultRule_AllowInternetOutBound");

std::string blob(const std::vector<std::string>& records, bool terminated = true);

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);

}  // namespace flowlens::test
