// `flowlens compact [--data DIR]`: apply retention and merge small segments now (ingest does
// both after each run once enough small segments have accumulated).
#include <fmt/format.h>

#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "store/data_dir.h"
#include "store/maintenance.h"

namespace flowlens {
namespace {

struct CompactCommandOptions {
  std::string data;
  std::string now;
  int retention_days = -1;
};

int run_compact(const CompactCommandOptions& o) {
  Ticks now = now_ticks();
  if (!o.now.empty()) {
    auto t = parse_user_time(o.now);
    if (!t) {
      fmt::print(stderr, "flowlens: --now: not a time: {}\n", o.now);
      return kExitUsage;
    }
    now = *t;
  }
  try {
    auto dir = store::DataDir::open(o.data.empty() ? store::default_data_dir() : o.data,
                                    store::DataDir::Mode::kWrite);
    if (o.retention_days >= 0) {
      store::Catalog::Transaction t(dir->catalog(), true);
      dir->set_retention_days(o.retention_days);
      t.commit();
    }
    std::size_t expired = store::apply_retention(*dir, now);
    store::CompactionOptions options;
    options.min_segments = 2;
    options.now = now;
    store::CompactionResult r = store::compact(*dir, options);
    fmt::print(
        "retention removed {} segment(s); compaction merged {} segment(s) ({} rows, {} "
        "bytes) into {} ({} rows, {} bytes)\n",
        expired, r.segments_in, r.rows_in, r.bytes_in, r.segments_out, r.rows_out, r.bytes_out);
    return kExitOk;
  } catch (const std::exception& e) {
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

CommandRunner add_compact_command(CLI::App& app) {
  auto o = std::make_shared<CompactCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compact", "Apply retention and merge small segments of a data directory now");
  cmd->add_option("--data", o->data,
                  "Data directory (default: $FLOWLENS_DATA, else ./flowlens-data)");
  cmd->add_option("--retention-days", o->retention_days,
                  "Change the retention period first (0: forever)")
      ->check(CLI::Range(0, 36500));
  cmd->add_option("--now", o->now, "The time retention counts from (default: the clock)");
  return [o] { return run_compact(*o); };
}

}  // namespace flowlens
