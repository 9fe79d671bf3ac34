// L7Protocol as Traffic Analytics derives it: a name from the destination port. Microsoft does
// not publish its table; this one uses the common service names (IANA's where they are
// familiar), the same for TCP and UDP, and an empty string for ports it does not know (the
// portal's own queries filter on L7Protocol != ""). The full table is in docs/tables.md.
#pragma once

#include <cstdint>
#include <string_view>

namespace flowlens::aggregate {

std::string_view l7_protocol(std::uint16_t dest_port, std::uint8_t protocol);

}  // namespace flowlens::aggregate
