// The JSON form of query results, shared by `flowlens query --format json` and the HTTP API:
//   {"tables":[{"columns":[{"name","type"}],"rows":[[...]],"render":null|{"kind","properties"},
//               "truncated":bool}]}
// Longs/ints/reals are JSON numbers (NaN and infinities as the strings "NaN", "Infinity",
// "-Infinity"), bools true/false, datetimes and timespans as their KQL text, dynamics
// embedded as JSON, nulls null.
#pragma once

#include <string>

#include "query/engine.h"
#include "query/value.h"

namespace flowlens::query {

void append_value_json(const Value& v, std::string& out);
void append_result_json(const QueryResult& result, std::string& out);

}  // namespace flowlens::query
