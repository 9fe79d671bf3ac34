// Unit tests of the query engine's front end and executor on in-memory tables (datatable,
// print, range): lexer, parser errors with their positions, binder naming and types, the
// optimizer's rewrites, and operator semantics that the golden files do not isolate.
#include <gtest/gtest.h>

#include <string>

#include "query/engine.h"
#include "query/lexer.h"
#include "query/parser.h"
#include "query/query_error.h"

namespace flowlens::query {
namespace {

QueryResult run(const std::string& text, int threads = 1) {
  QueryOptions options;
  options.now = 0;
  options.threads = threads;
  return run_query(text, options);
}

// The first result table as CSV-like text: "a,b\n1,x\n".
std::string table_text(const QueryResult& r, std::size_t t = 0) {
  std::string out;
  const auto& table = r.tables.at(t);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (c > 0) out += ',';
    out += table.columns[c].name;
  }
  out += "\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      out += value_to_string(row[c]);
    }
    out += "\n";
  }
  return out;
}

QueryError error_of(const std::string& text) {
  try {
    run(text);
  } catch (const QueryError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << text;
  return QueryError(ErrorKind::kRuntime, "none");
}

TEST(QueryLexer, TimespansHyphenatedOperatorsAndStrings) {
  auto tokens = tokenize("T | project-away x | where d > 2.5h and s == @'a\\b' 'c\\td' // c");
  ASSERT_GT(tokens.size(), 3u);
  EXPECT_EQ(tokens[2].text, "project-away");
  auto ts = std::find_if(tokens.begin(), tokens.end(),
                         [](const Token& t) { return t.kind == TokenKind::kTimespan; });
  ASSERT_NE(ts, tokens.end());
  EXPECT_EQ(ts->integer, 150LL * 60 * 10000000);  // 2.5 hours
  int strings = 0;
  for (const auto& t : tokens) {
    if (t.kind == TokenKind::kString) {
      EXPECT_EQ(t.value, strings == 0 ? "a\\b" : "c\td");
      ++strings;
    }
  }
  EXPECT_EQ(strings, 2);
  EXPECT_EQ(tokens.back().kind, TokenKind::kEnd);
}

TEST(QueryLexer, SubtractionIsNotAnOperatorName) {
  auto tokens = tokenize("a-b");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].text, "-");
}

TEST(QueryLexer, PositionsCountLinesAndCharacters) {
  std::string text = "print 1\n| extend é = x";
  TextPosition p = position_of(text, text.rfind('x'));
  EXPECT_EQ(p.line, 2u);
  EXPECT_EQ(p.column, 14u);  // é is one character
}

TEST(QueryParser, ErrorsPointAtTheOffendingToken) {
  QueryError e = error_of("print x = 1\n| where x >");
  EXPECT_EQ(e.kind(), ErrorKind::kSyntax);
  EXPECT_EQ(e.offset(), std::string("print x = 1\n| where x >").size());
  QueryError bad = error_of("print 1 | frobnicate");
  EXPECT_NE(std::string(bad.what()).find("unknown tabular operator 'frobnicate'"),
            std::string::npos);
  EXPECT_EQ(bad.offset(), 10u);
  QueryError like = error_of("print s = 'a' | where s like 'a%'");
  EXPECT_NE(std::string(like.what()).find("not part of KQL"), std::string::npos);
}

TEST(QueryBinder, UnknownColumnSuggestsCloseNames) {
  QueryError e = error_of("datatable(DestPort:long)[1] | where DestPrt == 1");
  EXPECT_EQ(e.kind(), ErrorKind::kSemantic);
  EXPECT_NE(std::string(e.what()).find("did you mean 'DestPort'"), std::string::npos);
  EXPECT_EQ(e.offset(), std::string("datatable(DestPort:long)[1] | where ").size());
}

TEST(QueryBinder, NoImplicitStringConversions) {
  QueryError e = error_of("print x = 1 | where x == '1'");
  EXPECT_NE(std::string(e.what()).find("cannot compare long with string"), std::string::npos);
}

TEST(QueryBinder, OutputColumnNaming) {
  auto r =
      run("datatable(x:long, s:string)[1,'a',2,'b'] | summarize count(), sum(x), max(x), max(x), "
          "countif(x > 1) by bin(x, 10)");
  EXPECT_EQ(table_text(r).substr(0, table_text(r).find('\n')),
            "x,count_,sum_x,max_x,max_x1,countif_");
  auto p = run("print 1, y = 2, strcat('a', 'b')");
  EXPECT_EQ(table_text(p), "print_0,y,print_2\n1,2,ab\n");
  auto e = run("datatable(a:long)[1] | extend a * 2, tostring(a)");
  EXPECT_EQ(table_text(e), "a,Column1\n1,2\n");
}

