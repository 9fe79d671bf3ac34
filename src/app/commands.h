// The subcommands of the `flowlens` binary. Each registers its options with CLI11 and returns
// the function that runs it (after parsing) and yields the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "enrich/enrichment_store.h"

namespace flowlens {

using CommandRunner = std::function<int()>;

CommandRunner add_parse_command(CLI::App& app);
CommandRunner add_gen_command(CLI::App& app);
CommandRunner add_ingest_command(CLI::App& app);
CommandRunner add_watch_command(CLI::App& app);
CommandRunner add_export_command(CLI::App& app);
CommandRunner add_status_command(CLI::App& app);
CommandRunner add_compact_command(CLI::App& app);
CommandRunner add_enrich_command(CLI::App& app);
CommandRunner add_topology_command(CLI::App& app);
CommandRunner add_query_command(CLI::App& app);
CommandRunner add_serve_command(CLI::App& app);

// The enrichment input options shared by `ingest` and `enrich`.
void add_enrichment_options(CLI::App& cmd, enrich::EnrichmentInputs& inputs);

}  // namespace flowlens
