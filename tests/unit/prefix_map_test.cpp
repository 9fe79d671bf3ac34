#include "enrich/prefix_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "enrich/cidr.h"

namespace flowlens::enrich {
namespace {

Cidr cidr(std::string_view text) {
  Cidr out;
  EXPECT_TRUE(parse_cidr(text, out)) << text;
  return out;
}

IpAddress ip(std::string_view text) {
  IpAddress out{};
  EXPECT_TRUE(parse_ip(text, out)) << text;
  return out;
}

// The value of the longest block containing `address`, nullopt when none.
template <typename Value>
std::optional<Value> match(const PrefixMap<Value>& map, std::string_view address) {
  const Value* value = map.longest_match(ip(address));
  if (value == nullptr) return std::nullopt;
  return *value;
}

TEST(Cidr, ParsesAndFormatsBothFamilies) {
  struct Case {
    const char* in;
    const char* out;
    int length;  // on the 16-byte form
  };
  for (Case c :
       {Case{"10.0.0.0/8", "10.0.0.0/8", 104}, Case{"0.0.0.0/0", "0.0.0.0/0", 96},
        Case{"192.0.2.7/32", "192.0.2.7/32", 128}, Case{"192.0.2.7", "192.0.2.7/32", 128},
        Case{"10.1.2.3/8", "10.0.0.0/8", 104},  // host bits cleared
        Case{"172.16.255.1/12", "172.16.0.0/12", 108}, Case{"2001:db8::/32", "2001:db8::/32", 32},
        Case{"::/0", "::/0", 0}, Case{"2001:DB8::1", "2001:db8::1/128", 128},
        Case{"2001:db8:1234:5678::1/33", "2001:db8::/33", 33},
        Case{"2603:1020:205::/48", "2603:1020:205::/48", 48}}) {
    Cidr block;
    ASSERT_TRUE(parse_cidr(c.in, block)) << c.in;
    EXPECT_EQ(block.length, c.length) << c.in;
    EXPECT_EQ(format_cidr(block), c.out) << c.in;
    Cidr again;
    ASSERT_TRUE(parse_cidr(format_cidr(block), again)) << c.in;
    EXPECT_EQ(again, block) << c.in;
  }
}

TEST(Cidr, RejectsMalformedText) {
  Cidr block;
  for (const char* bad :
       {"", "10.0.0.0/33", "1.2.3.4/", "/8", " 10.0.0.0/8", "10.0.0.0/8 ", "::/129", "10.0.0/8",
        "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/0x8", "10.0.0.0/1000",
        "2001:db8::/", "2001:db8::/ 32", "1.2.3.4/32a", "host.example/24", "1.2.3.256"}) {
    EXPECT_FALSE(parse_cidr(bad, block)) << bad;
  }
}

TEST(Cidr, ContainsRespectsFamilies) {
  EXPECT_TRUE(cidr("10.0.0.0/8").contains(ip("10.255.0.1")));
  EXPECT_FALSE(cidr("10.0.0.0/8").contains(ip("11.0.0.0")));
  // An IPv4 block never holds an IPv6 address, not even 0.0.0.0/0.
  EXPECT_TRUE(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
  EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("2001:db8::1")));
  EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("::1")));
  EXPECT_FALSE(cidr("10.0.0.0/8").contains(ip("::a00:1")));  // IPv4-compatible, not mapped
  EXPECT_TRUE(cidr("2001:db8::/32").contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(cidr("2001:db8::/32").contains(ip("2001:db9::1")));
}

TEST(PrefixMap, Ipv4PrefixNeverMatchesIpv6Address) {
  PrefixMap<int> map;
  map.insert(cidr("0.0.0.0/0"), 1);
  map.insert(cidr("10.0.0.0/8"), 2);
  EXPECT_EQ(match(map, "2001:db8::1"), std::nullopt);
  EXPECT_EQ(match(map, "::"), std::nullopt);
  EXPECT_EQ(match(map, "::a00:1"), std::nullopt);
  EXPECT_EQ(match(map, "10.1.1.1"), 2);
  EXPECT_EQ(match(map, "8.8.8.8"), 1);
}

TEST(PrefixMap, InsertKeepsFirstUnlessReplacing) {
  PrefixMap<std::string> map;
  EXPECT_TRUE(map.empty());
  EXPECT_TRUE(map.insert(cidr("10.0.0.0/8"), "first"));
  EXPECT_FALSE(map.insert(cidr("10.9.9.9/8"), "second"));  // the same block, host bits set
  EXPECT_EQ(match(map, "10.0.0.1"), "first");
  EXPECT_FALSE(map.insert(cidr("10.0.0.0/8"), "third", /*replace=*/true));
  EXPECT_EQ(match(map, "10.0.0.1"), "third");
  EXPECT_EQ(map.size(), 1u);
  map.exact(cidr("10.0.0.0/8")) += "!";
  EXPECT_EQ(match(map, "10.0.0.1"), "third!");
  EXPECT_EQ(map.exact(cidr("10.1.0.0/16")), "");  // created empty
  EXPECT_EQ(map.size(), 2u);
}

