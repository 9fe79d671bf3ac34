// NTAIpDetails, one row per public address per interval (design §3.3), is not stored: every
// address it lists is already in the SrcPublicIps / DestPublicIps lists of that interval's
// NTANetAnalytics rows. Deriving it when read costs little (the lists are read anyway, one
// interval at a time), saves about a byte per tuple on disk and the ingest time to write it,
// and keeps the two tables consistent by construction. When enrichment lands, its Location,
// PublicIpDetails and threat columns are filled the same way, from the current geo-IP and
// threat data.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "store/row_batch.h"

namespace flowlens::store {

// What enrichment knows about a public address (filled by the caller, which has the enrichment
// inputs: the store does not depend on them). Several entries give several rows (a malicious
// address listed by several feeds, as Traffic Analytics has one row per FQDN/URL/port).
struct IpDetailsInfo {
  std::string public_ip_details;  // the Azure service, or "AS<n> <organisation>"
  std::string threat_type, threat_description, dns_domain, url;
  int port = 0;  // 0: unknown (null)
};
using IpDetailsLookup = std::function<void(const IpAddress& ip, std::string_view flow_type,
                                           std::vector<IpDetailsInfo>& out)>;

// A set of addresses to derive rows for (a reader that wants a few addresses skips the others
// before any lookup). Texts that are not addresses match entries written the same way.
class IpFilter {
 public:
  explicit IpFilter(const std::vector<std::string>& texts);
  bool contains(const IpAddress& ip) const;
  bool contains_text(std::string_view text) const;

 private:
  std::vector<IpAddress> addresses_;  // sorted
  std::vector<std::string> texts_;    // sorted; the ones that do not parse
};

// Appends to `out` (an NTAIpDetails builder) the rows of the public addresses in the merged
// NTANetAnalytics rows of `analytics`: one per (interval, FlowType, address), ordered so,
// with TimeGenerated the latest of the rows that mention the address. With `wanted`, only
// the addresses it contains.
void derive_ip_details(const RowBatch& analytics, RowBatchBuilder& out,
                       const IpDetailsLookup* lookup = nullptr, const IpFilter* wanted = nullptr);

}  // namespace flowlens::store
