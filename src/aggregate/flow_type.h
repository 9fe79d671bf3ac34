// FlowType of rollup rows whose remote side is a private address, decided when rows are read.
//
// Ingest cannot know whether a private peer is in the same VNet: the NIC that owns the address
// may appear in a log read later. So such rows are stored with FlowType "Private", and readers
// resolve them against every (address, VNet) pair the data directory has seen as the local
// side of a capturing NIC:
//   the peer address is owned in the capturing NIC's VNet      -> IntraVNet
//   the peer address is owned in another VNet (and not in ours) -> InterVNet
//   never seen as a NIC address, or the VNet is unknown         -> UnknownPrivate
// With topology input (issue: enrichment) the owners come from the topology instead.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "store/row_batch.h"

namespace flowlens::aggregate {

class FlowTypeResolver {
 public:
  explicit FlowTypeResolver(const std::vector<std::pair<IpAddress, std::string>>& nic_addresses);

  // `network`: network_of_target() of the capturing NIC's target; `remote`: the peer address.
  std::string_view resolve(std::string_view network, const IpAddress& remote) const;

  // Rewrites the FlowType of every "Private" row of an NTANetAnalytics batch.
  void resolve_batch(store::RowBatch& batch) const;

 private:
  std::unordered_map<IpAddress, std::vector<std::string>, IpAddressHash> owners_;
};

}  // namespace flowlens::aggregate
