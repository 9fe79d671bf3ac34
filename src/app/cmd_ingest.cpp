// `flowlens ingest [--data DIR] [--interval 10m|60m] PATH...`: store flow logs in a data
// directory, exactly once.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "app/commands.h"
#include "app/duration_option.h"
#include "app/error_report.h"
#include "app/exit_codes.h"
#include "app/ingest_observer.h"
#include "app/progress_meter.h"
#include "app/secret_file.h"
#include "enrich/enrichment_store.h"
#include "ingest/ingest_job.h"
#include "store/data_dir.h"

namespace flowlens {
namespace {

struct IngestCommandOptions {
  std::vector<std::string> paths;
  std::string blob;  // a connection string or container URL (secret: never printed)
  std::string blob_container;
  std::string blob_prefix;
  std::string blob_since;
  std::string data;
  std::string interval;
  int retention_days = -1;
  std::string source_name;
  unsigned threads = 0;
  std::size_t max_record_bytes = ParseLimits{}.max_record_bytes;
  std::uint64_t commit_tuples = ingest::IngestOptions{}.commit_tuples;
  bool no_compact = false;
  std::string now;
  std::string errors_path;
  std::size_t max_error_lines = 20;
  bool quiet = false;
  enrich::EnrichmentInputs enrichment;
};

int run_ingest_command(const IngestCommandOptions& o) {
  store::DataDirSettings settings;
  if (!o.interval.empty()) {
    settings.interval_minutes = o.interval == "60m" || o.interval == "1h" ? 60 : 10;
    settings.interval_given = true;
  }
  if (o.paths.empty() == o.blob.empty()) {
    fmt::print(stderr,
               "flowlens: ingest needs flow-log paths or --blob SOURCE (a connection string or "
               "container URL), not both\n");
    return kExitUsage;
  }
  ingest::IngestOptions options;
  options.paths = o.paths;
  options.blob_source = o.blob;
  if (!o.blob.empty() && o.blob.front() == '@') {
    // @FILE: the connection string or URL is the file's first line.
    std::optional<std::string> source = read_secret_file(o.blob.substr(1));
    if (!source) {
      fmt::print(stderr, "flowlens: --blob {}: cannot read a connection string or URL\n", o.blob);
      return kExitUsage;
    }
    options.blob_source = *source;
  }
  options.blob_container = o.blob_container;
  options.blob_prefix = o.blob_prefix;
  if (!o.blob_since.empty()) {
    std::optional<Ticks> since = parse_time_or_ago(o.blob_since);
    if (!since) {
      fmt::print(stderr, "flowlens: --since: not a time or a duration ago: {}\n", o.blob_since);
      return kExitUsage;
    }
    options.blob_since = *since;
  }
  options.stdin_name = o.source_name;
  options.threads = o.threads;
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
  std::string data = o.data.empty() ? store::default_data_dir() : o.data;
  ProgressMeter progress(!o.quiet && ProgressMeter::stderr_is_terminal(), "ingest", "tuples",
                         std::nullopt, 0);
  try {
    auto dir = store::DataDir::open(data, store::DataDir::Mode::kWrite, settings);
    // Enrichment: inputs given now replace the stored ones of their kind; then everything
    // stored is loaded (a malformed input stops the run before anything is stored).
    try {
      options.enricher = enrich::store_and_load(data, o.enrichment);
      if (options.enricher) {
        if (!o.quiet) {
          for (const std::string& line : options.enricher->summary())
            fmt::print(stderr, "flowlens: enrichment: {}\n", line);
        }
      }
    } catch (const enrich::EnrichError& e) {
      progress.finish();
      fmt::print(stderr, "flowlens: enrichment input: {}\n", e.what());
      return kExitUsage;
    }
    if (o.retention_days >= 0) {
      store::Catalog::Transaction t(dir->catalog(), true);
      dir->set_retention_days(o.retention_days);
      t.commit();
    }
    ErrorReport errors(o.quiet ? 0 : o.max_error_lines, o.errors_path);
    CommandObserver observer(errors, progress, o.quiet);
    auto start = std::chrono::steady_clock::now();
    ingest::IngestStats s = ingest::run_ingest(*dir, options, observer);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    if (!errors.finish()) {
      fmt::print(stderr, "flowlens: cannot write {}\n", o.errors_path);
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
  cmd->add_option("--blob", o->blob,
                  "Read the flow-log blobs of a storage account instead: a connection string "
                  "or a container URL with a SAS, or @FILE holding one (docs/blob.md)");
  cmd->add_option("--container", o->blob_container,
                  "With --blob: the container (default: the one the URL names)");
  cmd->add_option("--prefix", o->blob_prefix, "With --blob: only blobs whose names start so");
  cmd->add_option("--since", o->blob_since,
                  "With --blob: only blobs of hours from this time on (a time, or a duration "
                  "ago: 24h)");
  cmd->add_option("--data", o->data,
                  "Data directory (default: $FLOWLENS_DATA, else ./flowlens-data)");
  cmd->add_option("--interval", o->interval,
                  "Rollup interval of a new data directory: 10m (default) or 60m")
      ->check(CLI::IsMember({"10m", "60m", "1h"}));
  cmd->add_option("--retention-days", o->retention_days,
                  "Keep data this many days (0: forever); stored in the data directory")
      ->check(CLI::Range(0, 36500));
  cmd->add_option("--source-name", o->source_name,
                  "Name under which standard input (-) is checkpointed");
  cmd->add_option("--threads", o->threads, "Parser threads (0: one per CPU)")
      ->capture_default_str();
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
  cmd->add_option("--errors", o->errors_path,
                  "Also write every rejected record or tuple to FILE as NDJSON");
  cmd->add_option("--max-error-lines", o->max_error_lines,
                  "Rejections shown on stderr before the rest are only counted")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "No progress, summary or rejection lines");
  add_enrichment_options(*cmd, o->enrichment);
  return [o] { return run_ingest_command(*o); };
}

}  // namespace flowlens
