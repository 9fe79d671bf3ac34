// `flowlens topology FILE... [-o OUT]`: merges topology inputs (flowlens topology files and
// Azure CLI exports) into one flowlens topology file, for review and editing (on-premises
// sites and VPN client pools that Azure CLI does not list can be added by hand), and prints
// what it holds to stderr.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "enrich/enrichment_store.h"
#include "enrich/topology_file.h"

namespace flowlens {
namespace {

struct TopologyCommandOptions {
  std::vector<std::string> inputs;
  std::string output;
};

int run_topology(const TopologyCommandOptions& o) {
  enrich::Topology t;
  try {
    t = enrich::read_topology_inputs(o.inputs);
  } catch (const enrich::EnrichError& e) {
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitUsage;
  }
  std::string json = enrich::topology_to_json(t);
  std::FILE* out = stdout;
  if (!o.output.empty() && o.output != "-") out = std::fopen(o.output.c_str(), "wb");
  if (out == nullptr || std::fwrite(json.data(), 1, json.size(), out) != json.size() ||
      (out != stdout ? std::fclose(out) : std::fflush(out)) != 0) {
    fmt::print(stderr, "flowlens: cannot write {}\n", o.output.empty() ? "stdout" : o.output);
    return kExitFailure;
  }
  std::size_t subnets = 0;
  for (const enrich::TopoVnet& v : t.vnets)
    subnets += v.subnets.size();
  fmt::print(stderr,
             "flowlens: topology: {} subscriptions, {} VNets, {} subnets, {} NICs, {} NSGs, {} "
             "peerings, {} gateways, {} on-premises sites, {} connections\n",
             t.subscriptions.size(), t.vnets.size(), subnets, t.nics.size(), t.nsgs.size(),
             t.peerings.size(), t.gateways.size(), t.sites.size(), t.connections.size());
  return kExitOk;
}

}  // namespace

CommandRunner add_topology_command(CLI::App& app) {
  auto o = std::make_shared<TopologyCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "topology", "Merge topology files and Azure CLI exports into one flowlens topology file");
  cmd->add_option("inputs", o->inputs, "flowlens topology files and/or Azure CLI JSON exports")
      ->required();
  cmd->add_option("-o,--output", o->output, "Write to FILE instead of stdout");
  return [o] { return run_topology(*o); };
}

}  // namespace flowlens
