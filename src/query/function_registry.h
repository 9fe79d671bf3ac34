// Scalar functions: the registry the binder resolves names against and the evaluator calls.
//
// Each function declares its arity, a type rule (argument types -> result type, or a binding
// error message) and a row-wise implementation. The evaluator calls `eval` once per row (or
// once per distinct value when the only varying argument is a dictionary-coded string column),
// so implementations must be pure: same arguments, same result. Expensive per-call set-up
// (compiling a regex, parsing a CIDR) belongs in a small cache inside the implementation.
//
// Functions with several results (series_decompose_anomalies, series_stats, ...) list their
// output names in `outputs` and return a dynamic array holding one element per output; the
// binder splits it into columns named `<function>_<arg>_<output>` or as the query names them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/types.h"
#include "query/value.h"

namespace flowlens::query {

// What the binder knows about one argument when it checks a call.
struct ArgInfo {
  Type type = Type::kLong;
  const Value* constant = nullptr;   // set when the argument is a constant expression
  std::optional<Type> type_literal;  // set for `typeof(T)` arguments (extract's 4th)
};

// Per-query state the functions may read.
struct EvalContext {
  std::int64_t now = 0;       // now(): one instant for the whole query (Unix-epoch ticks)
  std::int64_t row_base = 0;  // row_number(): rows before the current batch (serialized input)
};

// Returns the result type, or nullopt after writing a message such as
// "substring() expects a string as its first argument" into `error`.
using TypeRule = std::optional<Type> (*)(const std::vector<ArgInfo>& args, std::string& error);
using ScalarImpl = Value (*)(const std::vector<Value>& args, const EvalContext& context);

// How an unnamed call is named in project/extend/summarize-by (§4.0 of the reference).
enum class Naming : std::uint8_t {
  kGenerated,  // Column1, Column2, ...
  kFirstArg,   // named after the first argument when that is a column (bin, tostring, round)
};

struct ScalarFunction {
  std::string_view name;
  int min_args = 0;
  int max_args = 0;  // -1: no upper bound
  TypeRule result_type = nullptr;
  ScalarImpl eval = nullptr;
  Naming naming = Naming::kGenerated;
  std::vector<std::string_view> outputs = {};  // several results (see above); empty: one
  bool depends_on_context = false;             // now(), ago(): not constant-folded
  // With `outputs`: the type of each output (element k of the returned array is read with
  // dyn_to_value(element, output_types[k])). Empty: every output is dynamic.
  std::vector<Type> output_types = {};
};

// nullptr when no function of that name exists (names are case-sensitive, as in KQL).
const ScalarFunction* find_function(std::string_view name);
// Every registered name (for "did you mean" suggestions).
std::vector<std::string_view> function_names();

}  // namespace flowlens::query
