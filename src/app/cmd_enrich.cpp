// `flowlens enrich [--data DIR] [--topology F...] [--geoip F] [--asn F...] [--service-tags F]
// [--threats F...]`: checks enrichment inputs and stores them in the data directory for the
// next ingests and for every reader (replacing the stored inputs of the same kinds), then lists
// what is stored. Without inputs it only lists. Data already stored keeps the classification it
// was ingested with (docs/enrichment.md).
#include <fmt/format.h>

#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "enrich/enrichment_store.h"
#include "store/data_dir.h"

namespace flowlens {
namespace {

struct EnrichCommandOptions {
  std::string data;
  enrich::EnrichmentInputs inputs;
};

int run_enrich(const EnrichCommandOptions& o) {
  std::string data = o.data.empty() ? store::default_data_dir() : o.data;
  try {
    // The writer lock: inputs change only while no ingest runs.
    auto dir = store::DataDir::open(data, store::DataDir::Mode::kWrite);
    std::shared_ptr<const enrich::Enricher> enricher;
    try {
      enricher = enrich::store_and_load(data, o.inputs);
    } catch (const enrich::EnrichError& e) {
      fmt::print(stderr, "flowlens: enrichment input: {}\n", e.what());
      return kExitUsage;
    }
    if (!enricher) {
      fmt::print("no enrichment inputs stored in {} (flowlens infers what the logs show)\n", data);
      return kExitOk;
    }
    fmt::print("enrichment inputs of {}{}:\n", data, o.inputs.empty() ? "" : " (updated)");
    for (const std::string& line : enricher->summary())
      fmt::print("  {}\n", line);
    if (!o.inputs.empty()) {
      fmt::print("new ingests use them; rows already stored keep the FlowType they were given\n");
    }
    return kExitOk;
  } catch (const std::exception& e) {
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

void add_enrichment_options(CLI::App& cmd, enrich::EnrichmentInputs& inputs) {
  cmd.add_option("--topology", inputs.topology,
                 "Topology: flowlens topology files and/or Azure CLI JSON exports (az network "
                 "vnet/nic/nsg/vnet-gateway/local-gateway/vpn-connection list, az vm list)");
  cmd.add_option("--geoip", inputs.geoip, "Country database (MMDB)");
  cmd.add_option("--asn", inputs.asn, "ASN databases (MMDB, or CSV start,end,asn,org)");
  cmd.add_option("--service-tags", inputs.service_tags,
                 "Azure service tags (ServiceTags_Public_*.json)");
  cmd.add_option("--threats", inputs.threat_feeds,
                 "Threat feeds: IP/CIDR lists, CSV (ip,type,description,domain,url,port) or "
                 "STIX 2.1 bundles");
}

CommandRunner add_enrich_command(CLI::App& app) {
  auto o = std::make_shared<EnrichCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "enrich", "Store enrichment inputs in a data directory, or list the stored ones");
  cmd->add_option("--data", o->data,
                  "Data directory (default: $FLOWLENS_DATA, else ./flowlens-data)");
  add_enrichment_options(*cmd, o->inputs);
  return [o] { return run_enrich(*o); };
}

}  // namespace flowlens
