// IP addresses as flowlens keeps them internally: 16 bytes in network order, IPv4 stored as
// IPv4-mapped IPv6 (::ffff:a.b.c.d). Text forms are IPv4 dotted quad and IPv6 per RFC 5952
// (lower case, longest zero run compressed), as the KQL tables expose them.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace flowlens {

struct IpAddress {
  // Deliberately without a default initializer: columns of millions of addresses grow without
  // being zeroed first. Write IpAddress{} for the all-zero address (::).
  std::array<std::uint8_t, 16> bytes;

  static IpAddress from_v4(std::uint32_t host_order) {
    // ::ffff:a.b.c.d, written as two 8-byte words (bytes 10-11 are 0xff, 12-15 the address).
    static_assert(std::endian::native == std::endian::little);
    IpAddress a;
    std::uint64_t low = 0;
    std::uint64_t high = 0xFFFF0000ULL | (std::uint64_t{__builtin_bswap32(host_order)} << 32);
    std::memcpy(a.bytes.data(), &low, 8);
    std::memcpy(a.bytes.data() + 8, &high, 8);
    return a;
  }
  // True for IPv4 (and therefore for the IPv4-mapped IPv6 form, which is the same endpoint).
  bool is_v4() const {
    for (int i = 0; i < 10; ++i) {
      if (bytes[static_cast<std::size_t>(i)] != 0) return false;
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
  }
  std::uint32_t v4() const {
    return (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
           (std::uint32_t{bytes[14]} << 8) | std::uint32_t{bytes[15]};
  }
  // Equality compares two 8-byte words (hot in hash lookups); ordering is byte-wise.
  bool operator==(const IpAddress& other) const {
    std::uint64_t a[2], b[2];
    std::memcpy(a, bytes.data(), 16);
    std::memcpy(b, other.bytes.data(), 16);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
  }
  auto operator<=>(const IpAddress&) const = default;
};

// A fast hash of the 16 bytes, for hash tables of addresses (not for anything stored).
struct IpAddressHash {
  std::size_t operator()(const IpAddress& ip) const { return hash(ip, 0); }
  static std::uint64_t hash(const IpAddress& ip, std::uint64_t seed) {
    std::uint64_t a, b;
    std::memcpy(&a, ip.bytes.data(), 8);
    std::memcpy(&b, ip.bytes.data() + 8, 8);
    std::uint64_t h = (a ^ seed) * 0x9E3779B97F4A7C15ULL;
    h ^= (b + 0x632BE59BD9B4E019ULL + (h >> 29)) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    h *= 0x94D049BB133111EBULL;
    return h ^ (h >> 29);
  }
};

// Longest text form: an IPv6 address with an embedded IPv4 suffix.
inline constexpr std::size_t kMaxIpTextLength = 45;

// Parses a strict IPv4 dotted quad (no leading zeros, each part 0-255).
bool parse_ipv4(std::string_view text, std::uint32_t& host_order);
// Parses IPv4 or IPv6 text. No zone ids, no prefixes, no surrounding whitespace.
bool parse_ip(std::string_view text, IpAddress& out);

// Writes the canonical text form into `out` (at least kMaxIpTextLength bytes); returns its length.
std::size_t format_ip(const IpAddress& ip, char* out);
std::string format_ip(const IpAddress& ip);

}  // namespace flowlens