TEST(PrefixMap, AllMatchesLongestFirst) {
  PrefixMap<int> map;
  map.insert(cidr("10.0.0.0/8"), 8);
  map.insert(cidr("10.1.2.0/24"), 24);
  map.insert(cidr("10.1.0.0/16"), 16);
  map.insert(cidr("10.1.2.3/32"), 32);
  map.insert(cidr("10.2.0.0/16"), 99);
  std::vector<int> seen;
  for (const int* value : map.all_matches(ip("10.1.2.3")))
    seen.push_back(*value);
  EXPECT_EQ(seen, (std::vector<int>{32, 24, 16, 8}));
  seen.clear();
  for (const int* value : map.all_matches(ip("10.1.3.3")))
    seen.push_back(*value);
  EXPECT_EQ(seen, (std::vector<int>{16, 8}));
  EXPECT_TRUE(map.all_matches(ip("11.0.0.0")).empty());
}

// ---- Longest-prefix match against a brute-force reference ----

// A block with its 128-bit mask split into two words, so that the reference scan is a few
// instructions per block and can afford hundreds of thousands of lookups.
struct RefBlock {
  Cidr block;
  std::uint64_t net_high, net_low, mask_high, mask_low;
  int value;
};

std::uint64_t word(const IpAddress& a, int which) {
  std::uint64_t w = 0;
  for (int i = 0; i < 8; ++i)
    w = (w << 8) | a.bytes[static_cast<std::size_t>(which * 8 + i)];
  return w;
}

RefBlock ref_block(const Cidr& block, int value) {
  auto mask = [](int bits) -> std::uint64_t {
    if (bits <= 0) return 0;
    if (bits >= 64) return ~std::uint64_t{0};
    return ~std::uint64_t{0} << (64 - bits);
  };
  return RefBlock{block,
                  word(block.network, 0),
                  word(block.network, 1),
                  mask(block.length),
                  mask(block.length - 64),
                  value};
}

// Every block containing `ip`, longest first (lengths are unique among containing blocks).
std::vector<const RefBlock*> reference_matches(const std::vector<RefBlock>& blocks,
                                               const IpAddress& ip) {
  std::uint64_t high = word(ip, 0), low = word(ip, 1);
  std::vector<const RefBlock*> out;
  for (const RefBlock& b : blocks) {
    if ((high & b.mask_high) == b.net_high && (low & b.mask_low) == b.net_low) out.push_back(&b);
  }
  std::sort(out.begin(), out.end(),
            [](const RefBlock* a, const RefBlock* b) { return a->block.length > b->block.length; });
  return out;
}

// A uniformly random address of the block's family inside `block`.
IpAddress random_inside(const Cidr& block, std::mt19937_64& rng) {
  IpAddress out;
  std::uint64_t r[2] = {rng(), rng()};
  std::memcpy(out.bytes.data(), r, 16);
  bool v4 = block.network.is_v4() && block.length >= 96;
  if (v4) out = IpAddress::from_v4(static_cast<std::uint32_t>(r[0]));
  // Keep the block's first `length` bits, random after them.
  for (int bit = 0; bit < block.length; ++bit) {
    auto byte = static_cast<std::size_t>(bit / 8);
    auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    out.bytes[byte] =
        static_cast<std::uint8_t>((out.bytes[byte] & ~mask) | (block.network.bytes[byte] & mask));
  }
  return out;
}

struct RandomRun {
  std::size_t blocks = 0;   // distinct blocks inserted
  std::size_t matched = 0;  // lookups with at least one containing block
  std::size_t deep = 0;     // lookups inside three or more nested blocks
  std::size_t missed = 0;   // lookups inside no block
};

