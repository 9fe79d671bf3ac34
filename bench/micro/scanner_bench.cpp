// Bytes per second of the structure scanner over a generated-looking record.
#include <benchmark/benchmark.h>

#include <string>

#include "flowlog/structure_scanner.h"

namespace {

std::string make_record(int tuples) {
  std::string r =
      "{\"time\":\"2026-11-01T02:01:20.5949418Z\",\"flowLogVersion\":4,\"macAddress\":"
      "\"002248B8726B\",\"flowRecords\":{\"flows\":[{\"aclID\":\"78ba3246-d5d8-4163-b972-"
      "0385a9ee0214\",\"flowGroups\":[{\"rule\":\"DefaultRule_AllowInternetOutBound\","
      "\"flowTuples\":[";
  for (int i = 0; i < tuples; ++i) {
    if (i > 0) r += ',';
    r += "\"1793498451206,10.2.1.5,13.68.177.113,43076,443,6,O,E,NX,71,85603,101,139048\"";
  }
  r += "]}]}]}}";
  return r;
}

void BM_ScanRecord(benchmark::State& state) {
  std::string record = make_record(static_cast<int>(state.range(0)));
  record.append(64, ' ');
  std::size_t len = record.size() - 64;
  flowlens::StructureScanner scanner;
  for (auto _ : state) {
    scanner.reset();
    std::size_t pos = 0;
    auto r = scanner.scan(record.data(), pos, len);
    if (r != flowlens::StructureScanner::Result::kComplete || pos != len) {
      state.SkipWithError("scanner did not find the record's end");
      return;
    }
    benchmark::DoNotOptimize(pos);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * len));
}
BENCHMARK(BM_ScanRecord)->Arg(100)->Arg(5000);

}  // namespace
