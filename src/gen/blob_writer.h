// Rendering one PT1H.json blob exactly as Azure writes it: `{"records":[`, one compact record
// per NIC-minute with traffic (the first starting with `{`, later ones with `,{`), then `]}`
// unless the blob is still being written. Paths follow Azure's container layout.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/timestamp.h"
#include "gen/world.h"

namespace flowlens::gen {

enum class LogKind { kVNet, kNsgV1, kNsgV2 };

struct BlobRequest {
  std::size_t nic;
  std::int64_t hour;  // hours since the Unix epoch (the blob's h= segment)
  LogKind kind;
  int minutes = 60;  // record-minutes written; fewer leaves the blob unterminated
};

// What a blob contains, with the same definitions as `flowlens parse --summary`, so the two
// can be compared exactly.
struct BlobStats {
  std::uint64_t files = 0;
  std::uint64_t unterminated = 0;
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;
  std::uint64_t tuples = 0;
  std::array<std::uint64_t, 3> by_version{};    // v1, v2, v4
  std::array<std::uint64_t, 5> by_state{};      // none, B, C, E, D
  std::array<std::uint64_t, 2> by_status{};     // Allowed, Denied
  std::array<std::uint64_t, 2> by_direction{};  // Inbound, Outbound
  std::array<std::uint64_t, 3> by_protocol{};   // TCP, UDP, other
  std::uint64_t packets_src_to_dest = 0;
  std::uint64_t bytes_src_to_dest = 0;
  std::uint64_t packets_dest_to_src = 0;
  std::uint64_t bytes_dest_to_src = 0;
  Ticks first_flow = 0;
  Ticks last_flow = 0;

  void merge(const BlobStats& other);
  std::string to_json() const;
};

// Renders the blob into `out` (replacing its content). An empty `out` means the NIC had no
// traffic that hour, and Azure writes no blob.
BlobStats render_blob(const World& world, std::uint64_t seed, const BlobRequest& request,
                      std::string& out);

// The blob's path inside the storage account: container/name.
std::string blob_path(const World& world, const BlobRequest& request);

}  // namespace flowlens::gen
