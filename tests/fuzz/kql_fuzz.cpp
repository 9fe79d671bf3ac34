// libFuzzer target for the KQL lexer and parser (flowlens::query::parse_query).
//
// Any input either parses or throws QueryError; anything else (a crash, a sanitizer report, a
// hang, another exception type) is a finding. A QueryError must also point inside the query:
// its offset is kNoPosition or at most the input's size (the end, for "unexpected end of
// query"), because the CLI prints the line, column and a caret from it.
// Seed corpus: tests/fuzz/kql_corpus (one query per file). Build and run: see `make fuzz-smoke`.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "query/parser.h"
#include "query/query_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    static_cast<void>(flowlens::query::parse_query(text));
  } catch (const flowlens::query::QueryError& e) {
    if (e.offset() != flowlens::query::QueryError::kNoPosition && e.offset() > size) {
      std::fprintf(stderr, "QueryError offset %zu outside the %zu-byte query: %s\n", e.offset(),
                   size, e.what());
      std::abort();
    }
    if (e.what()[0] == '\0') {
      std::fprintf(stderr, "QueryError without a message\n");
      std::abort();
    }
  }
  return 0;
}
