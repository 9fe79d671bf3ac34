// Longest-prefix match from address blocks to values: the lookup behind topology (subnets,
// VNets, on-premises sites, VPN client pools), Azure service tags and threat-intelligence CIDRs.
//
// One hash table per prefix length in use; a lookup probes the lengths from longest to
// shortest and stops at the first hit. Real inputs use few distinct lengths (service tags about
// 30), so a lookup is a few dozen hash probes at most; callers cache per address on top.
// Inserting the same block twice keeps the first value unless `replace` is set.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "enrich/cidr.h"

namespace flowlens::enrich {

template <typename Value>
class PrefixMap {
 public:
  // Returns false when the block was already present (and `replace` was not set).
  bool insert(const Cidr& block, Value value, bool replace = false) {
    Level& level = level_for(block.length);
    Key key = key_of(mask_address(block.network, block.length));
    auto [it, inserted] = level.entries.try_emplace(key, std::move(value));
    if (!inserted && replace) it->second = std::move(value);
    if (inserted) ++size_;
    return inserted;
  }

  // The value stored for exactly this block, default-constructed first when absent.
  Value& exact(const Cidr& block) {
    Level& level = level_for(block.length);
    auto [it, inserted] =
        level.entries.try_emplace(key_of(mask_address(block.network, block.length)));
    if (inserted) ++size_;
    return it->second;
  }

  // The value of the longest block containing `ip`, or nullptr.
  const Value* longest_match(const IpAddress& ip) const {
    for (const Level& level : levels_) {
      auto it = level.entries.find(key_of(mask_address(ip, level.length)));
      if (it != level.entries.end()) return &it->second;
    }
    return nullptr;
  }

  // Every value whose block contains `ip`, longest block first.
  std::vector<const Value*> all_matches(const IpAddress& ip) const {
    std::vector<const Value*> out;
    for (const Level& level : levels_) {
      auto it = level.entries.find(key_of(mask_address(ip, level.length)));
      if (it != level.entries.end()) out.push_back(&it->second);
    }
    return out;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Key {
    std::uint64_t high, low;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      std::uint64_t h = k.high * 0x9E3779B97F4A7C15ULL ^ (k.low + 0x632BE59BD9B4E019ULL);
      h ^= h >> 29;
      h *= 0xBF58476D1CE4E5B9ULL;
      return static_cast<std::size_t>(h ^ (h >> 32));
    }
  };
  struct Level {
    int length;
    std::unordered_map<Key, Value, KeyHash> entries;
  };

  static Key key_of(const IpAddress& ip) {
    Key k;
    std::memcpy(&k.high, ip.bytes.data(), 8);
    std::memcpy(&k.low, ip.bytes.data() + 8, 8);
    return k;
  }
  Level& level_for(int length) {
    for (Level& level : levels_) {
      if (level.length == length) return level;
    }
    levels_.push_back(Level{length, {}});
    // Longest first, so that the first hit of a lookup is the longest match.
    std::sort(levels_.begin(), levels_.end(),
              [](const Level& a, const Level& b) { return a.length > b.length; });
    for (Level& level : levels_) {
      if (level.length == length) return level;
    }
    return levels_.front();  // unreachable
  }

  std::vector<Level> levels_;
  std::size_t size_ = 0;
};

}  // namespace flowlens::enrich
