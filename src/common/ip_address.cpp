#include "common/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace flowlens {

bool parse_ipv4(std::string_view text, std::uint32_t& host_order) {
  std::uint32_t result = 0;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    std::size_t start = pos;
    std::uint32_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<std::uint32_t>(text[pos] - '0');
      ++pos;
    }
    std::size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return false;
    result = (result << 8) | value;
  }
  if (pos != text.size()) return false;
  host_order = result;
  return true;
}

bool parse_ip(std::string_view text, IpAddress& out) {
  std::uint32_t v4 = 0;
  if (parse_ipv4(text, v4)) {
    out = IpAddress::from_v4(v4);
    return true;
  }
  // IPv6: inet_pton needs a NUL-terminated string; anything longer than the longest valid
  // form is rejected before copying.
  if (text.size() < 2 || text.size() > kMaxIpTextLength) return false;
  char buf[kMaxIpTextLength + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return inet_pton(AF_INET6, buf, out.bytes.data()) == 1;
}

std::size_t format_ip(const IpAddress& ip, char* out) {
  if (ip.is_v4()) {
    char* p = out;
    for (int i = 12; i < 16; ++i) {
      if (i > 12) *p++ = '.';
      p = std::to_chars(p, p + 3, ip.bytes[static_cast<std::size_t>(i)]).ptr;
    }
    return static_cast<std::size_t>(p - out);
  }
  // glibc's inet_ntop follows RFC 5952: lower case, longest run of two or more zero groups
  // compressed (the first on ties), no leading zeros.
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof buf) == nullptr) return 0;
  std::size_t len = std::strlen(buf);
  std::memcpy(out, buf, len);
  return len;
}

std::string format_ip(const IpAddress& ip) {
  char buf[kMaxIpTextLength];
  return std::string(buf, format_ip(ip, buf));
}

}  // namespace flowlens
