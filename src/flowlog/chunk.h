// Chunk: a run of complete flow-log records cut from one input, the unit of work that the
// splitter hands to the record parsers. The chunk owns its bytes (a pooled buffer), so records
// can be parsed on another thread while the splitter reads on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "flowlog/parse_error.h"
#include "flowlog/stream_hash.h"

namespace flowlens {

// Bytes readable after the last valid byte of every buffer; simdjson reads up to 64 bytes past
// the end of the document it parses.
inline constexpr std::size_t kBufferPadding = 64;

struct Buffer {
  std::unique_ptr<char[]> bytes;
  std::size_t capacity = 0;  // usable bytes, not counting kBufferPadding
};

// Recycles large buffers so that steady-state parsing neither allocates nor page-faults.
// Thread-safe. Buffers above twice the default size are freed instead of kept, so one huge
// record does not pin its memory for the rest of the run.
class BufferPool {
 public:
  explicit BufferPool(std::size_t default_capacity, std::size_t max_pooled = 16)
      : default_capacity_(default_capacity), max_pooled_(max_pooled) {}
  Buffer acquire(std::size_t min_capacity = 0);
  void release(Buffer buffer);
  std::size_t default_capacity() const { return default_capacity_; }

 private:
  std::size_t default_capacity_;
  std::size_t max_pooled_;
  std::mutex mutex_;
  std::vector<Buffer> free_;
};

struct RecordSpan {
  std::size_t begin;          // offset in the chunk buffer of the record's '{'
  std::size_t end;            // one past its closing '}'
  std::int64_t record_index;  // position among the input's records
  bool has_escapes = true;    // false when the record has no backslash at all
};

// Where an input can be resumed: everything before `offset` has been fully processed (its
// records parsed, its damage reported), and nothing after it has. The closing `]}` of a blob is
// never inside it, because that is exactly what Azure replaces when the blob grows.
struct ResumePoint {
  std::uint64_t offset = 0;
  std::int64_t records = 0;   // records seen before `offset`: the index of the next one
  std::uint8_t state = 0;     // the splitter's state there (0: the start of the input)
  std::uint8_t context = 0;   // where records are found (envelope array, top level)
  char prev_significant = 0;  // resynchronisation: the last non-space byte
  std::uint64_t hash = 0;     // XXH3-64 of bytes [0, offset)
};

struct Chunk {
  Buffer buffer;
  std::uint64_t input_offset = 0;  // input offset of buffer.bytes[0]
  std::vector<RecordSpan> records;
  std::vector<ParseError> errors;    // structural problems found while splitting
  std::size_t input_index = 0;       // which input of the run this chunk belongs to
  std::uint64_t bytes_consumed = 0;  // input bytes this chunk accounts for (for progress)
  ResumePoint resume;                // the input's resume point after this chunk
  StreamHash resume_hash;            // the hash state at resume.offset (a checkpoint keeps it)
  bool last_of_input = false;
  // The input was superseded while being read (InputSuperseded): this last chunk carries no
  // records and no resume point, only why.
  bool superseded = false;
  std::string superseded_reason;
};

}  // namespace flowlens

namespace flowlens {

// simdjson's On-Demand iterator may look at the bytes just past the end of the document it
// parses (its end-of-input sentinel points there). For an invalid document, what it then
// reports could depend on whatever follows the record in the buffer: the next record, or
// padding, depending on how the input was read. To make every verdict depend on the record's
// own bytes only, the kBufferPadding bytes after a span are set to spaces while it is parsed,
// and restored afterwards (they may belong to the next record).
class BlankedTail {
 public:
  explicit BlankedTail(char* end) : end_(end) {
    std::memcpy(saved_, end_, kBufferPadding);
    std::memset(end_, ' ', kBufferPadding);
  }
  ~BlankedTail() { std::memcpy(end_, saved_, kBufferPadding); }
  BlankedTail(const BlankedTail&) = delete;
  BlankedTail& operator=(const BlankedTail&) = delete;

 private:
  char* end_;
  char saved_[kBufferPadding];
};

}  // namespace flowlens
