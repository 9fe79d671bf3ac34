// The parse pipeline: inputs -> RecordSplitter -> RecordParser -> consumer, in input order.
//
// With one thread everything runs on the calling thread. With N > 1 threads a producer thread
// splits inputs into chunks, N workers parse them (and run the consumer's prepare step, for
// example output formatting), and the calling thread hands the results to the consumer strictly
// in input order, record order. Chunks in flight are bounded, so memory is bounded whatever the
// size or number of inputs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/byte_reader.h"
#include "flowlog/chunk.h"
#include "flowlog/flow_batch.h"
#include "flowlog/parse_error.h"
#include "flowlog/parse_limits.h"
#include "flowlog/record_parser.h"
#include "flowlog/stream_hash.h"

namespace flowlens {

struct InputSpec {
  InputSpec() = default;
  InputSpec(std::string input_name, std::optional<std::uint64_t> input_size,
            std::function<std::unique_ptr<ByteReader>()> opener)
      : name(std::move(input_name)), size(input_size), open(std::move(opener)) {}

  std::string name;                                   // shown in errors and stored as `Source`
  std::optional<std::uint64_t> size;                  // for progress, when known
  std::function<std::unique_ptr<ByteReader>()> open;  // may throw ReadError
  // Start at a resume point instead of the beginning: the reader is skipped to its offset and
  // `resume_hash` must hold the hash of the bytes before it.
  std::optional<ResumePoint> resume;
  StreamHash resume_hash;
};

// Whatever a consumer's prepare() step computes for its consume() step (see ChunkConsumer).
struct PreparedWork {
  virtual ~PreparedWork() = default;
};

// The parsed form of one chunk, delivered to the consumer.
struct ParsedChunk {
  std::size_t input_index = 0;
  FlowBatch batch;
  std::vector<ParseError> errors;  // splitter and parser errors, by byte offset
  RecordStats stats;
  std::string rendered;                    // filled by ChunkConsumer::prepare, if it wants
  std::unique_ptr<PreparedWork> prepared;  // likewise
  std::uint64_t bytes_consumed = 0;
  bool last_of_input = false;
  bool unterminated = false;  // valid on the last chunk: the blob lacks its closing ]}
  bool superseded = false;    // valid on the last chunk: see Chunk::superseded
  std::string superseded_reason;
  ResumePoint resume;      // where the input could be resumed after this chunk
  StreamHash resume_hash;  // the hash state there
};

class ChunkConsumer {
 public:
  virtual ~ChunkConsumer() = default;
  // Runs on a worker thread, concurrently for different chunks, in no particular order.
  virtual void prepare(ParsedChunk& chunk) { (void)chunk; }
  // Runs on the calling thread, one chunk at a time, in input order.
  virtual void consume(ParsedChunk& chunk) = 0;
};

struct PipelineOptions {
  ParseLimits limits;
  unsigned threads = 1;  // 0: one per hardware thread
};

// Parses every input. Read failures become `read_failed` errors of that input; any other
// exception (out of memory, a consumer failure) stops the run and is rethrown here.
void run_parse_pipeline(const std::vector<InputSpec>& inputs, const PipelineOptions& options,
                        ChunkConsumer& consumer);

}  // namespace flowlens
