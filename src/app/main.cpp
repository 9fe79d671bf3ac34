// flowlens: self-hosted analytics for Azure VNet and NSG flow logs. This file only wires the
// subcommands together; each lives in its own cmd_*.cpp.
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include "app/commands.h"
#include "app/exit_codes.h"

namespace {

// Readers keep every segment of their snapshot open (so that a concurrent compaction cannot
// pull files from under them): allow as many open files as the system lets this process have.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  raise_open_file_limit();
  CLI::App app{"flowlens: parse, store, enrich and query Azure VNet and NSG flow logs"};
  app.set_version_flag("--version", "flowlens 0.1.0");
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, flowlens::CommandRunner>> commands;
  auto add = [&](flowlens::CommandRunner runner) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(runner));
  };
  add(flowlens::add_parse_command(app));
  add(flowlens::add_gen_command(app));
  add(flowlens::add_ingest_command(app));
  add(flowlens::add_watch_command(app));
  add(flowlens::add_export_command(app));
  add(flowlens::add_query_command(app));
  add(flowlens::add_serve_command(app));
  add(flowlens::add_status_command(app));
  add(flowlens::add_compact_command(app));
  add(flowlens::add_enrich_command(app));
  add(flowlens::add_topology_command(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? flowlens::kExitOk : flowlens::kExitUsage;
  }
  for (auto& [sub, runner] : commands) {
    if (sub->parsed()) return runner();
  }
  return flowlens::kExitUsage;
}
