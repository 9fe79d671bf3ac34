// What an Azure resource id in a flow-log record tells about the capturing NIC, without any
// topology input: its network, subscription and region, and the flow log's target type.
#pragma once

#include <string>
#include <string_view>

namespace flowlens::aggregate {

// Lower-cased id of the virtual network the target belongs to: the target itself for a VNet,
// the VNet part of a subnet id, else (a NIC, an NSG: the log does not say) "". Two NICs are
// taken to share a network when this is equal and not empty.
std::string network_of_target(std::string_view target_resource_id);

// The subscription GUID of an ARM id (lower case), or "".
std::string subscription_of(std::string_view resource_id);

// The region of a VNet flow log, from its network watcher NETWORKWATCHER_<REGION> (lower
// case), or "".
std::string region_of_flow_log(std::string_view flow_log_resource_id);

// VNET, SUBNET, NIC or NSG from the target id; "" when unknown.
std::string_view target_resource_type(std::string_view target_resource_id);

}  // namespace flowlens::aggregate
