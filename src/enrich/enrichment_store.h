// The enrichment inputs of a data directory, kept as copies in DIR/enrichment/ so that every
// later ingest and every reader (export, query, serve) enriches with the same data, even after
// the originals move or change:
//   DIR/enrichment/topology.json      the merged topology (flowlens format)
//   DIR/enrichment/topology-snapshots/<ticks>.json  every topology given, by time given
//   DIR/enrichment/country.mmdb       geo-IP country database
//   DIR/enrichment/asn/<n>-<name>     ASN databases (MMDB or CSV)
//   DIR/enrichment/service-tags.json  Azure service tags
//   DIR/enrichment/threats/<n>-<name> threat feeds
// Giving an input of a kind to `ingest` replaces the stored inputs of that kind only. Every new
// input is loaded and checked before anything is replaced, and each file is written to a
// temporary name and renamed, so a bad input or a crash leaves the previous set in place.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/timestamp.h"
#include "enrich/enricher.h"

namespace flowlens::enrich {

// What the user gave on the command line. `topology` may list flowlens topology files and
// Azure CLI exports (told apart by content); they are merged.
struct EnrichmentInputs {
  std::vector<std::string> topology;
  std::string geoip;
  std::vector<std::string> asn;
  std::string service_tags;
  std::vector<std::string> threat_feeds;
  bool empty() const {
    return topology.empty() && geoip.empty() && asn.empty() && service_tags.empty() &&
           threat_feeds.empty();
  }
};

// The stored inputs of `data_dir` (paths inside DIR/enrichment; kinds not stored are empty).
EnrichmentSources stored_sources(const std::string& data_dir);

// Loads `given` together with the stored inputs of the other kinds (error messages name the
// files as given), then stores `given` in place of the stored inputs of the same kinds, and
// returns the loaded enricher (null when nothing is given or stored). Throws EnrichError,
// with nothing changed, when an input is malformed.
std::shared_ptr<const Enricher> store_and_load(const std::string& data_dir,
                                               const EnrichmentInputs& given);

// The topology snapshots kept in DIR/enrichment/topology-snapshots/: (time the topology was
// given to ingest, path), oldest first. The latest is also DIR/enrichment/topology.json.
std::vector<std::pair<Ticks, std::string>> topology_snapshots(const std::string& data_dir);

// Reads a topology from flowlens topology files and Azure CLI exports, merged.
Topology read_topology_inputs(const std::vector<std::string>& paths);

}  // namespace flowlens::enrich
