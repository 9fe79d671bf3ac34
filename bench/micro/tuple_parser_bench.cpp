// Time to parse one flow tuple, by layout. The tuples are copied into a padded buffer as they
// lie in the parser's chunk buffers. Correctness is checked before timing starts.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "flowlog/tuple_parser.h"

namespace {

using flowlens::ParsedTuple;
using flowlens::TupleLayout;
using flowlens::TupleProblem;

// A realistic mix: short flows, counters of all sizes, an IPv6 peer.
const std::vector<std::string> kVNet = {
    "1793498451206,10.2.1.5,13.68.177.113,43076,443,6,O,E,NX,71,85603,101,139048",
    "1793498429050,10.2.1.5,13.68.177.113,43076,443,6,O,B,NX,0,0,0,0",
    "1793498454743,10.2.1.5,168.63.129.16,42167,53,17,O,E,NX,1,90,1,102",
    "1793498455001,185.170.185.105,10.1.1.4,35370,3389,6,I,D,NX,0,0,0,0",
    "1793498460123,93.184.216.34,10.1.1.7,51234,443,6,I,C,NX,1021,588096,8005,4610880",
    "1793498461999,2a01:4f8:1c0c:8a3f::2d,ace:cab:deca:1::4,49152,443,6,I,E,NX,12,5120,9,77000",
    "1793498462000,10.1.2.4,10.1.3.4,55000,1433,6,O,C,X,300,120000,280,9000000",
    "1793498463500,10.0.2.4,10.1.1.9,61000,22,6,O,E,NX,40,40000,39,300000",
};
const std::vector<std::string> kNsg2 = {
    "1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,",
    "1542110379,10.5.16.4,203.0.113.117,59932,443,T,O,A,E,1,66,1,66",
    "1542110379,10.5.16.4,203.0.113.115,44931,443,T,O,A,C,30,16978,24,14008",
    "1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,,",
};

// Lays the tuples out as in a chunk buffer: one after another with padding at the end.
struct Padded {
  std::string bytes;
  std::vector<std::string_view> views;
  explicit Padded(const std::vector<std::string>& tuples) {
    std::vector<std::size_t> offsets;
    for (const auto& t : tuples) {
      offsets.push_back(bytes.size());
      bytes += t;
      bytes += "\",\"";
    }
    bytes.append(64, ' ');
    for (std::size_t i = 0; i < tuples.size(); ++i) {
      views.emplace_back(bytes.data() + offsets[i], tuples[i].size());
    }
  }
};

void run(benchmark::State& state, const std::vector<std::string>& tuples, TupleLayout layout) {
  Padded padded(tuples);
  ParsedTuple out;
  TupleProblem problem;
  for (auto v : padded.views) {
    if (!flowlens::parse_tuple_padded(v, layout, out, problem)) {
      state.SkipWithError(problem.message.c_str());
      return;
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    bool ok = flowlens::parse_tuple_padded(padded.views[i], layout, out, problem);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out);
    if (++i == padded.views.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

const std::vector<std::string> kVNetIpv6 = {
    "1793498461999,2a01:4f8:1c0c:8a3f::2d,ace:cab:deca:1::4,49152,443,6,I,E,NX,12,5120,9,77000"};

std::vector<std::string> without_ipv6(std::vector<std::string> v) {
  std::erase_if(v, [](const std::string& t) { return t.find(':') != std::string::npos; });
  return v;
}

// Thousands of distinct tuples with random addresses, ports and counters, so that the branch
// predictor cannot learn the field lengths (as in real data).
std::vector<std::string> random_vnet_tuples(std::size_t count) {
  std::mt19937_64 rng(42);
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  auto ip = [&] {
    return std::to_string(1 + pick(223)) + "." + std::to_string(pick(256)) + "." +
           std::to_string(pick(256)) + "." + std::to_string(pick(256));
  };
  auto counter = [&] {
    std::uint64_t digits = 1 + pick(9);
    std::uint64_t v = pick(10);
    for (std::uint64_t d = 1; d < digits; ++d)
      v = v * 10 + pick(10);
    return std::to_string(v);
  };
  const char* states = "BCED";
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string t = std::to_string(1793498400000ULL + pick(3600000)) + "," + ip() + "," + ip() +
                    "," + std::to_string(pick(65536)) + "," + std::to_string(pick(65536)) + "," +
                    (pick(2) ? "6" : "17") + "," + (pick(2) ? "I" : "O") + "," + states[pick(4)] +
                    ",NX," + counter() + "," + counter() + "," + counter() + "," + counter();
    out.push_back(t);
  }
  return out;
}

void BM_TupleVNet(benchmark::State& state) {
  run(state, kVNet, TupleLayout::kVNet);
}
void BM_TupleVNetRandom(benchmark::State& state) {
  static const std::vector<std::string> tuples = random_vnet_tuples(4096);
  run(state, tuples, TupleLayout::kVNet);
}
void BM_TupleVNetIpv4(benchmark::State& state) {
  run(state, without_ipv6(kVNet), TupleLayout::kVNet);
}
void BM_TupleVNetIpv6(benchmark::State& state) {
  run(state, kVNetIpv6, TupleLayout::kVNet);
}
void BM_TupleNsgV2(benchmark::State& state) {
  run(state, kNsg2, TupleLayout::kNsg);
}

BENCHMARK(BM_TupleVNet);
BENCHMARK(BM_TupleVNetRandom);
BENCHMARK(BM_TupleVNetIpv4);
BENCHMARK(BM_TupleVNetIpv6);
BENCHMARK(BM_TupleNsgV2);

}  // namespace
