// The KQL lexer: query text to tokens, without copying (identifiers and operators are views
// into the text; only string literals with escapes are decoded into owned strings).
//
// Rules follow §1 of the semantics reference: `//` comments, regular/verbatim/multi-line and
// obfuscated string literals, long/real/hex numbers, timespan literals (`5m`, `2.5h`, `100ms`),
// and the hyphenated operator names (`project-away`, `mv-expand`, ...) as single words.
// Negated word operators (`!contains`, `!in~`, `!has_cs`) also lex as one word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens::query {

enum class TokenKind : std::uint8_t {
  kEnd,
  kIdent,     // names and keywords (contextual), incl. `project-away`, `!contains`, `in~`
  kLong,      // integer literal (value in `integer`)
  kReal,      // real literal (`real`)
  kTimespan,  // timespan literal (`integer` ticks)
  kString,    // string literal (`text`: decoded value)
  kPunct,  // operators and punctuation: | , ; ( ) [ ] { } . : = == != < <= > >= =~ !~ + - * / % ..
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // the source text of the token
  std::size_t offset = 0;
  std::int64_t integer = 0;
  double real = 0;
  std::string value;  // decoded string literal

  bool is(std::string_view punct_or_word) const {
    return (kind == TokenKind::kPunct || kind == TokenKind::kIdent) && text == punct_or_word;
  }
};

// Throws QueryError (kSyntax) at the offending offset.
std::vector<Token> tokenize(std::string_view text);

// Parses a timespan unit suffix (d, h, m, s, ms, ...); 0 when unknown.
std::int64_t timespan_unit_ticks(std::string_view unit);

// 1-based line and column (in bytes) of `offset` in `text`.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

}  // namespace flowlens::query
