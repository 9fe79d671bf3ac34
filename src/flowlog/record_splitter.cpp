#include "flowlog/record_splitter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace flowlens {
namespace {

inline bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

RecordSplitter::RecordSplitter(ByteReader& reader, std::string source, const ParseLimits& limits,
                               BufferPool& pool)
    : reader_(reader), source_(std::move(source)), limits_(limits), pool_(pool) {
  buffer_ = pool_.acquire(limits_.chunk_bytes);
  resume_.hash = hash_.digest();
  resume_hash_ = hash_;
}

RecordSplitter::RecordSplitter(ByteReader& reader, std::string source, const ParseLimits& limits,
                               BufferPool& pool, const ResumePoint& resume, const StreamHash& hash)
    : RecordSplitter(reader, std::move(source), limits, pool) {
  base_ = pos_ = consumed_ = resume.offset;
  next_record_index_ = resume.records;
  state_ = static_cast<State>(resume.state);
  context_ = static_cast<Context>(resume.context);
  prev_significant_ = resume.prev_significant;
  saw_content_ = resume.offset > 0;
  hash_ = hash;
  resume_ = resume;
  resume_hash_ = hash;
  if (state_ == State::kResync) {
    // The input ended in damage last time: the damage was reported then; keep looking for
    // the next record without reporting it again.
    resync_hash_ = hash_;
    resync_hashed_ = consumed_;
    damage_.active = true;
    damage_.silent = true;
    damage_.offset = consumed_;
  }
}

bool RecordSplitter::resumable(const ResumePoint& point) {
  auto state = static_cast<State>(point.state);
  bool state_ok = state == State::kDocumentStart || state == State::kArrayElement ||
                  state == State::kArrayAfterElement || state == State::kDocumentEnd ||
                  state == State::kResync;
  return state_ok && point.context <= static_cast<std::uint8_t>(Context::kTopLevelObjects) &&
         (point.offset > 0 || state == State::kDocumentStart);
}

ResumePoint RecordSplitter::resume_point() const {
  return resume_;
}

void RecordSplitter::mark_consumed() {
  if (pos_ > consumed_) {
    hash_.update(ptr(consumed_), static_cast<std::size_t>(pos_ - consumed_));
    consumed_ = pos_;
  }
  resume_ = ResumePoint{consumed_,
                        next_record_index_,
                        static_cast<std::uint8_t>(state_),
                        static_cast<std::uint8_t>(context_),
                        prev_significant_,
                        hash_.digest()};
  resume_hash_ = hash_;
}

void RecordSplitter::hash_before_dropping(std::uint64_t keep) {
  if (damage_.active && keep > resync_hashed_) {
    resync_hash_.update(ptr(resync_hashed_), static_cast<std::size_t>(keep - resync_hashed_));
    resync_hashed_ = keep;
  }
}

std::string RecordSplitter::describe_byte(std::uint64_t abs) const {
  unsigned char c = static_cast<unsigned char>(at(abs));
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c);
}

bool RecordSplitter::skip_whitespace() {
  while (pos_ < end() && is_space(at(pos_)))
    ++pos_;
  return pos_ < end();
}

RecordSplitter::State RecordSplitter::after_record_state() const {
  return context_ == Context::kTopLevelObjects ? State::kDocumentEnd : State::kArrayAfterElement;
}

std::uint64_t RecordSplitter::keep_from() const {
  std::uint64_t keep = pos_;
  switch (state_) {
    case State::kRecord:
    case State::kTentative:
      keep = record_start_;
      break;
    case State::kEnvelopeKey:
      keep = doc_start_;
      break;
    default:
      break;
  }
  // Outside damage, bytes not yet consumed stay buffered so that they can be hashed when they
  // are; skipped damage is hashed as it leaves the buffer (hash_before_dropping).
  return damage_.active ? keep : std::min(keep, consumed_);
}

void RecordSplitter::report(ParseErrorCode code, std::string message, std::uint64_t offset,
                            std::int64_t record_index, bool with_excerpt) {
  ParseError e;
  e.source = source_;
  e.record_index = record_index;
  e.tuple_index = -1;
  e.byte_offset = offset;
  e.code = code;
  e.message = std::move(message);
  if (with_excerpt && offset >= base_ && offset < end()) {
    e.excerpt =
        make_excerpt(std::string_view(ptr(offset), static_cast<std::size_t>(end() - offset)));
  }
  errors_.push_back(std::move(e));
}

