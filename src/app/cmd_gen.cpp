// `flowlens gen --out DIR [--seed N] [--start TIME] [--hours H] [--scale small|medium|large]
//  [--kind vnet|nsg1|nsg2] [--in-progress]`: a deterministic, realistic dataset in Azure's layout.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/progress_meter.h"
#include "common/timestamp.h"
#include "gen/enrichment_files.h"
#include "gen/generator.h"

namespace flowlens {
namespace {

struct GenCommandOptions {
  std::string out;
  std::uint64_t seed = 1;
  std::string start = "2026-11-01T00:00:00Z";
  int hours = 24;
  std::string scale = "small";
  std::string kind = "vnet";
  bool in_progress = false;
  bool force = false;
  unsigned threads = 0;
  std::string manifest;
  std::string enrichment;
  bool quiet = false;
};

int run_gen(const GenCommandOptions& o) {
  auto start = parse_user_time(o.start);
  if (!start) {
    fmt::print(stderr, "flowlens: --start: \"{}\" is not a date or ISO-8601 time\n", o.start);
    return kExitUsage;
  }
  gen::GenOptions g;
  g.out = o.out;
  g.seed = o.seed;
  g.start = *start;
  g.hours = o.hours;
  g.scale = o.scale == "large"    ? gen::Scale::kLarge
            : o.scale == "medium" ? gen::Scale::kMedium
                                  : gen::Scale::kSmall;
  g.kind = o.kind == "nsg1"   ? gen::LogKind::kNsgV1
           : o.kind == "nsg2" ? gen::LogKind::kNsgV2
                              : gen::LogKind::kVNet;
  g.in_progress = o.in_progress;
  g.force = o.force;
  g.threads = o.threads;

  bool show_progress = !o.quiet && o.out != "-" && ProgressMeter::stderr_is_terminal();
  ProgressMeter progress(show_progress, "gen", "blobs", std::nullopt, 0);
  std::mutex progress_mutex;
  auto t0 = std::chrono::steady_clock::now();
  try {
    gen::BlobStats stats =
        gen::generate(g, [&](std::uint64_t done, std::uint64_t total, std::uint64_t bytes) {
          std::lock_guard<std::mutex> lock(progress_mutex);
          (void)total;
          progress.update(done, bytes, done);
        });
    progress.finish();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!o.enrichment.empty()) {
      gen::write_enrichment_files(gen::build_world(o.seed, g.scale), o.enrichment);
    }
    if (!o.manifest.empty()) {
      std::FILE* f = std::fopen(o.manifest.c_str(), "wb");
      std::string json = stats.to_json();
      if (f == nullptr || std::fwrite(json.data(), 1, json.size(), f) != json.size() ||
          std::fclose(f) != 0) {
        fmt::print(stderr, "flowlens: cannot write {}\n", o.manifest);
        return kExitFailure;
      }
    }
    if (!o.quiet) {
      fmt::print(stderr,
                 "flowlens: generated {} blobs{}, {:.1f} MB, {} records, {} tuples in {:.1f} s "
                 "(seed {}, {} scale, {} hours, {})\n",
                 stats.files,
                 stats.unterminated > 0
                     ? fmt::format(" ({} still being written)", stats.unterminated)
                     : std::string(),
                 static_cast<double>(stats.bytes) / 1e6, stats.records, stats.tuples, seconds,
                 o.seed, o.scale, o.hours, o.kind);
    }
    return kExitOk;
  } catch (const std::exception& e) {
    progress.finish();
    fmt::print(stderr, "flowlens: gen: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

CommandRunner add_gen_command(CLI::App& app) {
  auto o = std::make_shared<GenCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gen", "Generate realistic flow logs in Azure's storage layout (deterministic per seed)");
  cmd->add_option("--out", o->out,
                  "Output directory (the storage account root), or - for one "
                  "document on stdout")
      ->required();
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->add_option("--start", o->start, "First hour (UTC), e.g. 2026-11-01 or 2026-11-01T06:00:00Z")
      ->capture_default_str();
  cmd->add_option("--hours", o->hours, "Number of hours")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 366));
  cmd->add_option(
         "--scale", o->scale,
         "small (10 NICs, ~25 MB/day), medium (29 NICs, ~1 GB/day), large (154 NICs, > 5 GB/day)")
      ->capture_default_str()
      ->check(CLI::IsMember({"small", "medium", "large"}));
  cmd->add_option("--kind", o->kind, "vnet (VNet flow logs v4), nsg1 or nsg2 (NSG flow logs)")
      ->capture_default_str()
      ->check(CLI::IsMember({"vnet", "nsg1", "nsg2"}));
  cmd->add_flag("--in-progress", o->in_progress,
                "Leave the last hour's blobs mid-hour without their closing ]}, as Azure does "
                "while it writes them");
  cmd->add_flag("--force", o->force, "Replace an existing container folder under --out");
  cmd->add_option("--threads", o->threads, "Writer threads (0: one per CPU)")
      ->capture_default_str();
  cmd->add_option("--enrichment", o->enrichment,
                  "Also write the matching topology.json, service-tags.json and threats.csv "
                  "into DIR (give them to `flowlens ingest --topology ... --service-tags ... "
                  "--threats ...`)");
  cmd->add_option("--manifest", o->manifest,
                  "Write the dataset's totals as JSON to FILE (same keys as parse --summary)");
  cmd->add_flag("-q,--quiet", o->quiet, "No progress and no closing line");
  return [o] { return run_gen(*o); };
}

}  // namespace flowlens
