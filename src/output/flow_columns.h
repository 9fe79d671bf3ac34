// The FlowTuples columns (design §3.1), in their contract order. One table drives the NDJSON
// keys, the CSV header and the documentation.
#pragma once

#include <array>
#include <string_view>

namespace flowlens {

struct FlowColumn {
  std::string_view name;
  std::string_view kql_type;
  std::string_view meaning;
};

inline constexpr std::size_t kFlowColumnCount = 23;
extern const std::array<FlowColumn, kFlowColumnCount> kFlowColumns;

}  // namespace flowlens
