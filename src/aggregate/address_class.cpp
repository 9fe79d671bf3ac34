#include "aggregate/address_class.h"

namespace flowlens::aggregate {

AddressClass classify_address(const IpAddress& ip) {
  if (ip.is_v4()) {
    std::uint32_t a = ip.v4();
    auto in = [a](std::uint32_t prefix, int bits) {
      return bits == 0 || (a >> (32 - bits)) == (prefix >> (32 - bits));
    };
    if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16))
      return AddressClass::kPrivate;
    if (in(0x00000000, 8) || in(0x7F000000, 8) || in(0xA9FE0000, 16) || in(0x64400000, 10) ||
        in(0xE0000000, 4) || in(0xF0000000, 4)) {
      return AddressClass::kSpecial;  // this network, loopback, link-local, shared, multicast,
                                      // reserved
    }
    return AddressClass::kPublic;
  }
  const auto& b = ip.bytes;
  bool zero_prefix = true;
  for (int i = 0; i < 15; ++i)
    zero_prefix = zero_prefix && b[static_cast<std::size_t>(i)] == 0;
  if (zero_prefix && (b[15] == 0 || b[15] == 1)) return AddressClass::kSpecial;  // :: and ::1
  if ((b[0] & 0xFE) == 0xFC) return AddressClass::kPrivate;                      // fc00::/7
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::kSpecial;      // fe80::/10
  if (b[0] == 0xFF) return AddressClass::kSpecial;                               // multicast
  return AddressClass::kPublic;
}

}  // namespace flowlens::aggregate