// Inserts random blocks of both families (independent ones of every length from `min_v4`
// resp. `min_v6`, then nested ones: a longer block around a random address under a block
// already generated) and compares `lookups` random lookups with the brute-force reference.
// Fatal failures return early: callers wrap the call in ASSERT_NO_FATAL_FAILURE.
void check_random(std::uint64_t seed, int min_v4, int min_v6, bool with_edges, int lookups,
                  RandomRun& run) {
  std::mt19937_64 rng(seed);
  std::vector<Cidr> candidates;
  auto random_v4 = [&] {
    Cidr c;
    c.length = 96 + min_v4 + static_cast<int>(rng() % static_cast<std::uint64_t>(33 - min_v4));
    c.network = mask_address(IpAddress::from_v4(static_cast<std::uint32_t>(rng())), c.length);
    return c;
  };
  auto random_v6 = [&] {
    Cidr c;
    std::uint64_t r[2] = {rng(), rng()};
    std::memcpy(c.network.bytes.data(), r, 16);
    c.length = min_v6 + static_cast<int>(rng() % static_cast<std::uint64_t>(129 - min_v6));
    c.network = mask_address(c.network, c.length);
    return c;
  };
  if (with_edges) {
    for (const char* edge : {"0.0.0.0/0", "::/0", "198.51.100.7/32", "2001:db8::1/128",
                             "2001:db8::/32", "10.0.0.0/8"}) {
      candidates.push_back(cidr(edge));
    }
  }
  for (int i = 0; i < 1500; ++i)
    candidates.push_back(random_v4());
  for (int i = 0; i < 1500; ++i)
    candidates.push_back(random_v6());
  for (int i = 0; i < 2000; ++i) {
    const Cidr& parent = candidates[rng() % candidates.size()];
    bool v4 = parent.network.is_v4() && parent.length >= 96;
    Cidr child;
    child.length =
        parent.length + static_cast<int>(rng() % static_cast<std::uint64_t>(129 - parent.length));
    child.network = mask_address(random_inside(parent, rng), child.length);
    ASSERT_TRUE(parent.contains(child.network));
    ASSERT_EQ(v4, child.network.is_v4() && child.length >= 96);
    candidates.push_back(child);
  }

  // Insert; duplicates (nested generation repeats blocks) must be refused, keeping the first.
  PrefixMap<int> map;
  std::vector<RefBlock> reference;
  std::set<std::pair<std::array<std::uint8_t, 16>, int>> seen;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Cidr& c = candidates[i];
    bool fresh = seen.insert({c.network.bytes, c.length}).second;
    ASSERT_EQ(map.insert(c, static_cast<int>(i)), fresh) << format_cidr(c);
    if (fresh) reference.push_back(ref_block(c, static_cast<int>(i)));
  }
  ASSERT_EQ(map.size(), reference.size());
  run.blocks = reference.size();

  // Half the lookups inside an inserted block (so deep matches are exercised), half uniformly
  // random over both families.
  for (int i = 0; i < lookups; ++i) {
    IpAddress probe;
    switch (i % 4) {
      case 0:
      case 1:
        probe = random_inside(reference[rng() % reference.size()].block, rng);
        break;
      case 2:
        probe = IpAddress::from_v4(static_cast<std::uint32_t>(rng()));
        break;
      default: {
        std::uint64_t r[2] = {rng(), rng()};
        std::memcpy(probe.bytes.data(), r, 16);
      }
    }
    std::vector<const RefBlock*> expected = reference_matches(reference, probe);
    const int* got = map.longest_match(probe);
    std::vector<const int*> all = map.all_matches(probe);
    if (expected.empty()) {
      ASSERT_EQ(got, nullptr) << format_ip(probe);
      ASSERT_TRUE(all.empty()) << format_ip(probe);
      ++run.missed;
      continue;
    }
    ASSERT_NE(got, nullptr) << format_ip(probe);
    ASSERT_EQ(*got, expected.front()->value)
        << format_ip(probe) << " expected " << format_cidr(expected.front()->block);
    ASSERT_EQ(all.size(), expected.size()) << format_ip(probe);
    for (std::size_t k = 0; k < all.size(); ++k) {
      ASSERT_EQ(*all[k], expected[k]->value) << format_ip(probe) << " match " << k;
    }
    ++run.matched;
    if (expected.size() >= 3) ++run.deep;
  }
}

TEST(PrefixMap, LongestMatchAgreesWithBruteForceOnRandomData) {
  // Every length from /0, plus 0.0.0.0/0 and ::/0: every lookup matches something.
  RandomRun run;
  ASSERT_NO_FATAL_FAILURE(check_random(0x5EEDF10E5ULL, 0, 0, true, 200000, run));
  EXPECT_GT(run.blocks, 4000u);
  EXPECT_EQ(run.missed, 0u);
  EXPECT_GT(run.deep, 10000u);  // the data exercises nesting, not only /0
}

TEST(PrefixMap, LongestMatchAgreesWithBruteForceWithMisses) {
  // No short blocks: most random addresses are in no block, so misses are checked too.
  RandomRun run;
  ASSERT_NO_FATAL_FAILURE(check_random(0xC1D12ULL, 12, 24, false, 100000, run));
  EXPECT_GT(run.blocks, 4000u);
  EXPECT_GT(run.missed, 20000u);
  EXPECT_GT(run.matched, 40000u);
  EXPECT_GT(run.deep, 2000u);
}

}  // namespace
}  // namespace flowlens::enrich