// Damage: remember what went wrong where, then look for the next intact record after `start`.
void RecordSplitter::damage(ParseErrorCode code, std::string message, std::uint64_t start,
                            std::int64_t record_index) {
  damage_.active = true;
  damage_.silent = false;
  resync_hash_ = hash_;
  resync_hashed_ = consumed_;
  damage_.code = code;
  damage_.message = std::move(message);
  damage_.offset = start;
  damage_.record_index = record_index;
  damage_.excerpt.clear();
  if (start >= base_ && start < end()) {
    damage_.excerpt =
        make_excerpt(std::string_view(ptr(start), static_cast<std::size_t>(end() - start)));
  }
  prev_significant_ = at(start);
  pos_ = start + 1;
  state_ = State::kResync;
}

void RecordSplitter::finish_resync(std::uint64_t resume_at, bool found_record) {
  bool truncated_at_end = !found_record && damage_.code == ParseErrorCode::truncated_record;
  if (!truncated_at_end) {
    // The skipped bytes are consumed: continue the resume hash over them.
    hash_ = resync_hash_;
    consumed_ = resync_hashed_;
  }
  if (!damage_.silent) {
    ParseError e;
    e.source = source_;
    e.record_index = damage_.record_index;
    e.tuple_index = -1;
    e.byte_offset = damage_.offset;
    e.code = damage_.code;
    std::uint64_t skipped = resume_at - damage_.offset;
    if (found_record && damage_.code == ParseErrorCode::truncated_record) {
      // The input did not end inside this record after all: an intact record follows, so this
      // one's quotes or brackets do not balance.
      e.code = ParseErrorCode::invalid_json;
      damage_.message =
          "the record's quotes or brackets do not balance, so its end was never found";
    }
    if (found_record) {
      e.message = fmt::format("{}; skipped {} bytes, resuming with the record at byte {}",
                              damage_.message, skipped, resume_at);
    } else if (truncated_at_end) {
      e.message = damage_.message;  // the skipped bytes are exactly the truncated record
    } else {
      e.message = fmt::format("{}; skipped the remaining {} bytes (no intact record follows)",
                              damage_.message, skipped);
    }
    e.excerpt = std::move(damage_.excerpt);
    errors_.push_back(std::move(e));
  }
  damage_ = PendingDamage{};
  if (!found_record && !truncated_at_end) {
    // Everything to the end was damage; a later, longer version of the input resumes the
    // search for records where this one ended.
    pos_ = end();
    State saved = state_;
    state_ = State::kResync;
    mark_consumed();
    state_ = saved;
  }
}

void RecordSplitter::add_record(std::uint64_t begin, std::uint64_t end_pos, std::int64_t index,
                                bool has_escapes) {
  records_.push_back(RecordSpan{static_cast<std::size_t>(begin), static_cast<std::size_t>(end_pos),
                                index, has_escapes});
}

void RecordSplitter::begin_record(std::uint64_t start) {
  record_start_ = start;
  record_index_ = next_record_index_++;
  scanner_.reset();
  pos_ = start;
  state_ = State::kRecord;
}

void RecordSplitter::scan_record() {
  std::size_t rel = static_cast<std::size_t>(pos_ - base_);
  StructureScanner::Result r = scanner_.scan(buffer_.bytes.get(), rel, len_);
  pos_ = base_ + rel;
  switch (r) {
    case StructureScanner::Result::kComplete:
      // The limit holds however the bytes arrived (one read or many).
      if (pos_ - record_start_ > limits_.max_record_bytes) {
        report(ParseErrorCode::record_too_large,
               fmt::format("record is {} bytes, larger than the limit of {} bytes "
                           "(--max-record-size)",
                           pos_ - record_start_, limits_.max_record_bytes),
               record_start_, record_index_);
      } else {
        add_record(record_start_, pos_, record_index_, scanner_.saw_backslash());
      }
      state_ = after_record_state();
      mark_consumed();
      return;
    case StructureScanner::Result::kMismatch:
      damage(ParseErrorCode::invalid_json,
             fmt::format("closing bracket at byte {} does not match the open one (record ends "
                         "early or is corrupt)",
                         pos_ - 1),
             record_start_, record_index_);
      return;
    case StructureScanner::Result::kTooDeep:
      damage(ParseErrorCode::nesting_too_deep,
             fmt::format("record nests deeper than {} levels", StructureScanner::kMaxDepth),
             record_start_, record_index_);
      return;
    case StructureScanner::Result::kNeedMore:
      if (pos_ - record_start_ > limits_.max_record_bytes) {
        damage(ParseErrorCode::record_too_large,
               fmt::format("record is larger than the limit of {} bytes (--max-record-size)",
                           limits_.max_record_bytes),
               record_start_, record_index_);
      }
      return;
  }
}

