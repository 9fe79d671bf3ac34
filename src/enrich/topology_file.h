// The flowlens topology file: JSON, documented in docs/enrichment.md, with one array per kind
// of object (subscriptions, vnets with nested subnets, nics, nsgs, peerings, gateways, sites,
// connections). Written by `flowlens gen` and by `flowlens topology import`; read by ingest.
#pragma once

#include <string>
#include <string_view>

#include "enrich/enrich_error.h"
#include "enrich/topology.h"

namespace flowlens::enrich {

// Reads a topology file. Unknown keys are ignored (forward compatible); missing required keys,
// wrong types, bad prefixes/addresses/MACs throw EnrichError naming the file and the JSON path.
Topology load_topology_file(const std::string& path);
Topology parse_topology_json(std::string_view json, const std::string& name_for_errors);

// The topology as a topology file (stable key order, two-space indentation, trailing newline),
// such that parse_topology_json(topology_to_json(t)) == t field for field.
std::string topology_to_json(const Topology& topology);

}  // namespace flowlens::enrich
