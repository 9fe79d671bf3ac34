// NTATopologyDetails rows (reference §1.3) from topology snapshots: each topology given to
// `ingest` is kept as a snapshot with the time it was given (its TimeProcessed), and a reader
// turns every snapshot into one row per resource (VirtualNetwork, VirtualSubnetwork,
// NetworkInterface, VirtualMachine, NetworkSecurityGroup, VirtualNetworkPeering,
// VirtualNetworkGateway, LocalNetworkGateway, VirtualNetworkGatewayConnection) plus one
// StatusMessage row per subscription, so that the portal's "latest complete snapshot" queries
// work unchanged. Names follow TA: `rg/name`, subnets `rg/vnet/subnet`, lists space-separated.
#pragma once

#include "common/timestamp.h"
#include "enrich/topology.h"
#include "store/row_batch.h"

namespace flowlens::aggregate {

void append_topology_details(const enrich::Topology& topology, Ticks processed,
                             store::RowBatchBuilder& out);

}  // namespace flowlens::aggregate
