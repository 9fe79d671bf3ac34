#include "common/ip_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>

namespace flowlens {
namespace {

TEST(IpAddress, ParsesStrictDottedQuads) {
  std::uint32_t v = 0;
  ASSERT_TRUE(parse_ipv4("10.0.0.6", v));
  EXPECT_EQ(v, 0x0A000006u);
  ASSERT_TRUE(parse_ipv4("255.255.255.255", v));
  EXPECT_EQ(v, 0xFFFFFFFFu);
  ASSERT_TRUE(parse_ipv4("0.0.0.0", v));
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", " 1.2.3.4",
        "1.2.3.4 ", "1.2.3.4/32", "0x1.2.3.4", "1.2.3.-4", "1000.2.3.4"}) {
    EXPECT_FALSE(parse_ipv4(bad, v)) << bad;
  }
}

TEST(IpAddress, FormatsIpv6PerRfc5952) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (Case c : {Case{"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"},
                 Case{"2001:DB8::1", "2001:db8::1"}, Case{"::1", "::1"}, Case{"::", "::"},
                 Case{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // a single 0 stays
                 Case{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // first of equal runs
                 Case{"ace:cab:deca:1::4", "ace:cab:deca:1::4"},
                 Case{"::ffff:10.1.2.3", "10.1.2.3"}}) {  // IPv4-mapped is the IPv4 endpoint
    IpAddress ip;
    ASSERT_TRUE(parse_ip(c.in, ip)) << c.in;
    EXPECT_EQ(format_ip(ip), c.out) << c.in;
  }
  IpAddress ip;
  for (const char* bad :
       {"gggg::1", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "2001:db8::1/64", ":::", "1::2::3"}) {
    EXPECT_FALSE(parse_ip(bad, ip)) << bad;
  }
}

TEST(IpAddress, Ipv4RoundTripsOnRandomAddresses) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::uint32_t v = rng();
    in_addr a{htonl(v)};
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, text, sizeof text);
    IpAddress ip;
    ASSERT_TRUE(parse_ip(text, ip)) << text;
    ASSERT_TRUE(ip.is_v4());
    EXPECT_EQ(ip.v4(), v);
    EXPECT_EQ(format_ip(ip), text);
  }
}

}  // namespace
}  // namespace flowlens
