#include "flowlog/parse_pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "flowlog/chunk.h"
#include "flowlog/record_splitter.h"

namespace flowlens {
namespace {

ParseError read_failure(const std::string& source, std::uint64_t offset, const char* what) {
  return ParseError{
      source, -1, -1, offset, ParseErrorCode::read_failed, fmt::format("cannot read: {}", what),
      {}};
}

// Splits all inputs, calling `emit(input_index, chunk, unterminated)` for each chunk.
template <typename Emit>
void split_inputs(const std::vector<InputSpec>& inputs, const ParseLimits& limits, BufferPool& pool,
                  Emit&& emit) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const InputSpec& input = inputs[i];
    std::unique_ptr<ByteReader> reader;
    try {
      reader = input.open();
    } catch (const ReadError& e) {
      Chunk chunk;
      chunk.input_index = i;
      chunk.last_of_input = true;
      chunk.errors.push_back(read_failure(input.name, 0, e.what()));
      emit(std::move(chunk), false);
      continue;
    }
    std::unique_ptr<RecordSplitter> made;
    if (input.resume) {
      try {
        if (reader->skip(input.resume->offset) != input.resume->offset) {
          throw ReadError(input.name + ": shorter than its resume point");
        }
      } catch (const ReadError& e) {
        Chunk chunk;
        chunk.input_index = i;
        chunk.last_of_input = true;
        chunk.errors.push_back(read_failure(input.name, 0, e.what()));
        emit(std::move(chunk), false);
        continue;
      }
      made = std::make_unique<RecordSplitter>(*reader, input.name, limits, pool, *input.resume,
                                              input.resume_hash);
    } else {
      made = std::make_unique<RecordSplitter>(*reader, input.name, limits, pool);
    }
    RecordSplitter& splitter = *made;
    for (;;) {
      Chunk chunk;
      chunk.input_index = i;
      try {
        if (!splitter.next_chunk(chunk)) break;
      } catch (const InputSuperseded& e) {
        chunk = Chunk{};
        chunk.input_index = i;
        chunk.last_of_input = true;
        chunk.superseded = true;
        chunk.superseded_reason = e.what();
        emit(std::move(chunk), false);
        break;
      } catch (const ReadError& e) {
        chunk = Chunk{};
        chunk.input_index = i;
        chunk.last_of_input = true;
        chunk.errors.push_back(read_failure(input.name, splitter.bytes_read(), e.what()));
        emit(std::move(chunk), false);
        break;
      }
      bool last = chunk.last_of_input;
      emit(std::move(chunk), last && splitter.unterminated());
      if (last) break;
    }
  }
}

void parse_one(RecordParser& parser, const std::vector<InputSpec>& inputs, Chunk& chunk,
               bool unterminated, ParsedChunk& out) {
  out.input_index = chunk.input_index;
  out.batch.clear();
  out.batch.source = inputs[chunk.input_index].name;
  out.errors = std::move(chunk.errors);
  out.stats = RecordStats{};
  out.rendered.clear();
  out.prepared.reset();
  out.bytes_consumed = chunk.bytes_consumed;
  out.last_of_input = chunk.last_of_input;
  out.unterminated = unterminated;
  out.resume = chunk.resume;
  out.superseded = chunk.superseded;
  out.superseded_reason = std::move(chunk.superseded_reason);
  out.resume_hash = chunk.resume_hash;
  // Damage the splitter found inside a record (truncation, unbalanced brackets, size) rejects
  // that record as surely as the record parser would.
  for (const ParseError& e : out.errors)
    out.stats.rejected_records += e.record_index >= 0;
  if (!chunk.records.empty()) parser.parse_chunk(chunk, out.batch, out.errors, out.stats);
  // Errors in input order, whichever stage found them, so that the report never depends on
  // how the input was cut into chunks.
  if (out.errors.size() > 1) {
    std::stable_sort(
        out.errors.begin(), out.errors.end(),
        [](const ParseError& a, const ParseError& b) { return a.byte_offset < b.byte_offset; });
  }
}

void run_single_threaded(const std::vector<InputSpec>& inputs, const PipelineOptions& options,
                         ChunkConsumer& consumer) {
  BufferPool pool(options.limits.chunk_bytes, 4);
  RecordParser parser(options.limits);
  ParsedChunk parsed;
  split_inputs(inputs, options.limits, pool, [&](Chunk chunk, bool unterminated) {
    parse_one(parser, inputs, chunk, unterminated, parsed);
    pool.release(std::move(chunk.buffer));
    consumer.prepare(parsed);
    consumer.consume(parsed);
  });
}