// Scans a candidate found by resynchronisation. A complete candidate that the probe accepts is
// a record: resynchronisation ends there. Anything else moves the search on.
void RecordSplitter::scan_tentative() {
  std::size_t rel = static_cast<std::size_t>(pos_ - base_);
  StructureScanner::Result r = scanner_.scan(buffer_.bytes.get(), rel, len_);
  pos_ = base_ + rel;
  switch (r) {
    case StructureScanner::Result::kComplete: {
      std::size_t len = static_cast<std::size_t>(pos_ - record_start_);
      bool is_record = false;
      {
        BlankedTail blank(buffer_.bytes.get() + (pos_ - base_));
        is_record = probe_.is_record(ptr(record_start_), len, len + kBufferPadding);
      }
      if (is_record) {
        finish_resync(record_start_, true);
        record_index_ = next_record_index_++;
        add_record(record_start_, pos_, record_index_, scanner_.saw_backslash());
        state_ = after_record_state();
        mark_consumed();
      } else {
        // A valid inner object or broken bytes: keep looking right after its opening brace, so
        // that a record hidden inside damaged bytes is still found.
        pos_ = record_start_ + 1;
        prev_significant_ = '{';
        state_ = State::kResync;
      }
      return;
    }
    case StructureScanner::Result::kMismatch:
    case StructureScanner::Result::kTooDeep:
      pos_ = record_start_ + 1;
      prev_significant_ = '{';
      state_ = State::kResync;
      return;
    case StructureScanner::Result::kNeedMore:
      if (pos_ - record_start_ > limits_.max_record_bytes) {
        pos_ = record_start_ + 1;
        prev_significant_ = '{';
        state_ = State::kResync;
      }
      return;
  }
}

