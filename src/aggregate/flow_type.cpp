#include "aggregate/flow_type.h"

#include <algorithm>
#include <optional>
#include <string>

#include "aggregate/resource_ids.h"
#include "aggregate/rollup.h"

namespace flowlens::aggregate {

FlowTypeResolver::FlowTypeResolver(
    const std::vector<std::pair<IpAddress, std::string>>& nic_addresses) {
  for (const auto& [ip, network] : nic_addresses) {
    if (!network.empty()) owners_[ip].push_back(network);
  }
}

std::string_view FlowTypeResolver::resolve(std::string_view network,
                                           const IpAddress& remote) const {
  auto it = owners_.find(remote);
  if (network.empty() || it == owners_.end()) return "UnknownPrivate";
  const std::vector<std::string>& owners = it->second;
  if (std::find(owners.begin(), owners.end(), network) != owners.end()) return "IntraVNet";
  return "InterVNet";
}

void FlowTypeResolver::resolve_batch(store::RowBatch& batch) const {
  const store::TableDef& t = *batch.table;
  int flow_type = t.column_index("FlowType");
  int src = t.column_index("SrcIp"), dest = t.column_index("DestIp");
  int direction = t.column_index("FlowDirection"), target = t.column_index("TargetResourceId");
  if (flow_type < 0 || src < 0 || dest < 0 || direction < 0 || target < 0) return;
  store::ColumnData& types = batch.columns[static_cast<std::size_t>(flow_type)];
  const store::ColumnData& src_ip = batch.columns[static_cast<std::size_t>(src)];
  const store::ColumnData& dest_ip = batch.columns[static_cast<std::size_t>(dest)];
  const store::ColumnData& directions = batch.columns[static_cast<std::size_t>(direction)];
  const store::ColumnData& targets = batch.columns[static_cast<std::size_t>(target)];
  if (types.codes.empty()) return;
  // Codes of the three resolved names, appended to the column's dictionary once.
  std::uint32_t resolved_code[3] = {0, 0, 0};
  bool have_codes = false;
  std::vector<std::optional<std::string>> networks;
  for (std::uint32_t row : batch.rows) {
    if (types.is_null(row) || types.string_at(row) != kStoredPrivate) continue;
    if (!have_codes) {
      for (std::uint32_t i = 0; i < 3; ++i) {
        resolved_code[i] = static_cast<std::uint32_t>(types.dict.size());
        types.dict.push_back(i == 0 ? "IntraVNet" : i == 1 ? "InterVNet" : "UnknownPrivate");
      }
      have_codes = true;
    }
    bool inbound = directions.string_at(row) == "Inbound";
    IpAddress remote{};
    parse_ip(inbound ? src_ip.string_at(row) : dest_ip.string_at(row), remote);
    // The network of a target, once per distinct target in the batch (it lower-cases a long
    // resource id).
    std::uint32_t target_code = targets.codes[row];
    if (target_code >= networks.size()) networks.resize(targets.dict.size());
    if (!networks[target_code])
      networks[target_code] = network_of_target(targets.dict[target_code]);
    std::string_view name = resolve(*networks[target_code], remote);
    types.codes[row] = resolved_code[name == "IntraVNet" ? 0 : name == "InterVNet" ? 1 : 2];
  }
}

}  // namespace flowlens::aggregate
