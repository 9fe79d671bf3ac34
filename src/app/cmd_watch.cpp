// `flowlens watch --blob SOURCE [--poll 30s]`: follow the flow logs of a storage account. Each
// poll is one ingest run over the container (ingest/ingest_job.h): blobs read to the end are
// skipped without a request, grown ones continue from their checkpoints, and the poll's data is
// committed, so its tuples are queryable as soon as the poll ends (docs/watch.md).
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "app/duration_option.h"
#include "app/error_report.h"
#include "app/exit_codes.h"
#include "app/ingest_args.h"
#include "app/ingest_observer.h"
#include "app/progress_meter.h"
#include "blob/blob_endpoint.h"
#include "blob/blob_error.h"
#include "ingest/ingest_job.h"
#include "store/data_dir.h"

namespace flowlens {
namespace {

struct WatchCommandOptions {
  IngestArgs common;  // blob source, data directory, threads, error reporting, enrichment
  std::string poll = "30s";
  std::uint64_t polls = 0;
  std::uint64_t idle_polls = 0;
  bool quiet = false;
};

volatile std::sig_atomic_t g_stop_requested = 0;

extern "C" void request_stop(int) {
  g_stop_requested = 1;
}

// SIGINT/SIGTERM end the watch after the current poll; the handler resets itself, so a second
// signal stops it at once (what was committed stays; the rest is read again next time).
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string megabytes(std::uint64_t bytes) {
  return fmt::format("{:.3f} MB", static_cast<double>(bytes) / 1e6);
}

int run_watch_command(const WatchCommandOptions& o) {
  std::optional<std::chrono::milliseconds> poll = parse_duration(o.poll);
  if (!poll || poll->count() == 0) {
    fmt::print(stderr, "flowlens: --poll: not a duration (like 30s, 500ms, 2m): {}\n", o.poll);
    return kExitUsage;
  }
  const IngestArgs& c = o.common;
  ingest::IngestOptions options;
  if (!apply_blob_args(c, options)) return kExitUsage;
  // A duration ago ("24h") moves with the clock: it is worked out again at every poll.
  std::optional<std::chrono::milliseconds> since_ago = parse_duration(c.blob_since);
  std::string data = c.data_dir();
  ProgressMeter progress(false, "watch", "tuples", std::nullopt, 0);
  std::unique_ptr<store::DataDir> dir;
  try {
    dir = store::DataDir::open(data, store::DataDir::Mode::kWrite, c.data_dir_settings());
    prepare_data_dir(*dir, c, o.quiet, options);
  } catch (const enrich::EnrichError& e) {
    fmt::print(stderr, "flowlens: enrichment input: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
  ErrorReport errors(o.quiet ? 0 : c.max_error_lines, c.errors_path);
  CommandObserver observer(errors, progress, o.quiet);
  install_stop_handlers();
  if (!o.quiet) {
    fmt::print("watching {} every {} into {}{}\n",
               c.blob_container.empty() ? std::string("the container") : c.blob_container, o.poll,
               data,
               c.blob_since.empty() ? "" : fmt::format(" (blobs of hours since {})", c.blob_since));
    std::fflush(stdout);
  }

  std::uint64_t idle = 0;
  bool last_failed = false;
  bool rejected = false;
  bool polled_once = false;  // a poll has listed the container
  for (std::uint64_t n = 1; g_stop_requested == 0; ++n) {
    auto started = std::chrono::steady_clock::now();
    if (since_ago) options.blob_since = *parse_time_or_ago(c.blob_since);
    try {
      ingest::IngestStats s = ingest::run_ingest(*dir, options, observer);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      polled_once = true;
      // Deferred blobs are still to be read: a poll that left some is not idle.
      bool found = s.new_inputs + s.resumed + s.rewritten + s.deferred > 0;
      idle = found ? 0 : idle + 1;
      last_failed = false;
      // Read failures are retried by the next poll; rejected records are the user's to see.
      rejected = rejected || s.rejected_records + s.rejected_tuples > 0;
      if (!o.quiet) {
        // The time the poll's data became queryable (its commit) leads the line.
        fmt::print(
            "{} poll {}: {} blob(s): {} new, {} grown, {} unchanged, {} rewritten, {} changed "
            "while read, {} deferred; {} tuple(s) stored; {} downloaded for {} parsed; {} "
            "problem(s); {:.2f} s\n",
            format_iso8601(now_ticks()), n, s.inputs, s.new_inputs, s.resumed, s.unchanged,
            s.rewritten, s.superseded, s.deferred, s.tuples, megabytes(s.bytes_downloaded),
            megabytes(s.bytes), s.errors, seconds);
        std::fflush(stdout);
      }
    } catch (const ingest::UsageError& e) {
      fmt::print(stderr, "flowlens: {}\n", e.what());
      return kExitUsage;
    } catch (const blob::BlobConfigError& e) {
      fmt::print(stderr, "flowlens: --blob: {}\n", e.what());
      return kExitUsage;
    } catch (const blob::BlobError& e) {
      // A refused credential, a missing permission or container, a rejected request: the user
      // must act, unless polls have worked before (a SAS may have expired; the message says
      // so, and polling goes on in case it is renewed). The service or the network being down
      // (retries exhausted) is waited out whenever it happens.
      fmt::print(stderr, "flowlens: poll {} failed: {}\n", n, e.what());
      bool transient = e.kind() == blob::BlobErrorKind::kTransient;
      if (!transient && !polled_once) return kExitFailure;
      last_failed = true;
    } catch (const std::exception& e) {
      // The data directory itself failed (disk full, permissions): polling again won't help.
      fmt::print(stderr, "flowlens: poll {} failed: {}\n", n, e.what());
      return kExitFailure;
    }
    if ((o.polls > 0 && n >= o.polls) || (o.idle_polls > 0 && idle >= o.idle_polls)) break;
    auto next = started + *poll;
    while (g_stop_requested == 0 && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), next - std::chrono::steady_clock::now()));
    }
  }
  if (!errors.finish()) {
    fmt::print(stderr, "flowlens: cannot write {}\n", c.errors_path);
    return kExitFailure;
  }
  if (last_failed) return kExitFailure;
  return rejected ? kExitPartial : kExitOk;
}

}  // namespace

CommandRunner add_watch_command(CLI::App& app) {
  auto o = std::make_shared<WatchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Follow the flow-log blobs of a storage account: poll, read only what is new, commit "
      "(docs/watch.md)");
  add_blob_options(*cmd, o->common, "")->required();
  cmd->add_option("--poll", o->poll, "Time from the start of one poll to the next")
      ->capture_default_str();
  cmd->add_option("--polls", o->polls, "Stop after this many polls (0: run until stopped)")
      ->capture_default_str();
  cmd->add_option("--until-idle", o->idle_polls,
                  "Stop after this many polls in a row that found nothing new (0: never)")
      ->capture_default_str();
  add_store_options(*cmd, o->common);
  cmd->add_flag("-q,--quiet", o->quiet, "No per-poll or rejection lines");
  return [o] { return run_watch_command(*o); };
}

}  // namespace flowlens
