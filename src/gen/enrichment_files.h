// The enrichment inputs that match a generated estate, so that the demo shows every FlowType
// with countries, Azure services and threat details: the topology (flowlens format), a small
// Azure service-tags file of the world's service endpoints, and a threat feed (CSV) listing
// its known-malicious hosts.
#pragma once

#include <cstdint>
#include <string>

#include "gen/world.h"

namespace flowlens::gen {

// Writes topology.json, service-tags.json and threats.csv into `dir` (created if needed).
void write_enrichment_files(const World& world, const std::string& dir);

}  // namespace flowlens::gen