// State shared by the producer, the workers and the consuming thread.
class Exchange {
 public:
  explicit Exchange(std::size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  struct Work {
    std::uint64_t seq;
    Chunk chunk;
    bool unterminated;
  };

  // Producer: blocks while too many chunks are in flight. False when the run is aborted.
  bool push_work(Chunk chunk, bool unterminated) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [&] { return in_flight_ < max_in_flight_ || aborted_; });
    if (aborted_) return false;
    ++in_flight_;
    work_.push_back(Work{next_seq_++, std::move(chunk), unterminated});
    work_ready_.notify_one();
    return true;
  }
  void finish_producing() {
    std::lock_guard<std::mutex> lock(mutex_);
    producing_ = false;
    work_ready_.notify_all();
    done_ready_.notify_all();
  }
  // Worker: next chunk to parse, or nullopt when there will be no more.
  std::optional<Work> pop_work() {
    std::unique_lock<std::mutex> lock(mutex_);
    work_ready_.wait(lock, [&] { return !work_.empty() || !producing_ || aborted_; });
    if (aborted_ || work_.empty()) return std::nullopt;
    Work w = std::move(work_.front());
    work_.pop_front();
    return w;
  }
  std::unique_ptr<ParsedChunk> take_spare() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spares_.empty()) return std::make_unique<ParsedChunk>();
    auto p = std::move(spares_.back());
    spares_.pop_back();
    return p;
  }
  void put_done(std::uint64_t seq, std::unique_ptr<ParsedChunk> parsed) {
    std::lock_guard<std::mutex> lock(mutex_);
    done_.emplace(seq, std::move(parsed));
    done_ready_.notify_all();
  }
  // Consumer: the next chunk in order, or nullptr when everything was consumed.
  std::unique_ptr<ParsedChunk> next_done() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_ready_.wait(lock, [&] {
      return aborted_ || done_.count(next_consume_) > 0 ||
             (!producing_ && next_consume_ == next_seq_);
    });
    if (aborted_) return nullptr;
    auto it = done_.find(next_consume_);
    if (it == done_.end()) return nullptr;
    auto p = std::move(it->second);
    done_.erase(it);
    ++next_consume_;
    return p;
  }
  void recycle(std::unique_ptr<ParsedChunk> parsed) {
    std::lock_guard<std::mutex> lock(mutex_);
    --in_flight_;
    if (spares_.size() < max_in_flight_) spares_.push_back(std::move(parsed));
    space_.notify_one();
  }
  void abort(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = error;
    aborted_ = true;
    space_.notify_all();
    work_ready_.notify_all();
    done_ready_.notify_all();
  }
  std::exception_ptr error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }

 private:
  std::size_t max_in_flight_;
  std::mutex mutex_;
  std::condition_variable space_, work_ready_, done_ready_;
  std::deque<Work> work_;
  std::map<std::uint64_t, std::unique_ptr<ParsedChunk>> done_;
  std::vector<std::unique_ptr<ParsedChunk>> spares_;
  std::size_t in_flight_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_consume_ = 0;
  bool producing_ = true;
  bool aborted_ = false;
  std::exception_ptr error_;
};

void run_multi_threaded(const std::vector<InputSpec>& inputs, const PipelineOptions& options,
                        unsigned workers, ChunkConsumer& consumer) {
  std::size_t max_in_flight = workers + 2;
  BufferPool pool(options.limits.chunk_bytes, max_in_flight + 2);
  Exchange exchange(max_in_flight);

  std::thread producer([&] {
    try {
      split_inputs(inputs, options.limits, pool, [&](Chunk chunk, bool unterminated) {
        if (!exchange.push_work(std::move(chunk), unterminated))
          throw std::runtime_error("aborted");
      });
    } catch (...) {
      exchange.abort(std::current_exception());
    }
    exchange.finish_producing();
  });

  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      try {
        RecordParser parser(options.limits);
        while (auto work = exchange.pop_work()) {
          auto parsed = exchange.take_spare();
          parse_one(parser, inputs, work->chunk, work->unterminated, *parsed);
          pool.release(std::move(work->chunk.buffer));
          consumer.prepare(*parsed);
          exchange.put_done(work->seq, std::move(parsed));
        }
      } catch (...) {
        exchange.abort(std::current_exception());
      }
    });
  }

  try {
    while (auto parsed = exchange.next_done()) {
      consumer.consume(*parsed);
      exchange.recycle(std::move(parsed));
    }
  } catch (...) {
    exchange.abort(std::current_exception());
  }
  producer.join();
  for (auto& t : threads)
    t.join();
  if (auto error = exchange.error()) std::rethrow_exception(error);
}

}  // namespace

void run_parse_pipeline(const std::vector<InputSpec>& inputs, const PipelineOptions& options,
                        ChunkConsumer& consumer) {
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    run_single_threaded(inputs, options, consumer);
  } else {
    run_multi_threaded(inputs, options, threads, consumer);
  }
}

}  // namespace flowlens
