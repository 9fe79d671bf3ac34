// The query engine's string operators (§3) and scalar function library (§6), checked against
// the values the KQL semantics reference gives.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "query/string_match.h"

namespace flowlens::query {
namespace {

TEST(QueryStringMatch, HasMatchesWholeTermsAndPhrases) {
  EXPECT_TRUE(kql_has("a_b", "a", false));  // '_' separates terms
  EXPECT_FALSE(
      kql_has("\xc3\xa9"
              "a",
              "a", false));  // é is a letter: "éa" is one term
  EXPECT_TRUE(kql_has("x a-b y", "a-b", false));
  EXPECT_FALSE(kql_has("x ab y", "a-b", false));
  EXPECT_FALSE(kql_has("x a_b y", "a-b", false));
  EXPECT_TRUE(kql_has("a b", "a ", false));
  EXPECT_FALSE(kql_has("xa b", "a ", false));
  EXPECT_TRUE(kql_has("x a-b y", " a", false));
  EXPECT_FALSE(kql_has("errors", "error", false));
  EXPECT_TRUE(kql_contains("errors", "error", false));
  EXPECT_FALSE(kql_has("NetworkWatcherRG", "Watcher", false));
  EXPECT_TRUE(kql_has("anything", "", false));
  EXPECT_TRUE(kql_has("a-b", "-", false));  // no term characters: substring test
  EXPECT_FALSE(kql_has("ab", "-", false));
  EXPECT_TRUE(kql_has("52.1.2.3|x|y", "52.1.2.3", false));
  EXPECT_TRUE(kql_has("8.8.8.8 52.1.2.3|x", "52.1.2.3", false));
  EXPECT_FALSE(kql_has("52.1.2.30|x", "52.1.2.3", false));
  EXPECT_FALSE(kql_has("152.1.2.3|x", "52.1.2.3", false));
  EXPECT_TRUE(kql_contains("152.1.2.30|x", "52.1.2.3", false));
  // The first occurrence may fail the boundary test while a later one passes.
  EXPECT_TRUE(kql_has("errors error", "error", false));
}

TEST(QueryStringMatch, CaseFoldingIsAsciiOnly) {
  EXPECT_TRUE(kql_has("Flow DENIED here", "denied", false));
  EXPECT_FALSE(kql_has("Flow DENIED here", "denied", true));
  EXPECT_TRUE(kql_has("Flow DENIED here", "DENIED", true));
  EXPECT_TRUE(kql_contains("NetworkWatcher", "WORKwat", false));
  EXPECT_FALSE(kql_contains("NetworkWatcher", "WORKwat", true));
  EXPECT_TRUE(kql_equals_ci("TCP", "tcp"));
  EXPECT_FALSE(kql_equals_ci("\xc3\x89", "\xc3\xa9"));  // É =~ é is false (non-ASCII)
  EXPECT_TRUE(kql_startswith("Allowed", "allow", false));
  EXPECT_FALSE(kql_startswith("Allowed", "allow", true));
  EXPECT_TRUE(kql_endswith("Allowed", "WED", false));
  EXPECT_TRUE(kql_startswith("x", "", true));
  EXPECT_TRUE(kql_endswith("x", "", false));
  EXPECT_FALSE(kql_endswith("x", "xx", false));
}

TEST(QueryStringMatch, HasPrefixAndSuffixCheckOneEdge) {
  EXPECT_TRUE(kql_hasprefix("subnet_frontend", "front", false));
  EXPECT_FALSE(kql_hasprefix("subnet_frontend", "end", false));
  EXPECT_TRUE(kql_hassuffix("subnet_frontend", "end", false));
  EXPECT_FALSE(kql_hassuffix("subnet_frontend", "front", false));
  EXPECT_TRUE(kql_hasprefix("Microsoft.Network", "micro", false));
  EXPECT_FALSE(kql_hasprefix("Microsoft.Network", "micro", true));
}

TEST(QueryStringMatch, RegexesAreCachedAndInvalidOnesReported) {
  EXPECT_EQ(kql_matches_regex("dport=443", "dport=\\d+"), true);
  EXPECT_EQ(kql_matches_regex("dport=x", "^dport=\\d+$"), false);
  EXPECT_EQ(kql_matches_regex("ABC", "(?i)abc"), true);
  std::string error;
  EXPECT_EQ(cached_regex("(unclosed", &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(kql_matches_regex("x", "(unclosed"), std::nullopt);
  auto named = cached_regex("(?<port>\\d+)");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->NamedCapturingGroups().count("port"), 1u);
  EXPECT_EQ(cached_regex("dport=\\d+"), cached_regex("dport=\\d+"));
}

}  // namespace
}  // namespace flowlens::query