TEST(QueryExecutor, NullRulesAndKleeneLogic) {
  auto r =
      run("datatable(p:long)[443, long(null)] | extend a = p == 443, b = p != 443, c = p > 100, "
          "d = isnull(p) | extend k = c and false, o = c or true");
  EXPECT_EQ(table_text(r),
            "p,a,b,c,d,k,o\n443,True,False,True,False,False,True\n,False,True,,True,False,True\n");
  auto w = run("datatable(p:long)[443, long(null), 80] | where p != 443 | count");
  EXPECT_EQ(table_text(w), "Count\n2\n");
}

TEST(QueryExecutor, JoinKindsRowCounts) {
  const std::string left = "let L = datatable(k:string, lv:long)['a',1,'a',2,'b',3,'d',4];";
  const std::string right = "let R = datatable(k:string, rv:long)['a',10,'a',20,'c',30];";
  std::vector<std::pair<std::string, int>> expected = {
      {"innerunique", 2}, {"inner", 4},     {"leftouter", 6}, {"rightouter", 5}, {"fullouter", 7},
      {"leftsemi", 2},    {"rightsemi", 2}, {"leftanti", 2},  {"rightanti", 1}};
  for (const auto& [kind, rows] : expected) {
    auto r = run(left + right + "L | join kind=" + kind + " R on k | count");
    EXPECT_EQ(table_text(r), "Count\n" + std::to_string(rows) + "\n") << kind;
  }
  auto cols = run(left + right + "L | join kind=inner R on k | getschema | project ColumnName");
  EXPECT_EQ(table_text(cols), "ColumnName\nk\nlv\nk1\nrv\n");
}

TEST(QueryExecutor, SortDefaultsToDescendingWithNullsLast) {
  auto r = run("datatable(x:long)[2, long(null), 3, 1] | sort by x");
  EXPECT_EQ(table_text(r), "x\n3\n2\n1\n\n");
  auto a = run("datatable(x:long)[2, long(null), 3, 1] | sort by x asc");
  EXPECT_EQ(table_text(a), "x\n\n1\n2\n3\n");
}

TEST(QueryExecutor, EmptyInputAggregateDefaults) {
  auto r = run("datatable(x:long)[] | summarize count(), sum(x), avg(x), max(x), make_set(x)");
  EXPECT_EQ(table_text(r), "count_,sum_x,avg_x,max_x,set_x\n0,0,NaN,,[]\n");
  auto by = run("datatable(x:long)[] | summarize count() by x");
  EXPECT_TRUE(by.tables[0].rows.empty());
}

TEST(QueryExecutor, ModuloIsNonNegativeAndDivisionByZeroIsNull) {
  auto r = run("print a = -7 % 3, b = 7 % -3, c = 7 / 0, d = -7 / 2");
  EXPECT_EQ(table_text(r), "a,b,c,d\n2,1,,-3\n");
}

TEST(QueryExecutor, TakeStopsEarlyAndRowNumberContinues) {
  auto r = run("range x from 1 to 100000 step 1 | take 3 | extend n = row_number()");
  EXPECT_EQ(table_text(r), "x,n\n1,1\n2,2\n3,3\n");
}

TEST(QueryExecutor, LetFunctionsWithDefaultsAndNamedArguments) {
  auto r =
      run("let f = (v:real, digits:long = 1) { round(v, digits) };"
          "let T = (n:long) { range x from 1 to n step 1 };"
          "T(3) | extend a = f(x / 3.0), b = f(x / 3.0, digits = 0) | where x == 2");
  EXPECT_EQ(table_text(r), "x,a,b\n2,0.7,1\n");
}

TEST(QueryExecutor, TruncationIsReported) {
  auto r = run("set truncationmaxrecords=5; range x from 1 to 10 step 1");
  EXPECT_EQ(r.tables[0].rows.size(), 5u);
  EXPECT_TRUE(r.tables[0].truncated);
  EXPECT_FALSE(r.warnings.empty());
}

TEST(QueryExecutor, MemoryLimitGivesAClearError) {
  QueryOptions options;
  options.memory_limit = 1 << 20;
  try {
    run_query("range x from 1 to 1000000 step 1 | summarize make_list(x) by x % 100000", options);
    FAIL() << "expected the memory limit to stop the query";
  } catch (const QueryError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRuntime);
    EXPECT_NE(std::string(e.what()).find("memory limit"), std::string::npos);
  }
}

TEST(QueryExecutor, CancellationStopsTheQuery) {
  std::atomic<bool> cancel{true};
  QueryOptions options;
  options.cancel = &cancel;
  EXPECT_THROW(run_query("range x from 1 to 1000000 step 1 | summarize count() by x", options),
               QueryError);
}

TEST(QueryOptimizer, SortThenTakeBecomesTopAndExplainShowsIt) {
  QueryOptions options;
  options.explain = true;
  auto r = run_query("range x from 1 to 10 step 1 | sort by x | take 2", options);
  EXPECT_EQ(table_text(r), "x\n10\n9\n");
  EXPECT_NE(r.explain.find("top (sort | take) limit=2"), std::string::npos) << r.explain;
}

}  // namespace
}  // namespace flowlens::query
