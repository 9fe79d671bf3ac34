// Azure service tags from Microsoft's weekly `ServiceTags_Public_<date>.json` download:
//   {"changeNumber": 1, "cloud": "Public", "values": [
//     {"name": "Storage.WestEurope", "id": "Storage.WestEurope", "properties": {
//        "changeNumber": 1, "region": "westeurope", "regionId": 18, "platform": "Azure",
//        "systemService": "AzureStorage", "addressPrefixes": ["20.38.108.0/23", "2603:..."],
//        "networkFeatures": ["API", "NSG"]}}, ...]}
// An address in any tag is Microsoft-owned: its FlowType is AzurePublic, its AzureRegion the
// tag's region, its PublicIpDetails the service. Tags overlap (AzureCloud.westeurope holds
// every address of Storage.WestEurope): the longest prefix wins, and among tags with the same
// prefix the most specific one (a tag with a region and a systemService over one without,
// then the longer name, then the name in alphabetical order, so the result is deterministic).
#pragma once

#include <string>
#include <string_view>

#include "enrich/enrich_error.h"
#include "enrich/prefix_map.h"

namespace flowlens::enrich {

struct ServiceTag {
  std::string name;     // "Storage.WestEurope"
  std::string region;   // "westeurope"; "" for global tags
  std::string service;  // systemService: "AzureStorage"; "" when the file has none
  bool operator==(const ServiceTag&) const = default;
};

class ServiceTags {
 public:
  // Reads a service-tags file; throws EnrichError (file and values[i] index) when malformed.
  // A prefix that does not parse is an error too: silently dropping Microsoft ranges would
  // misclassify traffic.
  static ServiceTags load(const std::string& path);
  static ServiceTags parse(std::string_view json, const std::string& name_for_errors);

  const ServiceTag* lookup(const IpAddress& ip) const { return map_.longest_match(ip); }
  std::size_t tags() const { return tags_; }
  std::size_t prefixes() const { return map_.size(); }

 private:
  PrefixMap<ServiceTag> map_;
  std::size_t tags_ = 0;
};

}  // namespace flowlens::enrich
