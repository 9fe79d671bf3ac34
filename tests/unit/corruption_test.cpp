// Property: damage confined to one record never costs another record its tuples, and never
// duplicates any. Random corruptions (byte flips, deletions, stray quotes and brackets,
// truncation) of one record of a generated blob, checked against the clean parse.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "test_support.h"

namespace flowlens::test {
namespace {

std::vector<std::string> make_records(std::mt19937_64& rng, int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> tuples;
    int k = 1 + static_cast<int>(rng() % 6);
    for (int t = 0; t < k; ++t) {
      tuples.push_back("17000000" + std::to_string(10000 + rng() % 89999) + ",10." +
                       std::to_string(rng() % 256) + ".0." + std::to_string(rng() % 256) +
                       ",52.239.184.180," + std::to_string(rng() % 65536) + ",443,6,O,E,NX," +
                       std::to_string(rng() % 100) + "," + std::to_string(rng() % 100000) + ",1,2");
    }
    records.push_back(vnet_record("2023-11-14T22:" + std::to_string(10 + i % 50) + ":20.1000000Z",
                                  tuples, "Rule_" + std::to_string(i)));
  }
  return records;
}

std::string corrupt(std::string r, std::mt19937_64& rng) {
  static const char kNasty[] = {'"', '{', '}', '[', ']', ',', ':', '\\', '\0', 'x', '\xff'};
  std::size_t at = 1 + rng() % (r.size() - 2);
  switch (rng() % 5) {
    case 0:
      r[at] = kNasty[rng() % sizeof kNasty];
      break;
    case 1:
      r.erase(at, 1 + rng() % 8);
      break;
    case 2:
      r.insert(at, 1, kNasty[rng() % sizeof kNasty]);
      break;
    case 3:
      r.insert(at, std::string(1 + rng() % 3, kNasty[rng() % 5]));
      break;
    default:
      r.resize(at);  // a record cut short, followed by the next one
  }
  return r;
}

TEST(Corruption, DamageInOneRecordNeverCostsOtherRecordsTheirTuples) {
  std::mt19937_64 rng(11);
  int with_errors = 0;
  const int kRounds = 1500;
  for (int round = 0; round < kRounds; ++round) {
    auto records = make_records(rng, 8);
    // The rows each record yields on its own.
    std::vector<std::vector<std::string>> own(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
      own[i] = parse_bytes(blob({records[i]})).rows;
    std::size_t victim = rng() % records.size();
    auto damaged = records;
    damaged[victim] = corrupt(records[victim], rng);
    std::string input = blob(damaged, rng() % 4 != 0);
    ParseOutcome got = parse_bytes(input, 1 + rng() % 3, rng() % 3 == 0 ? 1 + rng() % 40 : 0, 1024);
    with_errors += !got.errors.empty();

    std::map<std::string, int> seen;
    for (const auto& row : got.rows)
      ++seen[row.substr(0, row.find("\"Source\""))];
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i == victim) continue;
      for (const auto& row : own[i]) {
        auto it = seen.find(row.substr(0, row.find("\"Source\"")));
        ASSERT_NE(it, seen.end()) << "round " << round << ": record " << i
                                  << " lost a tuple after damage to record " << victim << "\n"
                                  << damaged[victim];
        ASSERT_EQ(it->second, 1) << "round " << round << ": duplicated tuple";
      }
    }
  }
  EXPECT_GT(with_errors, kRounds / 2);  // most corruptions are noticed and reported
}

}  // namespace
}  // namespace flowlens::test
