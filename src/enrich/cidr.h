// Address prefixes (CIDR blocks) in flowlens's 16-byte address form: an IPv4 block a.b.c.d/n is
// kept as the IPv4-mapped block ::ffff:a.b.c.d/(96+n), so one table serves both families and
// an IPv4 prefix never matches an IPv6 address.
#pragma once

#include <string>
#include <string_view>

#include "common/ip_address.h"

namespace flowlens::enrich {

struct Cidr {
  IpAddress network;  // host bits zero
  int length = 0;     // 0-128, on the 16-byte form

  bool contains(const IpAddress& ip) const;
  bool operator==(const Cidr&) const = default;
};

// Parses "10.0.0.0/8", "2001:db8::/32" or a bare address ("1.2.3.4" = /32, "2001:db8::1" =
// /128). Host bits that are set are cleared ("10.1.2.3/8" is 10.0.0.0/8), as Azure accepts.
// Returns false on anything else (no surrounding whitespace allowed).
bool parse_cidr(std::string_view text, Cidr& out);

// "10.0.0.0/8", "2001:db8::/32": the IPv4 form for IPv4-mapped blocks of length >= 96.
std::string format_cidr(const Cidr& cidr);

// `ip` with every bit after the first `length` cleared.
IpAddress mask_address(const IpAddress& ip, int length);

}  // namespace flowlens::enrich
