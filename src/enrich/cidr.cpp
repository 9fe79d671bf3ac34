#include "enrich/cidr.h"

#include <charconv>

namespace flowlens::enrich {

IpAddress mask_address(const IpAddress& ip, int length) {
  IpAddress out = ip;
  for (int i = 0; i < 16; ++i) {
    int keep = length - i * 8;  // bits of this byte to keep
    auto& byte = out.bytes[static_cast<std::size_t>(i)];
    if (keep >= 8) continue;
    byte = keep <= 0 ? 0 : static_cast<std::uint8_t>(byte & (0xff << (8 - keep)));
  }
  return out;
}

bool Cidr::contains(const IpAddress& ip) const {
  return mask_address(ip, length) == network;
}

bool parse_cidr(std::string_view text, Cidr& out) {
  std::size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  IpAddress ip;
  if (!parse_ip(address, ip)) return false;
  // An IPv4 block is written with an IPv4 length; it applies to the mapped form's last 32 bits.
  bool v4 = address.find(':') == std::string_view::npos;
  int max_length = v4 ? 32 : 128;
  int length = max_length;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return false;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc() || end != digits.data() + digits.size()) return false;
    if (length < 0 || length > max_length) return false;
  }
  out.length = v4 ? 96 + length : length;
  out.network = mask_address(ip, out.length);
  return true;
}

std::string format_cidr(const Cidr& cidr) {
  bool v4 = cidr.network.is_v4() && cidr.length >= 96;
  std::string out = format_ip(cidr.network);
  out += '/';
  out += std::to_string(v4 ? cidr.length - 96 : cidr.length);
  return out;
}

}  // namespace flowlens::enrich
