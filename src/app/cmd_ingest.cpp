// `flowlens ingest [--data DIR] [--interval 10m|60m] PATH...`: store flow logs in a data
// directory, exactly once.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "app/commands.h"
#include "app/error_report.h"
#include "app/exit_codes.h"
#include "app/ingest_args.h"
#include "app/ingest_observer.h"
#include "app/progress_meter.h"
#include "ingest/ingest_job.h"
#include "store/data_dir.h"

namespace flowlens {
namespace {

struct IngestCommandOptions {
  std::vector<std::string> paths;
  IngestArgs common;  // blob source, data directory, threads, error reporting, enrichment
  std::string source_name;
  std::size_t max_record_bytes = ParseLimits{}.max_record_bytes;
  std::uint64_t commit_tuples = ingest::IngestOptions{}.commit_tuples;
  bool no_compact = false;
  std::string now;
  bool quiet = false;
};

int run_ingest_command(const IngestCommandOptions& o) {
  const IngestArgs& c = o.common;
  if (o.paths.empty() == c.blob.empty()) {
    fmt::print(stderr,
               "flowlens: ingest needs flow-log paths or --blob SOURCE (a connection string or "
               "container URL), not both\n");
    return kExitUsage;
  }
  ingest::IngestOptions options;
  options.paths = o.paths;
  if (!apply_blob_args(c, options)) return kExitUsage;
  options.stdin_name = o.source_name;
  options.limits.max_record_bytes = o.max_record_bytes;
  options.commit_tuples = o.commit_tuples;
  options.compact = !o.no_compact;
  if (!o.now.empty()) {
    auto now = parse_user_time(o.now);
    if (!now) {
      fmt::print(stderr, "flowlens: --now: not a time: {}\n", o.now);
      return kExitUsage;
    }
    options.now = *now;
  }
  std::string data = c.data_dir();
  ProgressMeter progress(!o.quiet && ProgressMeter::stderr_is_terminal(), "ingest", "tuples",
                         std::nullopt, 0);
  try {
    auto dir = store::DataDir::open(data, store::DataDir::Mode::kWrite, c.data_dir_settings());
    try {
      prepare_data_dir(*dir, c, o.quiet, options);
    } catch (const enrich::EnrichError& e) {
      progress.finish();
      fmt::print(stderr, "flowlens: enrichment input: {}\n", e.what());
      return kExitUsage;
    }
    ErrorReport errors(o.quiet ? 0 : c.max_error_lines, c.errors_path);
    CommandObserver observer(errors, progress, o.quiet);
    auto start = std::chrono::steady_clock::now();
    ingest::IngestStats s = ingest::run_ingest(*dir, options, observer);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    if (!errors.finish()) {
      fmt::print(stderr, "flowlens: cannot write {}\n", c.errors_path);
      return kExitFailure;
    }
    if (!o.quiet) {
      fmt::print("ingested {} input(s) into {}: {} new, {} grown, {} unchanged, {} rewritten",
                 s.inputs, data, s.new_inputs, s.resumed, s.unchanged, s.rewritten);
      if (s.duplicates > 0) fmt::print(", {} given twice", s.duplicates);
      if (s.superseded + s.deferred > 0) {
        fmt::print(", {} changed while read, {} deferred (read next time)", s.superseded,
                   s.deferred);
      }
      fmt::print("\n  {} tuples stored", s.tuples);
      if (s.skipped_tuples > 0) fmt::print(" ({} already stored were skipped)", s.skipped_tuples);
      fmt::print(
          " from {:.1f} MB in {:.2f} s ({:.2f} M tuples/s); {} commit(s), {} segment(s), "
          "{:.1f} MB written\n",
          static_cast<double>(s.bytes) / 1e6, seconds,
          seconds > 0 ? static_cast<double>(s.tuples) / seconds / 1e6 : 0.0, s.commits,
          s.segments_written, static_cast<double>(s.bytes_written) / 1e6);
      if (!options.blob_source.empty()) {
        fmt::print("  {} bytes downloaded, {} bytes parsed\n", s.bytes_downloaded, s.bytes);
      }
      if (s.expired_segments > 0) {
        fmt::print("  retention removed {} segment(s)\n", s.expired_segments);
      }
      if (s.compacted_segments > 0) {
        fmt::print("  compaction merged {} small segment(s)\n", s.compacted_segments);
      }
    }
    if (s.errors > 0) {
      if (!o.quiet) {
        fmt::print(stderr,
                   "flowlens: {} problem(s): {} record(s) and {} tuple(s) rejected and kept in "
                   "table IngestErrors; everything else was stored\n",
                   s.errors, s.rejected_records, s.rejected_tuples);
      }
      return kExitPartial;
    }
    return kExitOk;
  } catch (const ingest::UsageError& e) {
    progress.finish();
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    progress.finish();
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

CommandRunner add_ingest_command(CLI::App& app) {
  auto o = std::make_shared<IngestCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Store flow logs in a data directory (exactly once; grown blobs add only new "
      "records)");
  cmd->add_option("paths", o->paths,
                  "Flow-log files, directories (walked recursively) or - for stdin");
  add_blob_options(*cmd, o->common, "With --blob: ");
  add_store_options(*cmd, o->common);
  cmd->add_option("--source-name", o->source_name,
                  "Name under which standard input (-) is checkpointed");
  cmd->add_option("--max-record-size", o->max_record_bytes,
                  "Reject records larger than this many bytes")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  cmd->add_option("--commit-tuples", o->commit_tuples,
                  "Commit after this many tuples (smaller: less to redo after a crash, more "
                  "segments)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_flag("--no-compact", o->no_compact, "Do not compact small segments after the run");
  cmd->add_option("--now", o->now, "The time retention counts from (default: the clock)");
  cmd->add_flag("-q,--quiet", o->quiet, "No progress, summary or rejection lines");
  return [o] { return run_ingest_command(*o); };
}

}  // namespace flowlens
