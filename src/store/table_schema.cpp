#include "store/table_schema.h"

namespace flowlens::store {
namespace {

using T = ColumnType;
constexpr StringKind kIp = StringKind::kIp;

TableDef make_flow_tuples() {
  return TableDef{TableId::kFlowTuples,
                  "FlowTuples",
                  {
                      {"FlowTime", T::kDateTime, StringKind::kText, true},
                      {"RecordTime", T::kDateTime, StringKind::kText, true},
                      {"SrcIp", T::kString, kIp},
                      {"DestIp", T::kString, kIp},
                      {"SrcPort", T::kInt},
                      {"DestPort", T::kInt},
                      {"Protocol", T::kInt},
                      {"L4Protocol", T::kString},
                      {"FlowDirection", T::kString},
                      {"FlowState", T::kString},
                      {"FlowStatus", T::kString},
                      {"FlowEncryption", T::kString},
                      {"PacketsSrcToDest", T::kLong},
                      {"BytesSrcToDest", T::kLong},
                      {"PacketsDestToSrc", T::kLong},
                      {"BytesDestToSrc", T::kLong},
                      {"MacAddress", T::kString},
                      {"AclId", T::kString},
                      {"AclRule", T::kString},
                      {"TargetResourceId", T::kString},
                      {"FlowLogResourceId", T::kString},
                      {"FlowLogVersion", T::kInt},
                      {"Source", T::kString},
                      // Enrichment (beyond Azure: per-tuple detail).
                      {"FlowType", T::kString},
                      {"SrcCountry", T::kString},
                      {"DestCountry", T::kString},
                      {"SrcAsn", T::kLong},
                      {"DestAsn", T::kLong},
                  },
                  "FlowTime",
                  false};
}

TableDef make_net_analytics() {
  auto key = [](std::string_view n, ColumnType t, StringKind k = StringKind::kText) {
    return ColumnDef{n, t, k, false, Merge::kKey};
  };
  auto any = [](std::string_view n, ColumnType t) {
    return ColumnDef{n, t, StringKind::kText, false, Merge::kAny};
  };
  auto sum = [](std::string_view n) {
    return ColumnDef{n, T::kLong, StringKind::kText, false, Merge::kSum};
  };
  return TableDef{TableId::kNTANetAnalytics,
                  "NTANetAnalytics",
                  {
                      {"TimeGenerated", T::kDateTime, StringKind::kText, false, Merge::kMax},
                      {"TimeProcessed", T::kDateTime, StringKind::kText, false, Merge::kMax},
                      any("SubType", T::kString),
                      any("FaSchemaVersion", T::kString),
                      {"FlowIntervalStartTime", T::kDateTime, StringKind::kText, true, Merge::kKey},
                      any("FlowIntervalEndTime", T::kDateTime),
                      {"FlowStartTime", T::kDateTime, StringKind::kText, false, Merge::kMin},
                      {"FlowEndTime", T::kDateTime, StringKind::kText, false, Merge::kMax},
                      key("FlowType", T::kString),
                      key("SrcIp", T::kString, kIp),
                      key("DestIp", T::kString, kIp),
                      {"SrcPublicIps", T::kString, StringKind::kText, false, Merge::kPublicIps},
                      {"DestPublicIps", T::kString, StringKind::kText, false, Merge::kPublicIps},
                      {"SrcPorts", T::kString, StringKind::kText, false, Merge::kPortSet},
                      key("DestPort", T::kInt),
                      key("L4Protocol", T::kString),
                      any("L7Protocol", T::kString),
                      key("FlowDirection", T::kString),
                      key("FlowStatus", T::kString),
                      key("AclGroup", T::kString),
                      key("AclRule", T::kString),
                      key("MacAddress", T::kString),
                      key("TargetResourceId", T::kString),
                      any("TargetResourceType", T::kString),
                      key("FlowLogResourceId", T::kString),
                      any("SrcSubscription", T::kString),
                      any("DestSubscription", T::kString),
                      any("SrcRegion", T::kString),
                      any("DestRegion", T::kString),
                      any("SrcNic", T::kString),
                      any("DestNic", T::kString),
                      any("SrcVm", T::kString),
                      any("DestVm", T::kString),
                      any("SrcSubnet", T::kString),
                      any("DestSubnet", T::kString),
                      any("ConnectionType", T::kString),
                      any("ConnectionName", T::kString),
                      key("Country", T::kString),
                      key("AzureRegion", T::kString),
                      sum("AllowedInFlows"),
                      sum("DeniedInFlows"),
                      sum("AllowedOutFlows"),
                      sum("DeniedOutFlows"),
                      sum("CompletedFlows"),
                      sum("PacketsSrcToDest"),
                      sum("PacketsDestToSrc"),
                      sum("BytesSrcToDest"),
                      sum("BytesDestToSrc"),
                      {"FlowEncryption", T::kString, StringKind::kText, false, Merge::kWordSet},
                      sum("RecordCount"),
                      any("IsFlowCapturedAtUdrHop", T::kBool),
                  },
                  "FlowIntervalStartTime",
                  true};
}

TableDef make_ip_details() {
  auto any = [](std::string_view n, ColumnType t) {
    return ColumnDef{n, t, StringKind::kText, false, Merge::kAny};
  };
  return TableDef{TableId::kNTAIpDetails,
                  "NTAIpDetails",
                  {
                      {"TimeGenerated", T::kDateTime, StringKind::kText, false, Merge::kMax},
                      any("SubType", T::kString),
                      any("FaSchemaVersion", T::kString),
                      {"FlowIntervalStartTime", T::kDateTime, StringKind::kText, true, Merge::kKey},
                      any("FlowIntervalEndTime", T::kDateTime),
                      {"FlowType", T::kString, StringKind::kText, false, Merge::kKey},
                      {"Ip", T::kString, kIp, false, Merge::kKey},
                      any("Location", T::kString),
                      any("PublicIpDetails", T::kString),
                      any("ThreatType", T::kString),
                      any("ThreatDescription", T::kString),
                      any("DnsDomain", T::kString),
                      any("Url", T::kString),
                      any("Port", T::kInt),
                  },
                  "FlowIntervalStartTime",
                  true,
                  true,
                  "NTANetAnalytics"};
}

TableDef make_ingest_errors() {
  return TableDef{TableId::kIngestErrors,
                  "IngestErrors",
                  {
                      {"Time", T::kDateTime, StringKind::kText, true},
                      {"Source", T::kString},
                      {"RecordIndex", T::kLong},
                      {"TupleIndex", T::kLong},
                      {"ByteOffset", T::kLong},
                      {"Code", T::kString},
                      {"Message", T::kString},
                      {"Excerpt", T::kString},
                  },
                  "Time",
                  false};
}

// Traffic Analytics' topology snapshots (reference §1.3), from the topology inputs given to
// ingest: one row per resource per snapshot (SubType Topology) and one StatusMessage row per
// subscription and snapshot (ComponentType Topology, Status Completed), which the portal's
// queries use to pick the latest complete snapshot.
TableDef make_topology_details() {
  std::vector<ColumnDef> columns = {{"TimeGenerated", T::kDateTime},
                                    {"TimeProcessed", T::kDateTime, StringKind::kText, true}};
  for (std::string_view name : {"SubType",
                                "ComponentType",
                                "Status",
                                "Subscription",
                                "SubscriptionName",
                                "AzureResourceType",
                                "Name",
                                "Region",
                                "DiscoveryRegion",
                                "AddressPrefixes",
                                "Subnetwork",
                                "VirtualSubnetwork",
                                "VirtualNetwork1",
                                "VirtualNetwork2",
                                "VirtualMachine",
                                "PrivateIpAddresses",
                                "PublicIpAddresses",
                                "MacAddress",
                                "Nsg",
                                "ResourceGuid",
                                "GatewayType",
                                "VpnClientAddressPrefixes",
                                "ConnectionType",
                                "VirtualNetworkGateway1",
                                "LocalNetworkGateway",
                                "IpAddress"}) {
    columns.push_back({name, T::kString});
  }
  columns.push_back({"AllowForwardedTraffic", T::kBool});
  columns.push_back({"AllowGatewayTransit", T::kBool});
  return TableDef{TableId::kNTATopologyDetails,
                  "NTATopologyDetails",
                  std::move(columns),
                  "TimeProcessed",
                  false,
                  true,
                  "the topology inputs"};
}

}  // namespace

int TableDef::column_index(std::string_view column) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

std::vector<ColumnSpec> TableDef::specs() const {
  std::vector<ColumnSpec> out;
  for (const ColumnDef& c : columns)
    out.push_back({std::string(c.name), c.type, c.kind, c.delta});
  return out;
}

std::unique_ptr<SegmentWriter> new_segment_writer(const TableDef& table) {
  return std::make_unique<SegmentWriter>(static_cast<std::uint16_t>(table.id), table.specs(),
                                         table.time_index(), 1,
                                         table.rollup ? kRollupRowGroupRows : kRowGroupRows);
}

const TableDef& flow_tuples_table() {
  static const TableDef t = make_flow_tuples();
  return t;
}
const TableDef& net_analytics_table() {
  static const TableDef t = make_net_analytics();
  return t;
}
const TableDef& ip_details_table() {
  static const TableDef t = make_ip_details();
  return t;
}
const TableDef& ingest_errors_table() {
  static const TableDef t = make_ingest_errors();
  return t;
}

const TableDef& topology_details_table() {
  static const TableDef t = make_topology_details();
  return t;
}

const std::vector<const TableDef*>& all_tables() {
  static const std::vector<const TableDef*> tables = {&flow_tuples_table(), &net_analytics_table(),
                                                      &ip_details_table(), &ingest_errors_table(),
                                                      &topology_details_table()};
  return tables;
}

const TableDef* find_table(std::string_view name) {
  for (const TableDef* t : all_tables()) {
    if (t->name == name) return t;
  }
  return nullptr;
}

const TableDef* find_table(TableId id) {
  for (const TableDef* t : all_tables()) {
    if (t->id == id) return t;
  }
  return nullptr;
}

}  // namespace flowlens::store
