#include "ingest/ingest_job.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_set>

#include "aggregate/rollup.h"
#include "blob/blob_client.h"
#include "blob/blob_endpoint.h"
#include "flowlog/parse_pipeline.h"
#include "ingest/blob_inputs.h"
#include "ingest/block_digest.h"
#include "ingest/flow_tuples_appender.h"
#include "ingest/source_identity.h"
#include "source/file_reader.h"
#include "source/input_discovery.h"
#include "store/maintenance.h"

namespace flowlens::ingest {
namespace {

namespace fs = std::filesystem;

enum class Action { kNew, kUnchanged, kResumed, kRewritten, kDuplicate, kDeferred };

// One input of the run, matched to its source.
struct PlannedInput {
  InputSpec spec;
  std::optional<BlobInput> blob;  // a blob of a storage account (else a file or stdin)
  // Its committed blocks in the version read (blobs only), for the checkpoint's block digest.
  std::optional<std::vector<blob::Block>> blocks;
  std::string path;  // what the user gave (or the spooled copy of stdin)
  Action action = Action::kNew;
  std::optional<FileState> state;
  store::SourceRecord record;  // the checkpoint, advanced as chunks are consumed
  Ticks skip_through = kMinTicks;
  bool dirty = false;                             // record changed since the last commit
  std::optional<store::SourceRecord> checkpoint;  // as the run found it
  bool advanced = false;                          // a chunk of it was read in this run
};

// Standard input is copied to a file in the data directory first, so that it can be matched
// against its checkpoint like any file (the prefix is hashed, then skipped).
std::string spool_stdin(const std::string& data_dir) {
  fs::path dir = fs::path(data_dir) / "tmp";
  fs::create_directories(dir);
  std::string path = (dir / fmt::format("stdin-{}.json", ::getpid())).string();
  int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) throw std::runtime_error(fmt::format("cannot create {}", path));
  FileReader in = FileReader::from_descriptor(STDIN_FILENO, "<stdin>");
  std::vector<char> buffer(1 << 20);
  for (;;) {
    std::size_t n = in.read(buffer.data(), buffer.size());
    if (n == 0) break;
    const char* p = buffer.data();
    while (n > 0) {
      ssize_t w = ::write(out, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ::close(out);
        throw std::runtime_error(fmt::format("cannot write {}", path));
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  ::close(out);
  return path;
}

InputSpec file_spec(const std::string& name, const std::string& path,
                    std::optional<std::uint64_t> size) {
  return InputSpec{name, size, [path]() -> std::unique_ptr<ByteReader> {
                     return std::make_unique<FileReader>(path);
                   }};
}

// What a parse worker prepares from a chunk: its FlowTuples rows, encoded and compressed, and
// the rollup of its tuples, which the committing thread merges into the commit's rollup.
struct PreparedTuples final : PreparedWork {
  store::SegmentFragment fragment;
  std::uint64_t appended = 0;
  std::unique_ptr<aggregate::RollupBuilder> rollup;
};

class IngestRun final : public ChunkConsumer {
 public:
  IngestRun(store::DataDir& dir, const IngestOptions& options, IngestObserver& observer)
      : dir_(dir),
        options_(options),
        observer_(observer),
        rollup_(dir.interval(), options.enricher.get()),
        tuples_(store::new_segment_writer(store::flow_tuples_table())),
        errors_(store::new_segment_writer(store::ingest_errors_table())),
        analytics_(store::new_segment_writer(store::net_analytics_table())) {}

  IngestStats run() {
    started_ = now_ticks();
    {
      store::Catalog::Transaction t(dir_.catalog(), true);
      ingest_id_ = dir_.catalog().begin_ingest(started_);
      t.commit();
    }
    std::string status = "failed";
    std::string spooled;
    try {
      spooled = plan();
      std::vector<InputSpec> specs;
      for (std::size_t i = 0; i < planned_.size(); ++i) {
        Action a = planned_[i].action;
        if (a == Action::kUnchanged || a == Action::kDuplicate || a == Action::kDeferred) continue;
        pipeline_index_.push_back(i);
        specs.push_back(planned_[i].spec);
        // What workers read while the consuming thread updates planned_.
        worker_view_.push_back({planned_[i].record.key, planned_[i].skip_through});
      }
      PipelineOptions po;
      po.threads = options_.threads;
      po.limits = options_.limits;
      // Chunks of about one row group of tuples: fewer, larger row groups compress better.
      po.limits.chunk_bytes = std::max<std::size_t>(po.limits.chunk_bytes, 4u << 20);
      if (!specs.empty()) run_parse_pipeline(specs, po, *this);
      commit();
      stats_.bytes_downloaded = downloaded_;
      status = "completed";
    } catch (const std::exception& e) {
      finish(status, e.what());
      if (!spooled.empty()) fs::remove(spooled);
      throw;
    }
    if (!spooled.empty()) {
      std::error_code ec;
      fs::remove(spooled, ec);
    }
    finish(status);
    Ticks now = options_.now != 0 ? options_.now : now_ticks();
    stats_.expired_segments = store::apply_retention(dir_, now);
    if (options_.compact) {
      store::CompactionOptions co;
      co.now = now;
      store::CompactionResult r = store::compact(dir_, co);
      stats_.compacted_segments = r.segments_in;
    }
    return stats_;
  }

  // Runs on the parse workers: encodes the chunk's FlowTuples rows.
  void prepare(ParsedChunk& chunk) override {
    const WorkerView& view = worker_view_[chunk.input_index];
    auto work = std::make_unique<PreparedTuples>();
    // The rollup classifies each tuple (FlowType, countries, ASNs); FlowTuples stores that too.
    work->rollup = acquire_rollup();
    aggregate::TupleEnrichment enrichment;
    work->rollup->add(chunk.batch, view.skip_through, &enrichment);
    work->rollup->dedupe_ports();
    std::unique_ptr<FlowTuplesAppender> appender = acquire_appender();
    work->appended = appender->add(chunk.batch, view.key, view.skip_through, &enrichment);
    work->fragment = appender->take_fragment();
    release_appender(std::move(appender));
    chunk.prepared = std::move(work);
  }

  void consume(ParsedChunk& chunk) override {
    PlannedInput& in = planned_[pipeline_index_[chunk.input_index]];
    auto& prepared = dynamic_cast<PreparedTuples&>(*chunk.prepared);
    std::uint64_t added = prepared.appended;
    tuples_->append_fragment(std::move(prepared.fragment));
    rollup_.absorb(*prepared.rollup);
    release_rollup(std::move(prepared.rollup));
    stats_.tuples += added;
    stats_.skipped_tuples += chunk.batch.size() - added;
    stats_.bytes += chunk.bytes_consumed;
    stats_.rejected_records += chunk.stats.rejected_records;
    stats_.rejected_tuples += chunk.stats.rejected_tuples;
    pending_tuples_ += added;

    bool read_failed = false;
    for (const ParseError& e : chunk.errors) {
      observer_.on_error(e);
      add_error_row(e, in.record.key);
      read_failed = read_failed || e.code == ParseErrorCode::read_failed;
    }
    stats_.errors += chunk.errors.size();

    store::SourceRecord& r = in.record;
    if (chunk.superseded) {
      ++stats_.superseded;
      observer_.on_notice(chunk.superseded_reason);
    }
    // A chunk that reports a read failure, or that the input was superseded, carries no resume
    // point: the checkpoint stays where the last chunk read left it.
    if (!read_failed && !chunk.superseded) {
      in.advanced = true;
      r.resume = chunk.resume;
      if (in.blob) {
        r.hash_state = chunk.resume_hash.serialize();
        r.has_blocks = in.blocks.has_value();
        if (in.blocks) {
          BlockPrefix prefix = block_prefix(*in.blocks, r.resume.offset);
          r.block_count = prefix.count;
          r.block_digest = prefix.digest;
        }
      }
    }
    r.tuples += added;
    r.errors += chunk.errors.size();
    for (const RecordInfo& record : chunk.batch.records) {
      if (!r.has_last_record || record.time > r.last_record_time) {
        r.last_record_time = record.time;
        r.has_last_record = true;
      }
    }
    if (read_failed) {
      for (const ParseError& e : chunk.errors) {
        if (e.code == ParseErrorCode::read_failed) r.last_error = e.message;
      }
      r.last_error_time = now_ticks();
    } else if (chunk.last_of_input && !chunk.superseded) {
      r.last_error.clear();  // read through to its end: the earlier problem is over
      r.last_error_time = 0;
      r.has_skip_through = false;  // a rewrite read to its end has skipped all it had to
    }
    if (chunk.last_of_input) {
      r.complete = !read_failed && !chunk.superseded;
      // A superseded blob is most likely still growing; its next read tells.
      r.unterminated = chunk.superseded || chunk.unterminated;
      ++inputs_done_;
    }
    if (chunk.last_of_input && (read_failed || chunk.superseded) && !in.advanced && in.checkpoint) {
      // Nothing of it was read in this run: its checkpoint stays as it was (a rewrite that
      // could not start must not move it back to the start), with this run's errors.
      store::SourceRecord kept = *in.checkpoint;
      kept.errors = r.errors;
      kept.last_error = r.last_error;
      kept.last_error_time = r.last_error_time;
      r = std::move(kept);
    }
    r.last_ingest = started_;
    // A source that could not be looked at (it vanished) keeps no checkpoint.
    in.dirty = in.state.has_value();
    observer_.on_progress(inputs_done_, stats_.bytes, stats_.tuples);

    if (pending_tuples_ >= options_.commit_tuples || buffered_bytes() >= options_.commit_bytes) {
      commit();
    }
  }

 private:
  std::size_t buffered_bytes() const {
    return rollup_.memory_bytes() + tuples_->compressed_bytes() + errors_->compressed_bytes() +
           error_bytes_;
  }

  // Matches every input to its source; returns the path of spooled stdin, if any.
  std::string plan() {
    if (!options_.blob_source.empty()) {
      plan_blobs();
      return {};
    }
    DiscoveryResult found = discover_inputs(options_.paths);
    if (!found.problems.empty()) {
      std::string all;
      for (const std::string& p : found.problems)
        all += (all.empty() ? "" : "; ") + p;
      throw UsageError(all);
    }
    std::string spooled;
    std::set<std::string> seen;
    store::Catalog& catalog = dir_.catalog();
    for (InputSpec& spec : found.inputs) {
      PlannedInput p;
      if (spec.name == "<stdin>") {
        if (options_.stdin_name.empty()) {
          throw UsageError(
              "reading standard input needs --source-name NAME (the name under "
              "which its checkpoint is kept)");
        }
        spooled = spool_stdin(dir_.path());
        p.path = spooled;
        p.record.key = options_.stdin_name;
        p.record.path = "<stdin>";
      } else {
        p.path = spec.name;
        p.record.key = source_key(spec.name);
        p.record.path = p.path;
      }
      p.state = file_state(p.path);
      p.spec = file_spec(spec.name, p.path,
                         p.state ? std::optional<std::uint64_t>(p.state->size) : spec.size);
      ++stats_.inputs;
      if (!seen.insert(p.record.key).second) {
        p.action = Action::kDuplicate;
        ++stats_.duplicates;
        observer_.on_notice(
            fmt::format("{}: skipped, the same source ({}) was given earlier in "
                        "this run",
                        spec.name, p.record.key));
        planned_.push_back(std::move(p));
        continue;
      }
      match_checkpoint(p, catalog.source(p.record.key), [&](const store::SourceRecord& old) {
        PrefixCheck check;
        if (std::optional<StreamHash> h = hash_prefix(p.path, old.resume.offset)) {
          check.outcome = PrefixCheck::Outcome::kHashed;
          check.hash = std::move(*h);
        }
        return check;
      });
      planned_.push_back(std::move(p));
    }
    return spooled;
  }

  // The blobs of a container, each matched to its checkpoint: a blob whose ETag is the one
  // read to the end is skipped without a request; a changed one is continued from its
  // checkpoint when its blocks before it are unchanged (no download of the prefix).
  void plan_blobs() {
    blob::BlobSource source = blob::parse_blob_source(options_.blob_source);
    std::string container =
        options_.blob_container.empty() ? source.container : options_.blob_container;
    if (container.empty()) {
      throw UsageError("--blob: name the container (--container NAME, or a container URL)");
    }
    store::Catalog& catalog = dir_.catalog();
    blob::BlobClient client(source);
    reader_client_ = std::make_unique<blob::BlobClient>(source);
    std::unordered_set<std::string> listed;
    for (BlobInput& in : list_blob_inputs(source, container, options_.blob_prefix)) {
      if (options_.blob_since != kMinTicks) {
        std::optional<Ticks> hour = blob_hour(in.blob);
        if (hour && *hour + kTicksPerHour <= options_.blob_since) continue;
      }
      if (!listed.insert(in.blob).second) {
        ++stats_.duplicates;  // listed twice (a listing that changed between its pages)
        continue;
      }
      PlannedInput p;
      p.path = in.name();
      p.record.key = in.name();
      p.record.path = blob::redacted(source.endpoint.url()) + "/" + in.name();
      p.spec.name = in.name();
      ++stats_.inputs;
      // The committed block list of the version about to be read, fetched once when needed. A
      // commit after the listing moves the read to the block list's (newer) version.
      // The checkpoint is compared with, and the read pinned to, the version `in` names.
      auto adopt = [&]() {
        p.record.etag = in.etag;
        p.state = FileState{in.size, in.mtime};
      };
      adopt();
      bool blocks_fetched = false;
      auto fetch_blocks = [&]() {
        // Once: a second answer could name a newer version than the one compared below.
        if (blocks_fetched) return;
        blocks_fetched = true;
        try {
          blob::BlockListResult list = client.get_block_list(in.container, in.blob);
          if (!list.etag.empty()) {
            in.etag = list.etag;
            in.size = list.content_length;
            adopt();
            // A blob written in one Put Blob has no blocks: every version of it would have the
            // same (empty) block digest, so it gets none and is compared by its bytes.
            if (!list.blocks.empty()) p.blocks = std::move(list.blocks);
          }
        } catch (const blob::BlobError&) {
          // Gone or unreadable now: the read below reports it.
        }
      };
      match_checkpoint(p, catalog.source(p.record.key), [&](const store::SourceRecord& old) {
        fetch_blocks();
        PrefixCheck check;
        if (in.size < old.resume.offset) return check;  // shorter: rewritten
        if (p.blocks && old.has_blocks && old.block_count > 0 && !old.hash_state.empty()) {
          BlockPrefix now = block_prefix(*p.blocks, old.resume.offset);
          std::optional<StreamHash> kept = StreamHash::restore(old.hash_state);
          if (kept && kept->digest() == old.resume.hash &&
              now == BlockPrefix{old.block_count, old.block_digest}) {
            check.outcome = PrefixCheck::Outcome::kHashed;
            check.hash = std::move(*kept);
            return check;
          }
        }
        // No usable block digest or hash state: hash the prefix as downloaded.
        return hash_blob_prefix(client, in, old.resume.offset, &downloaded_);
      });
      if (p.action != Action::kUnchanged && p.action != Action::kDeferred) fetch_blocks();
      p.record.size = in.size;
      p.record.mtime = in.mtime;
      p.spec.size = in.size;
      // The pipeline opens its inputs one after another on one thread: they share a client.
      p.spec.open = [this, in]() { return open_blob(*reader_client_, in, &downloaded_); };
      p.blob = in;
      planned_.push_back(std::move(p));
    }
  }

  // Decides how to read `p` from its source's checkpoint (new, unchanged, resumed, rewritten,
  // or deferred to the next run when its first bytes cannot be compared now). `prefix_of`
  // compares the first old.resume.offset bytes of the input as it is now.
  void match_checkpoint(PlannedInput& p, const std::optional<store::SourceRecord>& known,
                        const std::function<PrefixCheck(const store::SourceRecord&)>& prefix_of) {
    const std::string& name = p.spec.name;
    {
      p.checkpoint = known;
      p.record.first_ingest = started_;
      // Read from the start unless resumed below: the hash of no bytes (a read that ends before
      // its first chunk, superseded or failed, keeps this checkpoint).
      p.record.resume.hash = StreamHash().digest();
      if (p.state) {
        p.record.size = p.state->size;
        p.record.mtime = p.state->mtime;
      }
      if (!known) {
        p.action = Action::kNew;
        ++stats_.new_inputs;
      } else {
        store::SourceRecord old = *known;
        // A blob is the same version when its ETag is the one read; a file when its size and
        // modification time are.
        bool same_version = !p.record.etag.empty() && !old.etag.empty()
                                ? p.record.etag == old.etag
                                : p.state && old.size == p.state->size &&
                                      old.mtime == p.state->mtime && p.record.path != "<stdin>";
        bool same_file = p.state && old.complete && same_version;
        PrefixCheck prefix;
        if (p.state && !same_file && p.state->size >= old.resume.offset) prefix = prefix_of(old);
        p.record.first_ingest = old.first_ingest;
        p.record.tuples = old.tuples;
        p.record.errors = old.errors;
        p.record.has_last_record = old.has_last_record;
        p.record.last_record_time = old.last_record_time;
        p.record.last_error = old.last_error;
        p.record.last_error_time = old.last_error_time;
        if (same_file) {
          p.action = Action::kUnchanged;
          ++stats_.unchanged;
        } else if (prefix.outcome == PrefixCheck::Outcome::kUnknown ||
                   prefix.outcome == PrefixCheck::Outcome::kFailed) {
          // Neither "same" nor "rewritten" is known: reading it now could store records twice
          // (as a rewrite) or lose them. Its checkpoint stays as it is; a failure that will not
          // go away by itself is also an error of the run, kept as the source's last error.
          p.action = Action::kDeferred;
          ++stats_.deferred;
          std::string message = fmt::format(
              "{}: its first {} bytes cannot be compared with its checkpoint now ({}); "
              "tried again next time",
              name, old.resume.offset, prefix.why);
          if (prefix.outcome == PrefixCheck::Outcome::kUnknown) {
            observer_.on_notice(message);
          } else {
            ParseError e{p.record.key, -1, -1, 0, ParseErrorCode::read_failed, message, {}};
            observer_.on_error(e);
            add_error_row(e, p.record.key);
            ++stats_.errors;
            p.record = old;
            p.record.last_error = message;
            p.record.last_error_time = now_ticks();
            p.dirty = true;  // the same checkpoint, with its last error
          }
        } else if (prefix.outcome == PrefixCheck::Outcome::kHashed &&
                   prefix.hash.digest() == old.resume.hash) {
          p.action = Action::kResumed;
          ++stats_.resumed;
          p.spec.resume = old.resume;
          p.spec.resume_hash = prefix.hash;
          p.record.resume = old.resume;
          p.record.unterminated = old.unterminated;
          // An interrupted rewrite goes on skipping what was stored before it.
          p.record.has_skip_through = old.has_skip_through;
          p.record.skip_through = old.skip_through;
          if (old.has_skip_through) p.skip_through = old.skip_through;
          if (!p.record.etag.empty()) {
            // A blob: its checkpoint's block digest and hash state stay valid until a chunk
            // moves the resume point. A file read leaves them empty: they would describe an
            // offset its read moves away from.
            p.record.hash_state = old.hash_state;
            p.record.has_blocks = old.has_blocks;
            p.record.block_count = old.block_count;
            p.record.block_digest = old.block_digest;
          }
        } else if (!p.state) {
          p.action = Action::kNew;  // unreadable now: the pipeline reports it
        } else {
          p.action = Action::kRewritten;
          ++stats_.rewritten;
          p.skip_through = old.has_last_record ? old.last_record_time : kMinTicks;
          // Kept in the checkpoint until this read reaches the end (see SourceRecord).
          p.record.has_skip_through = old.has_last_record;
          p.record.skip_through = old.last_record_time;
          observer_.on_notice(fmt::format(
              "{}: its first {} bytes changed since they were stored; reading it again and "
              "keeping only records after {}",
              name, old.resume.offset,
              old.has_last_record ? format_iso8601(old.last_record_time) : "the start"));
        }
      }
    }
  }

  void add_error_row(const ParseError& e, const std::string& source) {
    store::SegmentWriter& w = *errors_;
    w.column(0).add_int(started_);
    w.column(1).add_string(source);
    auto index_or_null = [](store::ColumnBuilder& c, std::int64_t v) {
      if (v < 0)
        c.add_null();
      else
        c.add_int(v);
    };
    index_or_null(w.column(2), e.record_index);
    index_or_null(w.column(3), e.tuple_index);
    w.column(4).add_int(static_cast<std::int64_t>(e.byte_offset));
    w.column(5).add_string(error_code_name(e.code));
    w.column(6).add_string(e.message);
    w.column(7).add_string(e.excerpt);
    w.row_appended();
    error_bytes_ += e.message.size() + e.excerpt.size() + source.size() + 64;
  }

  // Writes one segment file; returns its catalog row.
  store::SegmentRecord write_segment(store::SegmentWriter& w, const store::TableDef& table,
                                     Ticks created) {
    store::SegmentRecord r;
    r.table = table.id;
    r.file = dir_.new_segment_file(table);
    std::string path = dir_.segment_path(r.file);
    w.write(path, created);
    r.rows = w.rows();
    r.bytes = fs::file_size(path);
    r.has_time = w.has_time();
    r.min_time = w.min_time();
    r.max_time = w.max_time();
    r.created = created;
    ++stats_.segments_written;
    stats_.bytes_written += r.bytes;
    return r;
  }

  void commit() {
    bool any_dirty = std::any_of(planned_.begin(), planned_.end(),
                                 [](const PlannedInput& p) { return p.dirty; });
    Ticks processed = now_ticks();
    rollup_.flush(*analytics_, processed);
    std::vector<store::SegmentRecord> written;
    if (tuples_->rows() > 0) {
      written.push_back(write_segment(*tuples_, store::flow_tuples_table(), processed));
    }
    if (analytics_->rows() > 0) {
      written.push_back(write_segment(*analytics_, store::net_analytics_table(), processed));
    }
    if (errors_->rows() > 0) {
      written.push_back(write_segment(*errors_, store::ingest_errors_table(), processed));
    }
    auto nic_addresses = rollup_.take_nic_addresses();
    if (!written.empty() || any_dirty || !nic_addresses.empty()) {
      store::Catalog& catalog = dir_.catalog();
      store::Catalog::Transaction t(catalog, true);
      for (const store::SegmentRecord& r : written)
        catalog.add_segment(r);
      for (PlannedInput& p : planned_) {
        if (p.dirty) catalog.put_source(p.record);
      }
      catalog.add_nic_addresses(nic_addresses);
      t.commit();
      ++stats_.commits;
    }
    for (PlannedInput& p : planned_)
      p.dirty = false;
    tuples_ = store::new_segment_writer(store::flow_tuples_table());
    analytics_ = store::new_segment_writer(store::net_analytics_table());
    errors_ = store::new_segment_writer(store::ingest_errors_table());
    pending_tuples_ = 0;
    error_bytes_ = 0;
  }

  void finish(const std::string& status, const std::string& message = {}) {
    try {
      store::IngestRecord r;
      r.id = ingest_id_;
      r.started = started_;
      r.finished = now_ticks();
      r.inputs = stats_.inputs;
      r.tuples = stats_.tuples;
      r.errors = stats_.errors;
      r.status = status;
      r.message = message;
      store::Catalog::Transaction t(dir_.catalog(), true);
      dir_.catalog().finish_ingest(r);
      t.commit();
    } catch (const std::exception&) {
      // The run's outcome is what matters; its bookkeeping row stays "running".
    }
  }

  store::DataDir& dir_;
  const IngestOptions& options_;
  IngestObserver& observer_;
  std::vector<PlannedInput> planned_;
  std::vector<std::size_t> pipeline_index_;  // pipeline input index -> planned_ index
  struct WorkerView {
    std::string key;
    Ticks skip_through;
  };
  std::vector<WorkerView> worker_view_;  // by pipeline input index; read-only during the run
  std::unique_ptr<FlowTuplesAppender> acquire_appender() {
    std::lock_guard<std::mutex> lock(appenders_mutex_);
    if (appenders_.empty()) return std::make_unique<FlowTuplesAppender>();
    auto a = std::move(appenders_.back());
    appenders_.pop_back();
    return a;
  }
  void release_appender(std::unique_ptr<FlowTuplesAppender> a) {
    std::lock_guard<std::mutex> lock(appenders_mutex_);
    appenders_.push_back(std::move(a));
  }
  std::unique_ptr<aggregate::RollupBuilder> acquire_rollup() {
    std::lock_guard<std::mutex> lock(appenders_mutex_);
    if (rollups_.empty()) {
      return std::make_unique<aggregate::RollupBuilder>(dir_.interval(), options_.enricher.get());
    }
    auto r = std::move(rollups_.back());
    rollups_.pop_back();
    return r;
  }
  void release_rollup(std::unique_ptr<aggregate::RollupBuilder> r) {
    std::lock_guard<std::mutex> lock(appenders_mutex_);
    rollups_.push_back(std::move(r));
  }
  std::mutex appenders_mutex_;  // guards both pools
  std::vector<std::unique_ptr<FlowTuplesAppender>> appenders_;
  std::vector<std::unique_ptr<aggregate::RollupBuilder>> rollups_;
  aggregate::RollupBuilder rollup_;
  std::unique_ptr<store::SegmentWriter> tuples_;
  std::unique_ptr<store::SegmentWriter> errors_;
  std::unique_ptr<store::SegmentWriter> analytics_;
  std::atomic<std::uint64_t> downloaded_{0};         // blob bytes, by the readers and prefix hashes
  std::unique_ptr<blob::BlobClient> reader_client_;  // the blob readers' (pipeline thread)
  std::uint64_t pending_tuples_ = 0;
  std::size_t error_bytes_ = 0;
  std::uint64_t inputs_done_ = 0;
  std::int64_t ingest_id_ = 0;
  Ticks started_ = 0;
  IngestStats stats_;
};

}  // namespace

IngestStats run_ingest(store::DataDir& dir, const IngestOptions& options,
                       IngestObserver& observer) {
  IngestRun run(dir, options, observer);
  return run.run();
}

}  // namespace flowlens::ingest
