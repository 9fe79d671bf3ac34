// Builds a Topology from the JSON that Azure CLI prints, so that a user can run
//   az network vnet list, az network nic list, az network nsg list,
//   az network vnet-gateway list, az network local-gateway list,
//   az network vpn-connection list (or vnet-gateway connection list), az vm list
// against their subscription (with `-o json`, the default) and hand flowlens the files. Each
// file holds one JSON array (or a single object) of ARM resources; the kind of each resource
// is taken from its "type" ("Microsoft.Network/virtualNetworks", ...), never from the file
// name, so files may be concatenated or given in any order. Properties follow the ARM shapes
// Azure CLI prints (camelCase, "properties" flattened into the object as az does, e.g.
// "addressSpace": {"addressPrefixes": [...]}, "subnets": [...], "ipConfigurations": [...]).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/enrich_error.h"
#include "enrich/topology.h"

namespace flowlens::enrich {

// Reads the files and merges what they describe. Unknown resource types are skipped (and
// counted in `skipped` when given); malformed JSON or a resource missing what it needs throws
// EnrichError naming the file, the array index and the key.
Topology import_azure_cli(const std::vector<std::string>& paths, std::size_t* skipped = nullptr);
Topology import_azure_cli_json(std::string_view json, const std::string& name_for_errors,
                               std::size_t* skipped = nullptr);

}  // namespace flowlens::enrich
