// A malformed enrichment input (topology, Azure CLI export, service tags, threat feed, geo-IP
// database). The message names the file and the place: "topology.json: vnets[2].prefixes[0]:
// "10.0.0.0/33" is not an address prefix", "feed.csv:14: "1.2.3" is not an address or prefix".
#pragma once

#include <stdexcept>

namespace flowlens::enrich {

class EnrichError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flowlens::enrich
