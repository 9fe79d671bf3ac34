// The KQL parser: recursive descent from tokens to the syntax tree of ast.h.
//
// Precedence, loosest first: `|` pipelines; `or`; `and`; comparisons and string/set operators
// (==, !=, <, <=, >, >=, =~, !~, has, contains, startswith, in, between, matches regex, ...);
// `+ -`; `* / %`; unary `- +`; member access, indexing and calls. Operator words (`by`, `on`,
// `has`, ...) are contextual: they are only keywords where the grammar expects them, so tables
// may have columns of those names.
#pragma once

#include <string_view>

#include "query/ast.h"

namespace flowlens::query {

// Throws QueryError (kSyntax) with the offset of the first token that does not fit.
Query parse_query(std::string_view text);

// The value of a datetime(...)/timespan(...) literal (ExprKind::kDateTimeText/kTimeSpanText);
// null when the text does not convert. `datetime()` (empty text) is now() and is handled by
// the binder.
Value convert_literal_text(const Expr& literal);

}  // namespace flowlens::query
