#include "flowlog/structure_scanner.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace flowlens {
namespace {

using Result = StructureScanner::Result;

// Scans `text` (padded so the block path may run) from 0, feeding it in pieces of `step` bytes.
std::pair<Result, std::size_t> scan_in_steps(const std::string& text, std::size_t step) {
  std::string padded = text + std::string(64, ' ');
  StructureScanner s;
  std::size_t pos = 0;
  for (std::size_t end = std::min(step, text.size());; end = std::min(end + step, text.size())) {
    Result r = s.scan(padded.data(), pos, end);
    if (r != Result::kNeedMore || end == text.size()) return {r, pos};
  }
}

TEST(StructureScanner, FindsTheEndOfAnObjectIgnoringBracketsInStrings) {
  std::string v = R"({"a":"}]","b":["x\"}",{"c":"\\"}],"d":"[{"})";
  for (std::size_t step : {1u, 2u, 3u, 7u, 64u, 1000u}) {
    auto [r, pos] = scan_in_steps(v + ",{\"next\":1}", step);
    EXPECT_EQ(r, Result::kComplete) << step;
    EXPECT_EQ(pos, v.size()) << step;
  }
}

TEST(StructureScanner, ReportsMismatchedAndTooDeepNesting) {
  EXPECT_EQ(scan_in_steps(R"({"a":[1,2}})", 100).first, Result::kMismatch);
  std::string deep(StructureScanner::kMaxDepth + 1, '[');
  EXPECT_EQ(scan_in_steps(deep, 100).first, Result::kTooDeep);
  EXPECT_EQ(scan_in_steps(R"({"a":"unterminated)", 100).first, Result::kNeedMore);
}

TEST(StructureScanner, RemembersWhetherItSawABackslash) {
  StructureScanner s;
  std::string plain = R"({"a":"b"})" + std::string(64, ' ');
  std::size_t pos = 0;
  ASSERT_EQ(s.scan(plain.data(), pos, 9), Result::kComplete);
  EXPECT_FALSE(s.saw_backslash());
  s.reset();
  std::string escaped = R"({"a":"\u0062"})" + std::string(64, ' ');
  pos = 0;
  ASSERT_EQ(s.scan(escaped.data(), pos, 14), Result::kComplete);
  EXPECT_TRUE(s.saw_backslash());
}

// A plain byte-at-a-time scanner: the block path must agree with it on every input.
std::pair<Result, std::size_t> reference_scan(const std::string& text) {
  std::string stack;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (stack.size() == StructureScanner::kMaxDepth) return {Result::kTooDeep, i + 1};
      stack += c;
    } else if (c == '}' || c == ']') {
      char open = c == '}' ? '{' : '[';
      if (stack.empty() || stack.back() != open) return {Result::kMismatch, i + 1};
      stack.pop_back();
      if (stack.empty()) return {Result::kComplete, i + 1};
    }
  }
  return {Result::kNeedMore, text.size()};
}

TEST(StructureScannerDifferential, AgreesWithAPlainScannerOnRandomJsonLikeBytes) {
  std::mt19937_64 rng(3);
  const std::string alphabet = "{}[]\"\\,:abYy_ 01\x7f";
  for (int i = 0; i < 20000; ++i) {
    std::string text = "{";
    std::size_t n = 1 + rng() % 300;
    for (std::size_t k = 0; k < n; ++k) {
      // Mostly ordinary characters, so that strings and nesting get long.
      text +=
          rng() % 4 == 0 ? alphabet[rng() % alphabet.size()] : static_cast<char>('a' + rng() % 26);
    }
    auto expected = reference_scan(text);
    for (std::size_t step : {text.size(), std::size_t{1} + rng() % 80}) {
      auto got = scan_in_steps(text, step);
      ASSERT_EQ(got.first, expected.first) << text << " step " << step;
      if (expected.first != Result::kNeedMore) {
        ASSERT_EQ(got.second, expected.second) << text << " step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace flowlens
