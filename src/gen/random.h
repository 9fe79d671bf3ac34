// Deterministic pseudo-random numbers for the generator: xoshiro256** seeded through
// SplitMix64. Same seed, same sequence, on every run and thread count; streams for different
// purposes are derived by mixing the seed with stable ids (NIC, hour, traffic class).
#pragma once

#include <cmath>
#include <cstdint>

namespace flowlens::gen {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Combines a seed with ids into a new, well-mixed seed.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                              std::uint64_t c = 0) {
  std::uint64_t s = seed;
  std::uint64_t r = splitmix64(s);
  s = r ^ (a * 0xd6e8feb86659fd93ULL);
  r = splitmix64(s);
  s = r ^ (b * 0xa0761d6478bd642fULL);
  r = splitmix64(s);
  s = r ^ (c * 0xe7037ed1a0b428dbULL);
  return splitmix64(s);
}

// 128-bit arithmetic, a GCC/Clang extension, for exact multiply-shift and proportional splits.
__extension__ using uint128 = unsigned __int128;
__extension__ using int128 = __int128;

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : s_)
      word = splitmix64(seed);
  }
  std::uint64_t next() {
    std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) (Lemire's multiply-shift; the tiny bias is irrelevant here).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<uint128>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  double exponential(double mean) { return -mean * std::log1p(-unit()); }
  // Log-normal with the given median and spread (sigma of the underlying normal).
  double lognormal(double median, double sigma) {
    double u1 = unit(), u2 = unit();
    double z = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(6.283185307179586 * u2);
    return median * std::exp(sigma * z);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace flowlens::gen
