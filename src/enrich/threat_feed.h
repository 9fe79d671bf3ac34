// Threat intelligence: addresses and prefixes reported malicious, from any number of feeds in
// three formats, recognised by content (never by file name):
//  - plain lists: one address or CIDR per line; `#` starts a comment; blank lines ignored;
//  - CSV with a header row naming at least an `ip` column (also accepted: `address`,
//    `indicator`, `cidr`) and optionally `type` (ThreatType: Botnet, C2, CryptoMining, DarkNet,
//    DDoS, MaliciousUrl, Malware, Phishing, Proxy, PUA, WatchList), `description`, `domain`,
//    `url`, `port`; RFC 4180 quoting ("a, b" and "" inside quotes);
//  - STIX 2.1 bundles ({"type": "bundle", "objects": [...]}) whose `indicator` objects have a
//    `pattern` such as [ipv4-addr:value = '1.2.3.4'] or [ipv6-addr:value = '2001:db8::/32']
//    (several comparisons joined by OR are all taken); the indicator's `indicator_types`
//    (first one, mapped to the ThreatType vocabulary: malicious-activity -> Malware,
//    compromised -> Botnet, anonymization -> Proxy, ... else WatchList), `description` or
//    `name`, and `valid_from`/`valid_until` are used. Non-IP patterns are skipped and counted.
// A feed without a type gives ThreatType "WatchList" (TA's bucket for indicators that need
// interpretation). An address listed by several feeds keeps every listing (NTAIpDetails has
// one row per listing, as Traffic Analytics has one per FQDN/URL/port).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/enrich_error.h"
#include "enrich/prefix_map.h"

namespace flowlens::enrich {

struct ThreatInfo {
  std::string type;  // one of the ThreatType values above
  std::string description;
  std::string domain;
  std::string url;
  int port = 0;      // 0 when unknown
  std::string feed;  // file name of the feed (no directory)
  bool operator==(const ThreatInfo&) const = default;
};

struct ThreatFeedStats {
  std::size_t indicators = 0;  // addresses and prefixes loaded
  std::size_t skipped = 0;     // STIX indicators without an IP pattern
};

class ThreatIntel {
 public:
  // Loads one feed and adds it. Throws EnrichError naming the file and line (CSV, plain) or
  // objects[i] (STIX) for: invalid JSON, a bad address or prefix, a CSV row with the wrong
  // number of fields, a CSV without an ip column, an unknown ThreatType value, a bad port.
  ThreatFeedStats add_feed(const std::string& path);
  ThreatFeedStats add_feed_text(std::string_view text, const std::string& name_for_errors);

  // Every listing of the longest-matching prefix of `ip` (empty when not listed).
  const std::vector<ThreatInfo>* lookup(const IpAddress& ip) const {
    return map_.longest_match(ip);
  }
  std::size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

 private:
  void add(const Cidr& block, ThreatInfo info);
  PrefixMap<std::vector<ThreatInfo>> map_;
};

}  // namespace flowlens::enrich
