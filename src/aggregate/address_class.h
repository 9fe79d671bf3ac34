// What kind of address a flow's remote side has, which decides how Traffic Analytics folds it
// and which FlowType it can have. Depends on the address alone, so it is fixed at ingest.
#pragma once

#include <cstdint>

#include "common/ip_address.h"

namespace flowlens::aggregate {

enum class AddressClass : std::uint8_t {
  kPublic,   // routable on the internet (documentation ranges included: Microsoft's samples
             // use them as internet hosts)
  kPrivate,  // RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique local (fc00::/7)
  kSpecial,  // unspecified, loopback, link-local, shared (100.64/10), multicast, reserved
};

AddressClass classify_address(const IpAddress& ip);

}  // namespace flowlens::aggregate
