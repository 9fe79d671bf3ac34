// Totals of a parse run (`flowlens parse --summary`): what was read, what was accepted, how the
// tuples split by version/state/status/direction/protocol, traffic both ways, the time range
// and every error by code.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "flowlog/parse_pipeline.h"

namespace flowlens {

class ParseSummary {
 public:
  void add(const ParsedChunk& chunk);

  // Human-readable report; `seconds` > 0 adds a throughput line.
  std::string to_text(double seconds) const;
  // Machine-readable report (stable keys; used by tests and benchmarks).
  std::string to_json() const;

  std::uint64_t inputs = 0;
  std::uint64_t unterminated_inputs = 0;
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;
  std::uint64_t rejected_records = 0;
  std::uint64_t tuples = 0;
  std::uint64_t rejected_tuples = 0;
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
  std::uint64_t errors = 0;
  std::array<std::uint64_t, kParseErrorCodeCount> errors_by_code{};
  std::unordered_set<std::string> macs;
};

}  // namespace flowlens