void RecordSplitter::process() {
  for (;;) {
    switch (state_) {
      case State::kDocumentStart: {
        if (pos_ == 0) {
          // A UTF-8 byte-order mark is only meaningful at the very start of the input.
          if (len_ < 3 && !eof_) return;
          if (len_ >= 3 && std::memcmp(ptr(0), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
        }
        if (!skip_whitespace()) return;
        saw_content_ = true;
        char c = at(pos_);
        if (c == '{') {
          doc_start_ = pos_++;
          state_ = State::kEnvelopeKey;
        } else if (c == '[') {
          ++pos_;
          context_ = Context::kTopLevelArray;
          after_comma_ = false;
          state_ = State::kArrayElement;
          mark_consumed();
        } else {
          damage(ParseErrorCode::invalid_json,
                 fmt::format("expected '{{' at the start of a flow-log document, found {}",
                             describe_byte(pos_)),
                 pos_, -1);
        }
        break;
      }
      case State::kEnvelopeKey: {
        if (!skip_whitespace()) return;
        char c = at(pos_);
        if (c == '}') {
          report(ParseErrorCode::not_a_flow_log, "empty JSON object: no `records` array",
                 doc_start_, -1);
          ++pos_;
          state_ = State::kDocumentEnd;
          break;
        }
        if (c != '"') {
          damage(ParseErrorCode::invalid_json,
                 fmt::format("expected a key after '{{', found {}", describe_byte(pos_)),
                 doc_start_, -1);
          break;
        }
        // The first key decides: `records` opens Azure's envelope; anything else means the
        // top-level object is itself a record (records one per line).
        std::uint64_t close = pos_ + 1;
        while (close < end() && at(close) != '"' && at(close) != '\\')
          ++close;
        if (close == end()) return;  // key not complete yet
        std::string_view key(ptr(pos_ + 1), static_cast<std::size_t>(close - pos_ - 1));
        if (key == "records" && at(close) == '"') {
          pos_ = close + 1;
          context_ = Context::kEnvelopeArray;
          state_ = State::kEnvelopeColon;
        } else {
          context_ = Context::kTopLevelObjects;
          begin_record(doc_start_);
        }
        break;
      }
      case State::kEnvelopeColon:
        if (!skip_whitespace()) return;
        if (at(pos_) != ':') {
          damage(ParseErrorCode::invalid_json,
                 fmt::format("expected ':' after \"records\", found {}", describe_byte(pos_)), pos_,
                 -1);
          break;
        }
        ++pos_;
        state_ = State::kRecordsOpen;
        break;
      case State::kRecordsOpen:
        if (!skip_whitespace()) return;
        if (at(pos_) != '[') {
          damage(ParseErrorCode::not_a_flow_log,
                 fmt::format("`records` must be an array, found {}", describe_byte(pos_)), pos_,
                 -1);
          break;
        }
        ++pos_;
        after_comma_ = false;
        state_ = State::kArrayElement;
        mark_consumed();
        break;
      case State::kArrayElement: {
        if (!skip_whitespace()) return;
        char c = at(pos_);
        if (c == '{') {
          begin_record(pos_);
        } else if (c == ']') {
          if (after_comma_) {
            report(ParseErrorCode::invalid_json, "trailing ',' before the end of the records array",
                   pos_, -1, false);
          }
          ++pos_;
          state_ = context_ == Context::kTopLevelArray ? State::kDocumentEnd : State::kAfterArray;
        } else if (c == ',') {
          // `[,{` is what a reader produces when it glues Azure's head block to a data block
          // without dropping the data block's leading comma. Nothing is lost; say so and go on.
          report(ParseErrorCode::invalid_json, "empty element (a stray ',') in the records array",
                 pos_, -1, false);
          ++pos_;
        } else {
          damage(ParseErrorCode::invalid_json,
                 fmt::format("expected a record ('{{') in the records array, found {}",
                             describe_byte(pos_)),
                 pos_, -1);
        }
        break;
      }
      case State::kArrayAfterElement: {
        if (!skip_whitespace()) return;
        char c = at(pos_);
        if (c == ',') {
          ++pos_;
          after_comma_ = true;
          state_ = State::kArrayElement;
        } else if (c == ']') {
          ++pos_;
          state_ = context_ == Context::kTopLevelArray ? State::kDocumentEnd : State::kAfterArray;
        } else if (c == '{') {
          report(ParseErrorCode::invalid_json, "missing ',' between two records", pos_, -1, false);
          begin_record(pos_);
        } else {
          damage(ParseErrorCode::invalid_json,
                 fmt::format("expected ',' or ']' after a record, found {}", describe_byte(pos_)),
                 pos_, -1);
        }
        break;
      }
      case State::kAfterArray: {
        if (!skip_whitespace()) return;
        char c = at(pos_);
        if (c == '}') {
          ++pos_;
          state_ = State::kDocumentEnd;
        } else if (c == ',') {
          // More envelope keys: skip to the end of the envelope object, whose '{' is open.
          ++pos_;
          scanner_.reset();
          scanner_.enter_object();
          state_ = State::kEnvelopeRest;
        } else {
          damage(
              ParseErrorCode::invalid_json,
              fmt::format("expected '}}' after the records array, found {}", describe_byte(pos_)),
              pos_, -1);
        }
        break;
      }
      case State::kEnvelopeRest: {
        std::size_t rel = static_cast<std::size_t>(pos_ - base_);
        StructureScanner::Result r = scanner_.scan(buffer_.bytes.get(), rel, len_);
        pos_ = base_ + rel;
        if (r == StructureScanner::Result::kNeedMore) return;
        if (r == StructureScanner::Result::kComplete) {
          state_ = State::kDocumentEnd;
        } else {
          damage(ParseErrorCode::invalid_json, "malformed keys after the records array", pos_ - 1,
                 -1);
        }
        break;
      }
      case State::kDocumentEnd: {
        if (!skip_whitespace()) return;
        char c = at(pos_);
        if (c == '{' || c == '[') {
          state_ = State::kDocumentStart;  // another document follows
        } else {
          damage(ParseErrorCode::invalid_json,
                 fmt::format("unexpected {} after the end of the document", describe_byte(pos_)),
                 pos_, -1);
        }
        break;
      }
      case State::kRecord:
        scan_record();
        if (state_ == State::kRecord) return;
        break;
      case State::kResync: {
        // Candidates are '{' right after ',' or '[' (whitespace aside): where records start.
        std::uint64_t e = end();
        while (pos_ < e) {
          char c = at(pos_);
          if (c == '{' && (prev_significant_ == ',' || prev_significant_ == '[')) break;
          if (!is_space(c)) prev_significant_ = c;
          ++pos_;
        }
        if (pos_ == e) return;
        record_start_ = pos_;
        scanner_.reset();
        state_ = State::kTentative;
        break;
      }
      case State::kTentative:
        scan_tentative();
        if (state_ == State::kTentative) return;
        break;
    }
  }
}

bool RecordSplitter::handle_end_of_input() {
  switch (state_) {
    case State::kDocumentStart:
      if (!saw_content_) {
        report(ParseErrorCode::empty_input,
               bytes_read_ == 0 ? "the input is empty (0 bytes)"
                                : "the input contains only whitespace",
               0, -1, false);
      }
      return false;
    case State::kDocumentEnd:
      return false;
    case State::kEnvelopeKey:
    case State::kEnvelopeColon:
    case State::kRecordsOpen:
      report(ParseErrorCode::truncated_document,
             "the input ends inside the document header, before the records array", doc_start_, -1);
      return false;
    case State::kArrayElement:
    case State::kArrayAfterElement:
      // Azure writes the closing `]}` only when the hour's blob is complete.
      unterminated_ = true;
      return false;
    case State::kAfterArray:
    case State::kEnvelopeRest:
      report(ParseErrorCode::truncated_document,
             "the input ends after the records array without the document's closing '}'", pos_, -1,
             false);
      return false;
    case State::kRecord:
      damage(ParseErrorCode::truncated_record,
             fmt::format("the input ends inside this record ({} bytes of it present)",
                         end() - record_start_),
             record_start_, record_index_);
      return true;
    case State::kTentative:
      pos_ = record_start_ + 1;
      prev_significant_ = '{';
      state_ = State::kResync;
      return true;
    case State::kResync:
      finish_resync(end(), false);
      state_ = State::kDocumentEnd;
      return false;
  }
  return false;
}

void RecordSplitter::refill() {
  std::uint64_t keep = keep_from();
  if (records_.empty() && keep > base_) {
    hash_before_dropping(keep);
    std::size_t drop = static_cast<std::size_t>(keep - base_);
    std::memmove(buffer_.bytes.get(), buffer_.bytes.get() + drop, len_ - drop);
    len_ -= drop;
    base_ = keep;
  }
  if (buffer_.capacity - len_ < limits_.chunk_bytes / 4) {
    // The value in progress fills the buffer: grow it. The record size limit bounds this.
    Buffer bigger = pool_.acquire(buffer_.capacity * 2);
    std::memcpy(bigger.bytes.get(), buffer_.bytes.get(), len_);
    pool_.release(std::move(buffer_));
    buffer_ = std::move(bigger);
  }
  std::size_t n = reader_.read(buffer_.bytes.get() + len_, buffer_.capacity - len_);
  if (n == 0) {
    eof_ = true;
  }
  len_ += n;
  bytes_read_ += n;
  // Keep the padding initialised: simdjson may read it (valgrind-clean runs).
  std::memset(buffer_.bytes.get() + len_, ' ', kBufferPadding);
}

void RecordSplitter::emit(Chunk& out, bool last) {
  out.records.clear();
  out.errors.clear();
  out.input_offset = base_;
  for (const RecordSpan& r : records_) {
    out.records.push_back(RecordSpan{static_cast<std::size_t>(r.begin - base_),
                                     static_cast<std::size_t>(r.end - base_), r.record_index,
                                     r.has_escapes});
  }
  records_.clear();
  out.errors = std::move(errors_);
  errors_.clear();
  out.last_of_input = last;
  out.resume = resume_;
  out.resume_hash = resume_hash_;
  out.bytes_consumed = bytes_read_ - bytes_reported_;
  bytes_reported_ = bytes_read_;

  if (last) {
    out.buffer = std::move(buffer_);
    buffer_ = Buffer{};
    return;
  }
  // The bytes still needed (a record in progress) move to a fresh buffer.
  std::uint64_t keep = keep_from();
  hash_before_dropping(keep);
  std::size_t tail = static_cast<std::size_t>(end() - keep);
  Buffer next = pool_.acquire(std::max(limits_.chunk_bytes, tail + limits_.chunk_bytes / 2));
  std::memcpy(next.bytes.get(), ptr(keep), tail);
  out.buffer = std::move(buffer_);
  buffer_ = std::move(next);
  base_ = keep;
  len_ = tail;
}

bool RecordSplitter::next_chunk(Chunk& out) {
  if (finished_) return false;
  for (;;) {
    process();
    if (eof_) {
      if (handle_end_of_input()) continue;
      finished_ = true;
      emit(out, true);
      return true;
    }
    // Everything buffered is consumed. Hand over the complete records once the buffer is
    // nearly full, otherwise read more.
    if (!records_.empty() && buffer_.capacity - len_ < limits_.chunk_bytes / 4) {
      emit(out, false);
      return true;
    }
    refill();
  }
}

}  // namespace flowlens
