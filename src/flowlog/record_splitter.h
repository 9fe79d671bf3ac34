// RecordSplitter: streams one input and cuts it into chunks of complete flow-log records.
//
// Accepted shapes (design §5, reference §1.1, §3.4):
//   {"records":[ rec , rec , ... ]}   Azure's blob layout, compact or pretty, any whitespace;
//                                     further envelope keys after `records` are ignored;
//   the same without the closing ]}   a blob still being written: every complete record is
//                                     produced and unterminated() reports it (not an error);
//   several such documents in a row, a top-level array of records, or records one per line
//   (NDJSON, as `jq -c '.records[]'` prints them).
// A UTF-8 byte-order mark at the start of the input is skipped.
//
// Damage never stops the input: truncation, brackets that do not match, garbage between
// records or records over the size limit are reported once (with the byte offset where the
// damage starts) and the splitter then resynchronises on the next position that holds an
// intact record, so every record outside the damaged region is still produced exactly once.
//
// Memory stays bounded by ParseLimits: the splitter holds at most one record plus one chunk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/byte_reader.h"
#include "flowlog/chunk.h"
#include "flowlog/parse_limits.h"
#include "flowlog/record_probe.h"
#include "flowlog/stream_hash.h"
#include "flowlog/structure_scanner.h"

namespace flowlens {

class RecordSplitter {
 public:
  RecordSplitter(ByteReader& reader, std::string source, const ParseLimits& limits,
                 BufferPool& pool);
  // Resumes an input at `resume` (the reader must be positioned at resume.offset), with `hash`
  // holding the hash of the bytes before it. Records keep their indexes.
  RecordSplitter(ByteReader& reader, std::string source, const ParseLimits& limits,
                 BufferPool& pool, const ResumePoint& resume, const StreamHash& hash);

  // Fills `out` with the next chunk (records and/or structural errors). Returns false once the
  // input is exhausted; the final chunk has last_of_input set. Throws ReadError from the reader.
  bool next_chunk(Chunk& out);

  // True when the input ended inside the records array: a blob that Azure is still writing.
  bool unterminated() const { return unterminated_; }
  // Where the input could be resumed after the chunks produced so far.
  ResumePoint resume_point() const;
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  // The numeric values are stored in resume points: never renumber them.
  enum class State : std::uint8_t {
    kDocumentStart = 0,      // before a top-level value
    kEnvelopeKey = 1,        // after the top-level '{': reading its first key
    kEnvelopeColon = 2,      // after the "records" key
    kRecordsOpen = 3,        // expecting the '[' of the records array
    kArrayElement = 4,       // after '[' or ',': expecting a record
    kArrayAfterElement = 5,  // after a record: expecting ',' or ']'
    kAfterArray = 6,         // after the records array: expecting '}' or more envelope keys
    kEnvelopeRest = 7,       // skipping envelope keys that follow the records array
    kDocumentEnd = 8,        // after a complete top-level value
    kRecord = 9,             // inside a record
    kResync = 10,            // after damage: looking for a position where a record may start
    kTentative = 11,         // inside a candidate record found while resynchronising
  };
  // Where records are found, which decides what may follow one.
  enum class Context : std::uint8_t {
    kEnvelopeArray = 0,
    kTopLevelArray = 1,
    kTopLevelObjects = 2
  };

 public:
  // True when a stored resume point names a state an input can be resumed in.
  static bool resumable(const ResumePoint& point);

 private:
  struct PendingDamage {
    bool active = false;
    bool silent = false;  // resumed inside damage already reported: don't report it again
    ParseErrorCode code = ParseErrorCode::invalid_json;
    std::string message;
    std::uint64_t offset = 0;
    std::int64_t record_index = -1;
    std::string excerpt;
  };

  void process();
  bool handle_end_of_input();  // returns true when processing must continue
  void refill();
  void emit(Chunk& out, bool last);

  std::uint64_t end() const { return base_ + len_; }
  char at(std::uint64_t abs) const { return buffer_.bytes[abs - base_]; }
  const char* ptr(std::uint64_t abs) const { return buffer_.bytes.get() + (abs - base_); }
  std::uint64_t keep_from() const;
  bool skip_whitespace();  // false when the buffer ran out
  State after_record_state() const;

  void begin_record(std::uint64_t start);
  void scan_record();
  void scan_tentative();
  void add_record(std::uint64_t begin, std::uint64_t end_pos, std::int64_t index, bool has_escapes);
  void report(ParseErrorCode code, std::string message, std::uint64_t offset,
              std::int64_t record_index, bool with_excerpt = true);
  void damage(ParseErrorCode code, std::string message, std::uint64_t start,
              std::int64_t record_index);
  void finish_resync(std::uint64_t resume_at, bool found_record);
  // Marks everything before pos_ as processed, in a state the input can be resumed in.
  void mark_consumed();
  // Hashes the bytes about to leave the buffer that the resume hash does not cover yet.
  void hash_before_dropping(std::uint64_t keep);
  std::string describe_byte(std::uint64_t abs) const;

  ByteReader& reader_;
  std::string source_;
  ParseLimits limits_;
  BufferPool& pool_;
  RecordProbe probe_;
  StructureScanner scanner_;

  Buffer buffer_;
  std::uint64_t base_ = 0;  // input offset of buffer_.bytes[0]
  std::size_t len_ = 0;     // valid bytes in buffer_
  bool eof_ = false;
  bool finished_ = false;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t bytes_reported_ = 0;

  State state_ = State::kDocumentStart;
  Context context_ = Context::kEnvelopeArray;
  std::uint64_t pos_ = 0;
  std::uint64_t doc_start_ = 0;
  std::uint64_t record_start_ = 0;
  std::int64_t record_index_ = -1;
  std::int64_t next_record_index_ = 0;
  bool after_comma_ = false;
  bool saw_content_ = false;
  bool unterminated_ = false;
  char prev_significant_ = 0;  // last non-whitespace byte seen while resynchronising
  PendingDamage damage_;

  // Resume tracking: bytes [0, consumed_) are processed and hashed into hash_. While damage is
  // being skipped, resync_hash_ continues over the skipped bytes up to resync_hashed_; it
  // becomes the resume hash if intact records follow, and is dropped if the input just ends
  // inside a record (so that the record is read again once it is complete).
  std::uint64_t consumed_ = 0;
  StreamHash hash_;
  StreamHash resync_hash_;
  std::uint64_t resync_hashed_ = 0;
  ResumePoint resume_;
  StreamHash resume_hash_;  // the hash state at resume_.offset

  std::vector<RecordSpan> records_;  // absolute offsets until emitted
  std::vector<ParseError> errors_;
};

}  // namespace flowlens
