// The query engine's string operators (§3) and scalar function library (§6), checked against
// the values the KQL semantics reference gives.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "common/timestamp.h"
#include "query/function_registry.h"
#include "query/string_match.h"
#include "query/value.h"

namespace flowlens::query {
namespace {

std::int64_t dt(const char* iso) {
  return *parse_iso8601(iso);
}
Value D(const char* iso) {
  return Value::datetime(dt(iso));
}
Value S(const char* s) {
  return Value::string(s);
}
Value L(std::int64_t x) {
  return Value::long_(x);
}
Value R(double x) {
  return Value::real(x);
}
Value TS(std::int64_t ticks) {
  return Value::timespan(ticks);
}
Value J(const char* json) {
  return Value::dynamic(parse_json_text(json));
}
constexpr std::int64_t kSec = kTicksPerSecond;
constexpr std::int64_t kHour = kTicksPerHour;
constexpr std::int64_t kDay = kTicksPerDay;

std::vector<ArgInfo> infos_of(const std::vector<Value>& args, int typeof_index) {
  std::vector<ArgInfo> infos;
  for (std::size_t i = 0; i < args.size(); ++i) {
    ArgInfo info;
    info.type = args[i].type;
    info.constant = &args[i];
    if (static_cast<int>(i) == typeof_index) info.type_literal = parse_type_name(args[i].s);
    infos.push_back(info);
  }
  return infos;
}

// Binds the call with every argument constant, evaluates it, and checks that the value has the
// bound type.
Value call(std::string_view name, std::vector<Value> args, int typeof_index = -1,
           std::int64_t now = 0) {
  const ScalarFunction* f = find_function(name);
  EXPECT_NE(f, nullptr) << name;
  if (f == nullptr) return Value{};
  const int n = static_cast<int>(args.size());
  EXPECT_TRUE(n >= f->min_args && (f->max_args < 0 || n <= f->max_args)) << name;
  std::string error;
  auto type = f->result_type(infos_of(args, typeof_index), error);
  EXPECT_TRUE(type) << name << ": " << error;
  EvalContext context;
  context.now = now;
  Value v = f->eval(args, context);
  if (type) {
    EXPECT_EQ(v.type, *type) << name;
  }
  return v;
}

// The binding error for a call (empty when it binds).
std::string bind_error(std::string_view name, std::vector<Value> args, int typeof_index = -1) {
  const ScalarFunction* f = find_function(name);
  if (f == nullptr) return "no such function";
  std::string error;
  auto type = f->result_type(infos_of(args, typeof_index), error);
  return type ? std::string() : error;
}

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

TEST(QueryFunctions, RegistryFindsNamesCaseSensitively) {
  EXPECT_NE(find_function("iff"), nullptr);
  EXPECT_NE(find_function("iif"), nullptr);
  EXPECT_EQ(find_function("IFF"), nullptr);
  EXPECT_EQ(find_function("no_such_function"), nullptr);
  auto names = function_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(find_function("tostring")->naming, Naming::kFirstArg);
  EXPECT_EQ(find_function("iff")->naming, Naming::kGenerated);
}

TEST(QueryFunctions, IffUnifiesBranchTypes) {
  EXPECT_EQ(call("iff", {Value::boolean(true), L(1), R(2.5)}).r, 1.0);
  EXPECT_EQ(call("iff", {Value::boolean(false), L(1), R(2.5)}).r, 2.5);
  // A null condition selects the else branch.
  EXPECT_EQ(call("iff", {Value::null_of(Type::kBool), L(1), L(2)}).i, 2);
  EXPECT_EQ(call("iff", {Value::boolean(true), Value::integer(1), L(2)}).type, Type::kLong);
  EXPECT_EQ(call("iif", {Value::boolean(true), S("a"), S("b")}).s, "a");
  // A typed null constant and a dynamic branch take the other branch's type.
  EXPECT_TRUE(call("iff", {Value::boolean(true), Value::null_of(Type::kDateTime), L(2)}).null);
  EXPECT_EQ(call("iff", {Value::boolean(true), J("7"), L(2)}).i, 7);
  EXPECT_NE(bind_error("iff", {Value::boolean(true), S("a"), L(1)}), "");
  EXPECT_NE(bind_error("iff", {L(1), L(1), L(2)}), "");
}

TEST(QueryFunctions, CaseAndCoalesce) {
  EXPECT_EQ(call("case", {Value::boolean(false), S("a"), Value::boolean(true), S("b"), S("c")}).s,
            "b");
  EXPECT_EQ(call("case", {Value::boolean(false), L(1), Value::null_of(Type::kBool), L(2), L(3)}).i,
            3);
  EXPECT_EQ(call("coalesce", {Value::null_of(Type::kLong), L(5), L(6)}).i, 5);
  EXPECT_EQ(call("coalesce", {S(""), S("x"), S("y")}).s, "x");  // first non-empty string
  EXPECT_EQ(call("coalesce", {S(""), S("")}).s, "");
  EXPECT_TRUE(call("coalesce", {Value::null_of(Type::kLong), Value::null_of(Type::kLong)}).null);
  EXPECT_EQ(call("coalesce", {Value::null_of(Type::kInt), R(1.5)}).r, 1.5);
  EXPECT_NE(bind_error("coalesce", {S("a"), L(1)}), "");
}

TEST(QueryFunctions, MaxOfAndMinOfSkipNulls) {
  EXPECT_EQ(call("max_of", {Value::null_of(Type::kInt), Value::integer(2)}).i, 2);
  EXPECT_EQ(call("max_of", {L(1), R(2.5), L(2)}).r, 2.5);
  EXPECT_EQ(call("min_of", {L(3), L(-1), Value::null_of(Type::kLong)}).i, -1);
  EXPECT_TRUE(call("min_of", {Value::null_of(Type::kLong), Value::null_of(Type::kLong)}).null);
  EXPECT_EQ(call("max_of", {D("2024-01-01T00:00:00Z"), D("2024-02-01T00:00:00Z")}).i,
            dt("2024-02-01T00:00:00Z"));
  EXPECT_EQ(call("min_of", {S("b"), S("a")}).s, "a");
}

TEST(QueryFunctions, NullTests) {
  EXPECT_TRUE(call("not", {Value::null_of(Type::kBool)}).null);
  EXPECT_EQ(call("not", {Value::boolean(true)}).i, 0);
  EXPECT_EQ(call("isnull", {S("")}).i, 0);  // strings are never null
  EXPECT_EQ(call("isempty", {S("")}).i, 1);
  EXPECT_EQ(call("isempty", {Value::null_of(Type::kLong)}).i, 1);
  EXPECT_EQ(call("isnotempty", {L(0)}).i, 1);
  EXPECT_EQ(call("isnull", {J("")}).i, 1);
  EXPECT_EQ(call("isnull", {J("[]")}).i, 0);
  EXPECT_EQ(call("isnull", {J("{}")}).i, 0);
  EXPECT_EQ(call("isempty", {J("[]")}).i, 0);
  EXPECT_EQ(call("isempty", {Value::dynamic(nullptr)}).i, 1);
  EXPECT_EQ(call("isnotnull", {L(1)}).i, 1);
  EXPECT_EQ(call("gettype", {J("[1]")}).s, "array");
  EXPECT_EQ(call("gettype", {J("{}")}).s, "dictionary");
  EXPECT_EQ(call("gettype", {L(1)}).s, "long");
  EXPECT_EQ(call("gettype", {TS(1)}).s, "timespan");
}

TEST(QueryFunctions, Conversions) {
  EXPECT_EQ(call("tostring", {D("2024-01-01T00:00:00Z")}).s, "2024-01-01T00:00:00.0000000Z");
  EXPECT_EQ(call("tostring", {Value::null_of(Type::kLong)}).s, "");
  EXPECT_EQ(call("tostring", {J("[1,2,4]")}).s, "[1,2,4]");
  EXPECT_EQ(call("tostring", {J("\"raw\"")}).s, "raw");
  EXPECT_EQ(call("toint", {R(2.7)}).i, 2);
  EXPECT_EQ(call("toint", {R(2.9)}).type, Type::kInt);
  EXPECT_TRUE(call("tolong", {S("12abc")}).null);
  EXPECT_EQ(call("tolong", {S("123")}).i, 123);
  EXPECT_EQ(call("tolong", {TS(kSec)}).i, kSec);  // ticks
  EXPECT_EQ(call("todouble", {S("1.5")}).r, 1.5);
  EXPECT_EQ(call("todecimal", {L(3)}).r, 3.0);
  EXPECT_EQ(call("tobool", {S("True")}).i, 1);
  EXPECT_TRUE(call("tobool", {S("nope")}).null);
  EXPECT_EQ(call("todatetime", {S("12-02-2022")}).i, dt("2022-12-02T00:00:00Z"));
  EXPECT_TRUE(call("todatetime", {S("13-01-2022")}).null);
  EXPECT_EQ(call("todatetime", {J("\"2022-12-02T13:45:56+02:00\"")}).i, dt("2022-12-02T11:45:56Z"));
  EXPECT_EQ(call("totimespan", {S("0.00:03:00")}).i, 3 * 60 * kSec);
  EXPECT_EQ(call("totime", {TS(5)}).i, 5);
  EXPECT_TRUE(call("totimespan", {S("junk")}).null);
  Value d = call("parse_json", {S(R"({"a":[1,2]})")});
  EXPECT_EQ(dyn_to_json(d.d), R"({"a":[1,2]})");
  EXPECT_EQ(call("todynamic", {S("{bad")}).d->s, "{bad");
  EXPECT_TRUE(call("parsejson", {S("")}).null);
  EXPECT_EQ(call("tohex", {L(255)}).s, "ff");
  EXPECT_EQ(call("tohex", {L(255), L(4)}).s, "00ff");
  EXPECT_EQ(call("tohex", {L(-1)}).s, "ffffffffffffffff");
}

TEST(QueryFunctions, StrcatAndStrcatArray) {
  EXPECT_EQ(
      call("strcat", {S("a"), L(1), Value::null_of(Type::kLong), D("2024-01-01T00:00:00Z")}).s,
      "a12024-01-01T00:00:00.0000000Z");
  EXPECT_EQ(call("strcat_array", {J(R"(["tcp", 443])"), S("/")}).s, "tcp/443");
  EXPECT_EQ(call("strcat_array", {J(R"(["a", null, "b"])"), S(",")}).s, "a,,b");
  EXPECT_EQ(find_function("strcat")->naming, Naming::kGenerated);
}

TEST(QueryFunctions, SplitAlwaysReturnsAnArray) {
  EXPECT_EQ(dyn_to_json(call("split", {S("10.0..1"), S(".")}).d), R"(["10","0","","1"])");
  EXPECT_EQ(dyn_to_json(call("split", {S(""), S(",")}).d), R"([""])");
  EXPECT_EQ(dyn_to_json(call("split", {S("a_b_c"), S("_"), L(1)}).d), R"(["b"])");
  EXPECT_EQ(dyn_to_json(call("split", {S("a_b_c"), S("_"), L(5)}).d), "[]");
  EXPECT_EQ(dyn_to_json(call("split", {S("a.b"), S(".*")}).d), R"(["a.b"])");  // not a regex
  EXPECT_EQ(find_function("split")->naming, Naming::kFirstArg);
}

TEST(QueryFunctions, SubstringClamps) {
  EXPECT_EQ(call("substring", {S("flowlens"), L(4)}).s, "lens");
  EXPECT_EQ(call("substring", {S("flowlens"), L(0), L(4)}).s, "flow");
  EXPECT_EQ(call("substring", {S("flowlens"), L(-4), L(2)}).s, "le");
  EXPECT_EQ(call("substring", {S("flowlens"), L(8)}).s, "");
  EXPECT_EQ(call("substring", {S("flowlens"), L(20), L(2)}).s, "");
  EXPECT_EQ(call("substring", {S("flowlens"), L(6), L(100)}).s, "ns");
  EXPECT_EQ(call("substring", {S("flowlens"), L(-100), L(4)}).s, "flow");
  EXPECT_EQ(call("substring", {S("flowlens"), L(2), L(-1)}).s, "");
  EXPECT_EQ(call("substring", {S("h\xc3\xa9llo"), L(1), L(2)}).s, "\xc3\xa9l");  // code points
  EXPECT_NE(bind_error("substring", {S("x"), S("1")}), "");
}

TEST(QueryFunctions, StrlenReverseCase) {
  EXPECT_EQ(call("strlen", {S("C\xcc\xa7")}).i, 2);  // C + combining cedilla
  EXPECT_EQ(call("strlen", {S("flow")}).i, 4);
  EXPECT_EQ(call("reverse", {S("ab\xc3\xa9")}).s,
            "\xc3\xa9"
            "ba");
  EXPECT_EQ(call("tolower", {S("TCP-Flow")}).s, "tcp-flow");
  EXPECT_EQ(call("toupper", {S("tcp")}).s, "TCP");
  EXPECT_EQ(call("strcmp", {S("a"), S("b")}).i, -1);
  EXPECT_EQ(call("strcmp", {S("b"), S("b")}).i, 0);
}

TEST(QueryFunctions, TrimTakesARegex) {
  EXPECT_EQ(call("trim", {S("--"), S("--https://bing.com--")}).s, "https://bing.com");
  EXPECT_EQ(call("trim", {S("[^\\w]+"), S("- Te st1// $")}).s, "Te st1");
  EXPECT_EQ(call("trim_start", {S("\\s+"), S("  x  ")}).s, "x  ");
  EXPECT_EQ(call("trim_end", {S("\\s+"), S("  x  ")}).s, "  x");
  EXPECT_EQ(call("trim_end", {S("1"), S("x111")}).s, "x");
  EXPECT_NE(bind_error("trim", {S("(bad"), S("x")}), "");
}

TEST(QueryFunctions, ReplaceFunctions) {
  EXPECT_EQ(call("replace_string", {S("A magic trick"), S("magic"), S("cool")}).s, "A cool trick");
  EXPECT_EQ(call("replace_string", {S("aaa"), S("aa"), S("b")}).s, "ba");
  EXPECT_EQ(call("replace_string", {S("abc"), S(""), S("x")}).s, "abc");
  EXPECT_EQ(call("replace_regex", {S("dport=443 dport=80"), S("dport=(\\d+)"), S("p:\\1")}).s,
            "p:443 p:80");
  EXPECT_EQ(call("replace_regex", {S("abc"), S("b"), S("[\\0]")}).s, "a[b]c");
  EXPECT_EQ(call("replace", {S("abc"), S("x*"), S("-")}).s, "-a-b-c-");
  EXPECT_NE(bind_error("replace_regex", {S("x"), S("(bad"), S("")}), "");
}

TEST(QueryFunctions, ExtractGivesTheGroupOrNull) {
  EXPECT_EQ(call("extract", {S("dport=(\\d+)"), L(1), S("src=1 dport=443")}).s, "443");
  EXPECT_EQ(call("extract", {S("dport=(\\d+)"), L(0), S("src=1 dport=443")}).s, "dport=443");
  EXPECT_EQ(call("extract", {S("dport=(\\d+)"), L(1), S("nothing")}).s, "");
  Value typed = call("extract", {S("dport=(\\d+)"), L(1), S("dport=443"), S("long")}, 3);
  EXPECT_EQ(typed.type, Type::kLong);
  EXPECT_EQ(typed.i, 443);
  EXPECT_TRUE(call("extract", {S("dport=(\\w+)"), L(1), S("dport=abc"), S("long")}, 3).null);
  EXPECT_TRUE(call("extract", {S("(a)|(b)"), L(2), S("a"), S("long")}, 3).null);
  EXPECT_NE(bind_error("extract", {S("(bad"), L(1), S("x")}), "");
  EXPECT_EQ(dyn_to_json(call("extract_all", {S("(\\d+)"), S("a1b22c333")}).d),
            R"(["1","22","333"])");
  EXPECT_EQ(dyn_to_json(call("extract_all", {S("(\\w)(\\d)"), S("a1 b2")}).d),
            R"([["a","1"],["b","2"]])");
  EXPECT_NE(bind_error("extract_all", {S("\\d"), S("x")}), "");
}

TEST(QueryFunctions, IndexofAndCountof) {
  EXPECT_EQ(call("indexof", {S("abcdefg"), S("cde")}).i, 2);
  EXPECT_EQ(call("indexof", {S("abcdefg"), S("cde"), L(1), L(4)}).i, 2);
  EXPECT_EQ(call("indexof", {S("abcdefg"), S("cde"), L(1), L(2)}).i, -1);
  EXPECT_EQ(call("indexof", {S("abcdefg"), S("cde"), L(3)}).i, -1);
  EXPECT_EQ(call("indexof", {S("abcdefg"), S("cde"), L(-5)}).i, 2);
  EXPECT_EQ(call("indexof", {S("abcdefg"), S("xyz")}).i, -1);
  EXPECT_EQ(call("indexof", {S("abcabc"), S("bc"), L(0), L(-1), L(2)}).i, 4);
  EXPECT_TRUE(call("indexof", {S("abc"), S("b"), L(0), L(-2)}).null);
  EXPECT_TRUE(call("indexof", {S("abc"), S("b"), L(0), L(-1), L(-1)}).null);
  EXPECT_EQ(call("indexof", {S("\xc3\xa9t\xc3\xa9"), S("t")}).i, 1);  // code points
  EXPECT_EQ(call("indexof", {L(1234), L(3)}).i, 2);                   // tostring'd
  EXPECT_EQ(call("indexof_regex", {S("abcabc"), S("a.c")}).i, 0);
  EXPECT_EQ(call("indexof_regex", {S("abcabc"), S("a.c"), L(1)}).i, 3);
  EXPECT_EQ(call("indexof_regex", {S("abcabc"), S("a.c"), L(0), L(-1), L(2)}).i, 3);
  EXPECT_EQ(call("indexof_regex", {S("abcabc"), S("x")}).i, -1);
  EXPECT_NE(bind_error("indexof_regex", {S("abc"), S("(")}), "");
  EXPECT_EQ(call("countof", {S("The cat sat on the mat"), S("at")}).i, 3);
  EXPECT_EQ(call("countof", {S("aaa"), S("a")}).i, 3);
  EXPECT_EQ(call("countof", {S("aaaa"), S("aa")}).i, 3);
  EXPECT_EQ(call("countof", {S("ababa"), S("ab"), S("normal")}).i, 2);
  EXPECT_EQ(call("countof", {S("ababa"), S("aba")}).i, 2);
  EXPECT_EQ(call("countof", {S("ababa"), S("aba"), S("regex")}).i, 1);
}

TEST(QueryFunctions, FormatBytes) {
  EXPECT_EQ(call("format_bytes", {L(800)}).s, "800 Bytes");
  EXPECT_EQ(call("format_bytes", {L(3072)}).s, "3 KB");
  EXPECT_EQ(call("format_bytes", {L(10000), L(1)}).s, "9.8 KB");
  EXPECT_EQ(call("format_bytes", {L(1700000), L(2)}).s, "1.62 MB");
  EXPECT_EQ(call("format_bytes", {L(1700000), L(0), S("KB")}).s, "1660 KB");
  EXPECT_EQ(call("format_bytes", {L(1024), L(1)}).s, "1.0 KB");
  EXPECT_EQ(call("format_bytes", {Value::null_of(Type::kLong)}).s, "");
}

TEST(QueryFunctions, NowAndAgoReadTheQueryInstant) {
  const std::int64_t now = dt("2024-05-01T12:00:00Z");
  EXPECT_EQ(call("now", {}, -1, now).i, now);
  EXPECT_EQ(call("now", {TS(-kHour)}, -1, now).i, now - kHour);
  EXPECT_EQ(call("ago", {TS(5 * 60 * kSec)}, -1, now).i, now - 5 * 60 * kSec);
  EXPECT_TRUE(find_function("now")->depends_on_context);
  EXPECT_TRUE(find_function("ago")->depends_on_context);
  EXPECT_FALSE(find_function("bin")->depends_on_context);
}

TEST(QueryFunctions, BinFloorsAndTypes) {
  Value r = call("bin", {R(7.9), L(2)});
  EXPECT_EQ(r.type, Type::kReal);
  EXPECT_EQ(r.r, 6.0);
  EXPECT_EQ(call("bin", {L(17), L(5)}).i, 15);
  EXPECT_EQ(call("bin", {Value::integer(17), Value::integer(5)}).type, Type::kLong);
  EXPECT_EQ(call("bin", {L(-1), L(5)}).i, -5);
  EXPECT_EQ(call("floor", {TS(10 * kDay), TS(3 * kDay)}).i, 9 * kDay);
  EXPECT_TRUE(call("bin", {L(17), L(0)}).null);
  EXPECT_TRUE(call("bin", {L(17), L(-5)}).null);
  EXPECT_TRUE(call("bin", {Value::null_of(Type::kLong), L(5)}).null);
  EXPECT_TRUE(call("bin", {D("2024-05-01T10:17:00Z"), Value::null_of(Type::kTimeSpan)}).null);
  EXPECT_EQ(call("bin", {D("2024-05-01T10:17:00Z"), TS(kDay)}).i, dt("2024-05-01T00:00:00Z"));
  EXPECT_EQ(call("bin", {D("2024-05-01T10:17:00Z"), TS(10 * 60 * kSec)}).i,
            dt("2024-05-01T10:10:00Z"));
  // 7-day bins count from 0001-01-01, a Monday: 2007-01-01 was a Monday.
  EXPECT_EQ(call("bin", {D("2007-01-03T05:00:00Z"), TS(7 * kDay)}).i, dt("2007-01-01T00:00:00Z"));
  EXPECT_EQ(call("bin", {D("2007-01-08T00:00:00Z"), TS(7 * kDay)}).i, dt("2007-01-08T00:00:00Z"));
  EXPECT_EQ(call("bin", {D("2024-05-01T00:00:00Z"), TS(7 * kDay)}).i, dt("2024-04-29T00:00:00Z"));
  EXPECT_EQ(call("bin", {D("1960-01-01T00:30:00Z"), TS(kHour)}).i, dt("1960-01-01T00:00:00Z"));
  EXPECT_NE(bind_error("bin", {D("2024-05-01T00:00:00Z"), L(5)}), "");
  EXPECT_NE(bind_error("bin", {S("x"), L(5)}), "");
  EXPECT_EQ(find_function("bin")->naming, Naming::kFirstArg);
}

TEST(QueryFunctions, BinAtUsesTheFixedPoint) {
  EXPECT_EQ(call("bin_at", {R(7.5), L(2), L(1)}).r, 7.0);
  EXPECT_EQ(call("bin_at", {TS(2 * kHour), TS(kDay), TS(6 * kHour)}).i, -18 * kHour);
  EXPECT_EQ(call("bin_at", {D("2024-05-01T10:00:00Z"), TS(kDay), D("2024-01-01T06:00:00Z")}).i,
            dt("2024-05-01T06:00:00Z"));
  EXPECT_EQ(call("bin_at", {D("2024-05-01T05:00:00Z"), TS(kDay), D("2024-01-01T06:00:00Z")}).i,
            dt("2024-04-30T06:00:00Z"));
  EXPECT_EQ(find_function("bin_at")->naming, Naming::kFirstArg);
}

TEST(QueryFunctions, DatetimeAdd) {
  EXPECT_EQ(call("datetime_add", {S("month"), L(1), D("2017-01-01T00:00:00Z")}).i,
            dt("2017-02-01T00:00:00Z"));
  EXPECT_EQ(call("datetime_add", {S("Quarter"), L(1), D("2017-01-01T00:00:00Z")}).i,
            dt("2017-04-01T00:00:00Z"));
  EXPECT_EQ(call("datetime_add", {S("month"), L(1), D("2024-01-31T10:00:00Z")}).i,
            dt("2024-02-29T10:00:00Z"));
  EXPECT_EQ(call("datetime_add", {S("year"), L(-1), D("2024-02-29T00:00:00Z")}).i,
            dt("2023-02-28T00:00:00Z"));
  EXPECT_EQ(call("datetime_add", {S("week"), L(2), D("2017-01-01T00:00:00Z")}).i,
            dt("2017-01-15T00:00:00Z"));
  EXPECT_EQ(call("datetime_add", {S("minute"), L(-5), D("2017-01-01T00:00:00Z")}).i,
            dt("2016-12-31T23:55:00Z"));
  EXPECT_EQ(call("datetime_add", {S("nanosecond"), L(300), D("2017-01-01T00:00:00Z")}).i,
            dt("2017-01-01T00:00:00Z") + 3);
  EXPECT_TRUE(call("datetime_add", {S("year"), L(9000), D("2017-01-01T00:00:00Z")}).null);
  EXPECT_NE(bind_error("datetime_add", {S("fortnight"), L(1), D("2017-01-01T00:00:00Z")}), "");
}

TEST(QueryFunctions, DatetimeDiffCountsBoundaries) {
  auto diff = [](const char* period, const char* a, const char* b) {
    return call("datetime_diff", {S(period), D(a), D(b)}).i;
  };
  EXPECT_EQ(diff("year", "2024-01-01T00:00:00Z", "2023-12-31T00:00:00Z"), 1);
  EXPECT_EQ(diff("quarter", "2024-04-01T00:00:00Z", "2024-03-31T00:00:00Z"), 1);
  EXPECT_EQ(diff("month", "2024-03-01T00:00:00Z", "2024-01-31T00:00:00Z"), 2);
  EXPECT_EQ(diff("week", "2024-05-05T00:00:00Z", "2024-05-04T00:00:00Z"), 1);
  EXPECT_EQ(diff("hour", "2024-05-05T10:00:00Z", "2024-05-05T09:59:59Z"), 1);
  EXPECT_EQ(diff("second", "2024-05-05T00:00:01Z", "2024-05-05T00:00:00.999Z"), 1);
  EXPECT_EQ(diff("nanosecond", "2024-05-05T00:00:00Z", "2024-05-05T00:00:00.0000005Z"), -500);
  // The documentation's examples.
  EXPECT_EQ(diff("year", "2017-01-01T00:00:00Z", "2000-12-31T00:00:00Z"), 17);
  EXPECT_EQ(diff("quarter", "2017-07-01T00:00:00Z", "2017-03-30T00:00:00Z"), 2);
  EXPECT_EQ(diff("month", "2017-01-01T00:00:00Z", "2015-12-30T00:00:00Z"), 13);
  EXPECT_EQ(diff("week", "2017-10-29T00:00:00Z", "2017-09-30T23:59:59Z"), 5);
  EXPECT_EQ(diff("day", "2017-10-29T00:00:00Z", "2017-09-30T23:59:59Z"), 29);
  EXPECT_EQ(diff("hour", "2017-10-31T01:00:00Z", "2017-10-30T23:59:59Z"), 2);
  EXPECT_EQ(diff("minute", "2017-10-30T23:05:01Z", "2017-10-30T23:00:59Z"), 5);
  EXPECT_EQ(diff("second", "2017-10-30T23:00:10.100Z", "2017-10-30T23:00:00.900Z"), 10);
  EXPECT_EQ(diff("millisecond", "2017-10-30T23:00:00.2001Z", "2017-10-30T23:00:00.1009Z"), 100);
  EXPECT_EQ(diff("microsecond", "2017-10-30T23:00:00.1009001Z", "2017-10-30T23:00:00.1008009Z"),
            100);
  EXPECT_EQ(diff("nanosecond", "2017-10-30T23:00:00.0000000Z", "2017-10-30T23:00:00.0000007Z"),
            -700);
  EXPECT_EQ(diff("day", "2017-09-30T00:00:00Z", "2017-10-29T00:00:00Z"), -29);
}

TEST(QueryFunctions, StartAndEndOfPeriods) {
  const Value t = D("2024-05-01T10:17:00Z");  // a Wednesday
  EXPECT_EQ(call("startofday", {t}).i, dt("2024-05-01T00:00:00Z"));
  EXPECT_EQ(call("startofday", {t, L(-1)}).i, dt("2024-04-30T00:00:00Z"));
  EXPECT_EQ(call("startofweek", {t}).i, dt("2024-04-28T00:00:00Z"));  // Sunday
  EXPECT_EQ(call("startofweek", {t, L(1)}).i, dt("2024-05-05T00:00:00Z"));
  EXPECT_EQ(call("startofmonth", {t}).i, dt("2024-05-01T00:00:00Z"));
  EXPECT_EQ(call("startofmonth", {t, L(-3)}).i, dt("2024-02-01T00:00:00Z"));
  EXPECT_EQ(call("startofyear", {t}).i, dt("2024-01-01T00:00:00Z"));
  EXPECT_EQ(call("endofday", {t}).i, dt("2024-05-01T23:59:59.9999999Z"));
  EXPECT_EQ(call("endofweek", {t}).i, dt("2024-05-04T23:59:59.9999999Z"));
  EXPECT_EQ(call("endofmonth", {D("2024-02-10T00:00:00Z")}).i, dt("2024-02-29T23:59:59.9999999Z"));
  EXPECT_EQ(call("endofmonth", {t, L(1)}).i, dt("2024-06-30T23:59:59.9999999Z"));
  EXPECT_EQ(call("endofyear", {t}).i, dt("2024-12-31T23:59:59.9999999Z"));
  EXPECT_TRUE(call("startofday", {Value::null_of(Type::kDateTime)}).null);
}

TEST(QueryFunctions, FormatDatetimeAndTimespan) {
  EXPECT_EQ(
      call("format_datetime", {D("2024-03-05T07:08:09.1234Z"), S("yyyy-MM-dd HH:mm:ss.fff")}).s,
      "2024-03-05 07:08:09.123");
  EXPECT_EQ(call("format_datetime", {D("2024-03-05T17:08:09Z"), S("yy-M-d h:m:s tt")}).s,
            "24-3-5 5:8:9 PM");
  EXPECT_EQ(call("format_datetime", {D("2024-03-05T07:08:09.1200Z"), S("[HH:mm:ss.FFFF]")}).s,
            "[07:08:09.12]");
  EXPECT_EQ(call("format_datetime", {D("2024-03-05T07:08:09Z"), S("HH:mm:ss.FFF")}).s, "07:08:09");
  EXPECT_EQ(call("format_datetime", {D("2024-03-05T00:08:09Z"), S("hh_mm")}).s, "12_08");
  EXPECT_NE(bind_error("format_datetime", {D("2024-03-05T00:00:00Z"), S("yyyy MMMM")}), "");
  EXPECT_NE(bind_error("format_datetime", {D("2024-03-05T00:00:00Z"), S("yyyy 'x'")}), "");
  EXPECT_EQ(call("format_timespan",
                 {TS(kDay + 2 * kHour + 3 * 60 * kSec + 4 * kSec + 5000000), S("d.hh:mm:ss.ff")})
                .s,
            "1.02:03:04.50");
  EXPECT_EQ(call("format_timespan", {TS(-90 * kSec), S("mm:ss")}).s, "-01:30");
}

TEST(QueryFunctions, DateParts) {
  const Value t = D("2024-05-06T13:45:00Z");  // a Monday
  EXPECT_EQ(call("hourofday", {t}).i, 13);
  EXPECT_EQ(call("hourofday", {t}).type, Type::kInt);
  Value dow = call("dayofweek", {t});
  EXPECT_EQ(dow.type, Type::kTimeSpan);
  EXPECT_EQ(dow.i, kDay);
  EXPECT_EQ(call("dayofweek", {D("2024-05-05T23:00:00Z")}).i, 0);  // Sunday
  EXPECT_EQ(call("dayofweek", {D("2024-05-11T00:00:00Z")}).i, 6 * kDay);
  EXPECT_EQ(call("dayofmonth", {t}).i, 6);
  EXPECT_EQ(call("dayofyear", {t}).i, 127);
  EXPECT_EQ(call("getyear", {t}).i, 2024);
  EXPECT_EQ(call("getmonth", {t}).i, 5);
  EXPECT_EQ(call("monthofyear", {t}).i, 5);
  EXPECT_EQ(call("week_of_year", {D("2021-01-01T00:00:00Z")}).i, 53);
  EXPECT_EQ(call("datetime_part", {S("Quarter"), t}).i, 2);
  EXPECT_EQ(call("datetime_part", {S("minute"), t}).i, 45);
  EXPECT_EQ(call("unixtime_seconds_todatetime", {L(1546300800)}).i, dt("2019-01-01T00:00:00Z"));
  EXPECT_EQ(call("unixtime_seconds_todatetime", {R(1546300800.5)}).i, dt("2019-01-01T00:00:00.5Z"));
  EXPECT_EQ(call("unixtime_milliseconds_todatetime", {L(1546300800123)}).i,
            dt("2019-01-01T00:00:00.123Z"));
  EXPECT_EQ(call("make_datetime", {L(2017), L(10), L(1), L(12), L(10)}).i,
            dt("2017-10-01T12:10:00Z"));
  EXPECT_EQ(call("make_datetime", {L(2017), L(10), L(1), L(12), L(11), R(0.1234567)}).i,
            dt("2017-10-01T12:11:00.1234567Z"));
  EXPECT_TRUE(call("make_datetime", {L(2017), L(2), L(30)}).null);
  EXPECT_EQ(call("make_timespan", {L(1), L(12), L(30), L(55)}).i,
            kDay + 12 * kHour + 30 * 60 * kSec + 55 * kSec);
}

TEST(QueryFunctions, RoundScalesThenRoundsHalfAwayFromZero) {
  EXPECT_DOUBLE_EQ(call("round", {R(2.15), L(1)}).r, 2.2);
  EXPECT_DOUBLE_EQ(call("round", {R(2.5)}).r, 3.0);
  EXPECT_DOUBLE_EQ(call("round", {R(-2.5)}).r, -3.0);
  EXPECT_DOUBLE_EQ(call("round", {R(1234.5), L(-2)}).r, 1200.0);
  EXPECT_EQ(call("round", {L(1250), L(-2)}).i, 1300);
  EXPECT_EQ(call("round", {L(-1250), L(-2)}).i, -1300);
  EXPECT_EQ(call("round", {L(17)}).i, 17);
  EXPECT_EQ(call("round", {Value::integer(17)}).type, Type::kInt);
  EXPECT_TRUE(call("round", {Value::null_of(Type::kReal)}).null);
  EXPECT_EQ(find_function("round")->naming, Naming::kFirstArg);
}

TEST(QueryFunctions, MathFunctions) {
  EXPECT_EQ(call("ceiling", {R(1.2)}).r, 2.0);
  EXPECT_EQ(call("ceiling", {R(-1.2)}).r, -1.0);
  EXPECT_EQ(call("ceiling", {L(4)}).i, 4);
  EXPECT_EQ(call("abs", {L(-4)}).i, 4);
  EXPECT_EQ(call("abs", {TS(-kSec)}).i, kSec);
  EXPECT_EQ(call("sign", {R(-0.5)}).r, -1.0);
  EXPECT_EQ(call("sign", {L(0)}).i, 0);
  EXPECT_DOUBLE_EQ(call("log", {R(std::exp(2.0))}).r, 2.0);
  EXPECT_TRUE(call("log", {R(-1)}).null);
  EXPECT_EQ(call("log", {R(0)}).r, -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(call("log10", {L(1000)}).r, 3.0);
  EXPECT_DOUBLE_EQ(call("log2", {L(8)}).r, 3.0);
  EXPECT_DOUBLE_EQ(call("exp", {L(0)}).r, 1.0);
  EXPECT_DOUBLE_EQ(call("sqrt", {L(16)}).r, 4.0);
  EXPECT_TRUE(call("sqrt", {L(-16)}).null);
  Value p = call("pow", {L(2), L(3)});
  EXPECT_EQ(p.type, Type::kReal);
  EXPECT_EQ(p.r, 8.0);
  EXPECT_EQ(call("isnan", {R(std::nan(""))}).i, 1);
  EXPECT_EQ(call("isinf", {R(std::numeric_limits<double>::infinity())}).i, 1);
  EXPECT_EQ(call("isfinite", {R(1)}).i, 1);
  EXPECT_EQ(call("isfinite", {R(std::nan(""))}).i, 0);
  EXPECT_NE(bind_error("sqrt", {S("4")}), "");
}

TEST(QueryFunctions, ArraysAndBags) {
  EXPECT_EQ(call("array_length", {J("[1,2,3]")}).i, 3);
  EXPECT_TRUE(call("array_length", {J(R"({"a":1})")}).null);
  EXPECT_TRUE(call("arraylength", {J("5")}).null);
  EXPECT_EQ(
      dyn_to_json(call("pack_array", {L(1), S("a"), TS(2 * kSec), Value::null_of(Type::kLong)}).d),
      R"([1,"a","00:00:02",null])");
  EXPECT_EQ(dyn_to_json(call("array_concat", {J("[1,2]"), J("[3]")}).d), "[1,2,3]");
  EXPECT_TRUE(call("array_concat", {J("[1,2]"), J("3")}).null);
  EXPECT_EQ(dyn_to_json(call("bag_pack", {S("k"), L(1), S("n"), S("x"), S("k"), L(2)}).d),
            R"({"k":2,"n":"x"})");
  EXPECT_EQ(dyn_to_json(call("pack", {S("a"), Value::null_of(Type::kReal)}).d), R"({"a":null})");
  EXPECT_NE(bind_error("bag_pack", {S("k")}), "");
  EXPECT_NE(bind_error("bag_pack", {L(1), L(2)}), "");
  EXPECT_EQ(call("set_has_element", {J(R"([1,"a",2.5])"), S("a")}).i, 1);
  EXPECT_EQ(call("set_has_element", {J("[1,2]"), R(2.0)}).i, 1);
  EXPECT_EQ(call("set_has_element", {J("[1,2]"), L(3)}).i, 0);
  EXPECT_EQ(call("array_index_of", {J(R"(["a","b"])"), S("b")}).i, 1);
  EXPECT_EQ(call("array_index_of", {J(R"(["a","b"])"), S("c")}).i, -1);
  EXPECT_EQ(dyn_to_json(call("array_sort_asc", {J("[3,null,1,2.5]")}).d), "[1,2.5,3,null]");
  EXPECT_EQ(dyn_to_json(call("array_sort_desc", {J(R"(["b","c","a"])")}).d), R"(["c","b","a"])");
  EXPECT_EQ(dyn_to_json(call("array_sort_asc", {J("[2,null,1]"), Value::boolean(false)}).d),
            "[null,1,2]");
  EXPECT_EQ(dyn_to_json(call("array_slice", {J("[0,1,2,3,4]"), L(1), L(3)}).d), "[1,2,3]");
  EXPECT_EQ(dyn_to_json(call("array_slice", {J("[0,1,2,3,4]"), L(-2), L(-1)}).d), "[3,4]");
  EXPECT_EQ(dyn_to_json(call("array_slice", {J("[0,1,2,3,4]"), L(3), L(10)}).d), "[3,4]");
  EXPECT_EQ(dyn_to_json(call("bag_keys", {J(R"({"a":1,"b":2})")}).d), R"(["a","b"])");
  EXPECT_EQ(call("bag_has_key", {J(R"({"a":1})"), S("a")}).i, 1);
  EXPECT_EQ(call("array_sum", {J("[1,2,3.5]")}).r, 6.5);
  EXPECT_EQ(dyn_to_json(call("array_reverse", {J("[1,2,3]")}).d), "[3,2,1]");
}

TEST(QueryFunctions, Ipv4Functions) {
  EXPECT_EQ(call("ipv4_is_private", {S("10.1.2.3")}).i, 1);
  EXPECT_EQ(call("ipv4_is_private", {S("172.20.1.5/16")}).i, 1);
  EXPECT_EQ(call("ipv4_is_private", {S("172.32.0.1")}).i, 0);
  EXPECT_EQ(call("ipv4_is_private", {S("192.168.9.9")}).i, 1);
  EXPECT_EQ(call("ipv4_is_private", {S("127.0.0.1")}).i, 0);
  EXPECT_EQ(call("ipv4_is_private", {S("169.254.1.1")}).i, 0);
  EXPECT_TRUE(call("ipv4_is_private", {S("not an ip")}).null);
  EXPECT_EQ(call("ipv4_is_in_range", {S("192.168.1.6"), S("192.168.1.1/24")}).i, 1);
  EXPECT_EQ(call("ipv4_is_in_range", {S("192.168.2.6"), S("192.168.1.1/24")}).i, 0);
  EXPECT_EQ(call("ipv4_is_in_range", {S("192.168.1.6"), S("192.168.1.6")}).i, 1);
  EXPECT_EQ(call("ipv4_is_in_range", {S("192.168.1.7"), S("192.168.1.6")}).i, 0);
  EXPECT_TRUE(call("ipv4_is_in_range", {S("192.168.1.7"), S("192.168.1.6/33")}).null);
  EXPECT_EQ(call("ipv4_is_in_any_range", {S("10.0.0.5"), S("192.168.0.0/16"), S("10.0.0.0/8")}).i,
            1);
  EXPECT_EQ(
      call("ipv4_is_in_any_range", {S("11.0.0.5"), J(R"(["192.168.0.0/16","10.0.0.0/8"])")}).i, 0);
  EXPECT_EQ(call("ipv4_is_match", {S("10.20.30.40/16"), S("10.20.99.1")}).i, 1);
  EXPECT_EQ(call("ipv4_is_match", {S("10.20.30.40"), S("10.20.99.1"), L(16)}).i, 1);
  EXPECT_EQ(call("ipv4_is_match", {S("10.20.30.40"), S("10.20.99.1")}).i, 0);
  EXPECT_EQ(call("ipv4_compare", {S("127.0.0.1"), S("127.0.0.2")}).i, -1);
  EXPECT_EQ(call("ipv4_compare", {S("192.168.1.1"), S("192.168.1.255"), L(24)}).i, 0);
  EXPECT_EQ(call("ipv4_compare", {S("200.0.0.1"), S("100.0.0.1")}).i, 1);
  EXPECT_EQ(call("parse_ipv4", {S("10.0.0.1")}).i, 167772161);
  EXPECT_EQ(call("parse_ipv4", {S("10.0.0.1/8")}).i, 167772160);
  EXPECT_TRUE(call("parse_ipv4", {S("10.0.0")}).null);
  EXPECT_EQ(call("has_ipv4", {S("src=10.0.0.1, dst=10.0.0.2"), S("10.0.0.1")}).i, 1);
  EXPECT_EQ(call("has_ipv4", {S("src=10.0.0.12"), S("10.0.0.1")}).i, 0);
  EXPECT_EQ(call("has_ipv4", {S("v=1.10.0.0.1"), S("10.0.0.1")}).i, 0);
  EXPECT_EQ(call("has_ipv4_prefix", {S("src=10.0.0.12"), S("10.0.")}).i, 1);
}

TEST(QueryFunctions, Ipv6Functions) {
  EXPECT_EQ(call("ipv6_is_match", {S("10.1.2.3"), S("::ffff:a01:203")}).i, 1);
  EXPECT_EQ(call("ipv6_is_match", {S("::10.0.0.1/40"), S("10.9.9.9/8")}).i, 1);
  EXPECT_EQ(call("ipv6_is_match", {S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995")}).i,
            0);
  EXPECT_EQ(
      call("ipv6_is_match", {S("fe80::85d:e82c:9446:7994/127"), S("fe80::85d:e82c:9446:7995/127")})
          .i,
      1);
  EXPECT_EQ(
      call("ipv6_is_match", {S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995"), L(127)})
          .i,
      1);
  EXPECT_EQ(call("ipv6_is_match", {S("192.168.1.1/24"), S("192.168.1.255/24")}).i, 1);
  EXPECT_EQ(call("ipv6_compare", {S("::ffff:7f00:1"), S("127.0.0.1")}).i, 0);
  EXPECT_EQ(call("ipv6_compare", {S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995")}).i,
            -1);
  EXPECT_EQ(
      call("ipv6_compare", {S("fe80::85d:e82c:9446:7995"), S("fe80::85d:e82c:9446:7994"), L(120)})
          .i,
      0);
  EXPECT_TRUE(call("ipv6_compare", {S("fe80::zz"), S("::1")}).null);
}

// Element k of a multi-output result read as `type`.
Value output(const Value& v, std::size_t k, Type type) {
  return dyn_to_value(dyn_index(v.d, static_cast<std::int64_t>(k)), type);
}
std::vector<double> reals(const Dyn& array) {
  std::vector<double> out;
  if (!dyn_is_array(array)) return out;
  for (const auto& item : array->items) {
    out.push_back(item ? dyn_to_value(item, Type::kReal).r : std::nan(""));
  }
  return out;
}

TEST(QueryFunctions, SeriesFillLinear) {
  EXPECT_EQ(dyn_to_json(call("series_fill_linear", {J("[null, 10.0, null, 30.0, null]")}).d),
            "[10.0,10.0,20.0,30.0,30.0]");
  // Integer arrays stay integers; interpolated values are truncated.
  EXPECT_EQ(dyn_to_json(call("series_fill_linear",
                             {J("[null, null, 36, 41, null, null, 16, 61, 33, null, null]")})
                            .d),
            "[36,36,36,41,32,24,16,61,33,33,33]");
  EXPECT_EQ(
      dyn_to_json(call("series_fill_linear", {J("[null, 1.0, null, 3.0, null]"),
                                              Value::null_of(Type::kReal), Value::boolean(false)})
                      .d),
      "[null,1.0,2.0,3.0,null]");
  EXPECT_EQ(dyn_to_json(call("series_fill_linear", {J("[1, 0, 0, 4]"), L(0)}).d), "[1,2,3,4]");
  EXPECT_EQ(dyn_to_json(call("series_fill_linear", {J("[null, null]")}).d), "[0,0]");
  EXPECT_TRUE(call("series_fill_linear", {J("5")}).null);
}

TEST(QueryFunctions, SeriesStats) {
  const ScalarFunction* f = find_function("series_stats");
  ASSERT_EQ(f->outputs.size(), 7u);
  EXPECT_EQ(f->outputs[1], "min_idx");
  ASSERT_EQ(f->output_types.size(), 7u);
  Value r = call("series_stats", {J("[4, 1, 7, 1, 2]")});
  EXPECT_EQ(output(r, 0, Type::kReal).r, 1.0);
  EXPECT_EQ(output(r, 1, Type::kLong).i, 1);
  EXPECT_EQ(output(r, 2, Type::kReal).r, 7.0);
  EXPECT_EQ(output(r, 3, Type::kLong).i, 2);
  EXPECT_DOUBLE_EQ(output(r, 4, Type::kReal).r, 3.0);
  EXPECT_NEAR(output(r, 5, Type::kReal).r, 2.5495097567963922, 1e-12);
  EXPECT_DOUBLE_EQ(output(r, 6, Type::kReal).r, 6.5);
  // Non-finite values null every result unless ignored.
  Value with_null = call("series_stats", {J("[4, null, 7]")});
  EXPECT_TRUE(output(with_null, 0, Type::kReal).null);
  EXPECT_TRUE(output(with_null, 3, Type::kLong).null);
  Value ignored = call("series_stats", {J("[4, null, 7]"), Value::boolean(true)});
  EXPECT_EQ(output(ignored, 2, Type::kReal).r, 7.0);
  EXPECT_EQ(output(ignored, 3, Type::kLong).i, 2);
}

TEST(QueryFunctions, SeriesFitLine) {
  Value r = call("series_fit_line", {J("[2, 4, 6, 8]")});
  EXPECT_DOUBLE_EQ(output(r, 0, Type::kReal).r, 1.0);    // rsquare
  EXPECT_DOUBLE_EQ(output(r, 1, Type::kReal).r, 2.0);    // slope
  EXPECT_NEAR(output(r, 3, Type::kReal).r, 0.0, 1e-12);  // rvariance
  EXPECT_DOUBLE_EQ(output(r, 4, Type::kReal).r, 2.0);    // interception
  EXPECT_EQ(reals(dyn_index(r.d, 5)), (std::vector<double>{2, 4, 6, 8}));
  Value noisy = call("series_fit_line", {J("[2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30]")});
  EXPECT_NEAR(output(noisy, 1, Type::kReal).r, 2.7307692307692, 1e-9);
  EXPECT_NEAR(output(noisy, 4, Type::kReal).r, 1.0641025641026, 1e-9);
  EXPECT_NEAR(output(noisy, 2, Type::kReal).r, 98.628787878788, 1e-9);
  EXPECT_NEAR(output(noisy, 0, Type::kReal).r, 1 - 1.686480186480187 / 98.62878787878788, 1e-9);
}

TEST(QueryFunctions, SeriesOutliersScoreBeyondTheFences) {
  // ctukey: nearest-rank 10th percentile 1, 90th 9, range 8.
  auto scores = reals(call("series_outliers", {J("[1,2,3,4,5,6,7,8,9,100]")}).d);
  ASSERT_EQ(scores.size(), 10u);
  EXPECT_DOUBLE_EQ(scores[9], (100.0 - 9.0) / 8.0);
  EXPECT_EQ(scores[0], 0.0);
  EXPECT_EQ(scores[4], 0.0);
  auto low = reals(call("series_outliers", {J("[-50,2,3,4,5,6,7,8,9,10]"), S("tukey")}).d);
  // tukey: 25th percentile 3, 75th 8, range 5.
  EXPECT_DOUBLE_EQ(low[0], (-50.0 - 3.0) / 5.0);
  EXPECT_EQ(reals(call("series_outliers", {J("[1, 100, 2]")}).d), (std::vector<double>{0, 0, 0}));
}

std::string periodic_series(int period, int cycles, int spike_at = -1) {
  std::string json = "[";
  for (int i = 0; i < period * cycles; ++i) {
    if (i > 0) json += ",";
    double v = 10 + 5 * std::sin(2 * std::numbers::pi * i / period);
    if (i == spike_at) v += 40;
    json += std::to_string(v);
  }
  return json + "]";
}

TEST(QueryFunctions, SeriesDecompose) {
  const ScalarFunction* f = find_function("series_decompose");
  ASSERT_EQ(f->outputs,
            (std::vector<std::string_view>{"baseline", "seasonal", "trend", "residual"}));
  // A pure 4-periodic series: the seasonal medians reproduce it, the trend is its mean.
  Value r = call("series_decompose", {J("[1,5,3,7,1,5,3,7,1,5,3,7]"), L(4)});
  EXPECT_EQ(reals(dyn_index(r.d, 0)), (std::vector<double>{1, 5, 3, 7, 1, 5, 3, 7, 1, 5, 3, 7}));
  // seasonal + trend = baseline, residual = x - baseline = 0 (avg trend of the deseasonalised
  // series is 0).
  EXPECT_EQ(reals(dyn_index(r.d, 2))[0], 0.0);
  EXPECT_EQ(reals(dyn_index(r.d, 3)), std::vector<double>(12, 0.0));
  // Trend only: linefit on a line.
  Value line = call("series_decompose", {J("[1,2,3,4,5,6]"), L(0), S("linefit")});
  EXPECT_NEAR(reals(dyn_index(line.d, 2))[5], 6.0, 1e-9);
  // Test points are extrapolated, not fitted.
  Value forecast = call("series_decompose", {J("[1,2,3,4,100,100]"), L(0), S("linefit"), L(2)});
  EXPECT_NEAR(reals(dyn_index(forecast.d, 0))[5], 6.0, 1e-9);
  // Nothing enabled: baseline 0, residual x.
  Value none = call("series_decompose", {J("[3, 4]"), L(0), S("none")});
  EXPECT_EQ(reals(dyn_index(none.d, 0)), (std::vector<double>{0, 0}));
  EXPECT_EQ(reals(dyn_index(none.d, 3)), (std::vector<double>{3, 4}));
  EXPECT_NE(bind_error("series_decompose", {J("[1]"), L(0), S("cubic")}), "");
}

TEST(QueryFunctions, SeriesPeriodDetection) {
  Value r = call("series_periods_detect", {J(periodic_series(24, 7).c_str()), L(4), L(84), L(2)});
  const auto periods = reals(dyn_index(r.d, 0));
  const auto scores = reals(dyn_index(r.d, 1));
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0] == 24 || periods[0] == 48 || periods[0] == 72, true);
  EXPECT_GT(scores[0], 0.9);
  Value v = call("series_periods_validate", {J(periodic_series(24, 7).c_str()), L(24), L(13)});
  const auto vscores = reals(dyn_index(v.d, 1));
  EXPECT_GT(vscores[0], 0.9);
  EXPECT_LT(vscores[1], 0.5);
  // Autodetection inside decompose: the seasonal part of a sine is found (period 24).
  Value d = call("series_decompose", {J(periodic_series(24, 7).c_str())});
  const auto seasonal = reals(dyn_index(d.d, 1));
  EXPECT_NEAR(seasonal[6], seasonal[30], 1e-9);
  EXPECT_GT(seasonal[6] - seasonal[18], 9.0);
  // A series without a period gets no seasonal component.
  Value flat = call("series_decompose", {J("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]")});
  EXPECT_EQ(reals(dyn_index(flat.d, 1)), std::vector<double>(16, 0.0));
}

TEST(QueryFunctions, SeriesDecomposeAnomaliesFlagsTheSpike) {
  const ScalarFunction* f = find_function("series_decompose_anomalies");
  ASSERT_EQ(f->outputs, (std::vector<std::string_view>{"ad_flag", "ad_score", "baseline"}));
  Value r = call("series_decompose_anomalies",
                 {J(periodic_series(24, 7, 100).c_str()), R(1.5), L(24), S("linefit")});
  const Dyn flags = dyn_index(r.d, 0);
  ASSERT_TRUE(dyn_is_array(flags));
  ASSERT_EQ(flags->items.size(), 168u);
  for (std::size_t i = 0; i < 168; ++i) {
    EXPECT_EQ(flags->items[i]->kind, DynKind::kLong);
    EXPECT_EQ(flags->items[i]->i, i == 100 ? 1 : 0) << i;
  }
  EXPECT_GT(reals(dyn_index(r.d, 1))[100], 1.5);
  EXPECT_NEAR(reals(dyn_index(r.d, 2))[100], 10 + 5 * std::sin(2 * std::numbers::pi * 100 / 24),
              0.5);
  // Default arguments (autodetected period) also flag it.
  Value defaults = call("series_decompose_anomalies", {J(periodic_series(24, 7, 100).c_str())});
  EXPECT_EQ(dyn_index(dyn_index(defaults.d, 0), 100)->i, 1);
}

}  // namespace
}  // namespace flowlens::query
