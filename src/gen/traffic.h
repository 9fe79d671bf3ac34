// The traffic model: which flows each NIC sees, hour by hour.
//
// Flows start as Poisson arrivals whose rate follows the time of day (busiest at 14:00 UTC),
// with rare burst hours. Per role: inbound HTTPS from internet clients in many countries and
// Azure load-balancer probes (web), east-west calls web -> app -> db and app -> analytics over
// the peering, SSH from the jump box, DNS to 168.63.129.16, calls to Azure services, software
// updates, nightly database backups, SSH/RDP/SQL scans that are denied (with retransmissions),
// a few known-malicious hosts that get through the HTTPS rule, and one compromised VM
// beaconing to its controller. A flow between two NICs is generated once, by its client, and
// logged at both ends (outbound at the client, inbound at the server), as Azure does.
#pragma once

#include <cstdint>
#include <vector>

#include "common/ip_address.h"
#include "common/timestamp.h"
#include "flowlog/flow_batch.h"
#include "gen/world.h"

namespace flowlens::gen {

struct Flow {
  Ticks start;
  Ticks duration;  // allowed flows: time from B to E
  IpAddress src;
  IpAddress dst;
  std::uint16_t src_port;
  std::uint16_t dest_port;
  std::uint8_t protocol;
  FlowDirection direction;  // relative to the logging NIC
  bool denied;
  std::uint8_t attempts;             // denied flows: tuples logged for retransmissions (1-3)
  std::int64_t packets_src_to_dest;  // totals over the flow's life
  std::int64_t bytes_src_to_dest;
  std::int64_t packets_dest_to_src;
  std::int64_t bytes_dest_to_src;
  Verdict verdict;
};

// Appends every flow logged at NIC `nic` that starts within hour `slot` (hours since the Unix
// epoch). Deterministic in (world, seed, nic, slot).
void flows_at_nic(const World& world, std::uint64_t seed, std::size_t nic, std::int64_t slot,
                  std::vector<Flow>& out);

// Longest flow the model produces; blobs need flows that started up to this long before them.
inline constexpr Ticks kMaxFlowDuration = 55 * kTicksPerMinute;

}  // namespace flowlens::gen
