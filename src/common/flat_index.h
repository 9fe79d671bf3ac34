// FlatIndex: an open-addressing hash index of entry numbers, for aggregation maps whose entries
// live in plain vectors. The caller supplies each key's hash and an equality test against an
// entry, so the index never copies keys. Slots keep the full hash: growing re-places them
// exactly, and most mismatches are rejected without touching the entry.
#pragma once

#include <cstdint>
#include <vector>

namespace flowlens {

class FlatIndex {
 public:
  // Returns the entry whose key has `hash` and satisfies `equal(entry)`; otherwise calls
  // `insert()`, which must append the entry and return its number. `size` is the number of
  // entries before the call.
  template <typename Equal, typename Insert>
  std::uint32_t find_or_insert(std::uint64_t hash, std::size_t size, Equal&& equal,
                               Insert&& insert) {
    if (2 * (size + 1) > slots_.size()) grow(size + 1);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.entry == 0) {
        std::uint32_t e = insert();
        s = Slot{hash, e + 1};
        return e;
      }
      if (s.hash == hash && equal(s.entry - 1)) return s.entry - 1;
    }
  }
  void clear() { slots_.clear(); }
  // Hints that `hash` will be looked up soon (large tables: start the cache miss early).
  void prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = 0;  // entry + 1; 0 = empty
  };
  void grow(std::size_t need) {
    std::size_t capacity = 1024;
    while (capacity < 4 * need)
      capacity *= 2;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    std::size_t mask = capacity - 1;
    for (const Slot& s : old) {
      if (s.entry == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].entry != 0)
        i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
};

}  // namespace flowlens
