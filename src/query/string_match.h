// KQL's string operators (§3 of the semantics reference) as free functions over UTF-8 text,
// shared by the executor (the `has`, `contains`, ... operators) and the scalar functions.
//
// Case-insensitive forms fold ASCII letters only (§3.1). Terms for has/hasprefix/hassuffix are
// maximal runs of Unicode letters and decimal digits (`_` separates terms), with the exact
// phrase rule of §3.2. Empty needles match. No function here allocates for ASCII input.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

namespace re2 {
class RE2;
}

namespace flowlens::query {

bool kql_has(std::string_view lhs, std::string_view rhs, bool case_sensitive);
bool kql_hasprefix(std::string_view lhs, std::string_view rhs, bool case_sensitive);
bool kql_hassuffix(std::string_view lhs, std::string_view rhs, bool case_sensitive);
bool kql_contains(std::string_view lhs, std::string_view rhs, bool case_sensitive);
bool kql_startswith(std::string_view lhs, std::string_view rhs, bool case_sensitive);
bool kql_endswith(std::string_view lhs, std::string_view rhs, bool case_sensitive);
// `=~`: equality ignoring ASCII case.
bool kql_equals_ci(std::string_view lhs, std::string_view rhs);

// Byte offset of the first occurrence of `needle` (ASCII-case-folded unless case_sensitive),
// or npos.
std::size_t kql_find(std::string_view haystack, std::string_view needle, bool case_sensitive,
                     std::size_t from = 0);

// True for a Unicode letter or decimal digit (the §3.2 term characters).
bool is_term_code_point(char32_t cp);

// A compiled KQL regex (RE2, UTF-8; `(?<name>` is accepted as `(?P<name>`), from a small
// per-thread cache keyed by the pattern; nullptr when the pattern is invalid. `error` (when
// given) receives RE2's message.
std::shared_ptr<const re2::RE2> cached_regex(std::string_view pattern,
                                             std::string* error = nullptr);
// `matches regex`: an unanchored search; nullopt when the pattern is invalid.
std::optional<bool> kql_matches_regex(std::string_view lhs, std::string_view pattern);

}  // namespace flowlens::query
