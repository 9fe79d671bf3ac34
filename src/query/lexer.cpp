#include "query/lexer.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "query/query_error.h"

namespace flowlens::query {
namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Operator names that contain a hyphen; `a-b` is otherwise subtraction.
constexpr std::array<std::string_view, 14> kHyphenated = {
    "project-away",  "project-keep", "project-rename", "project-reorder", "mv-expand",
    "mv-apply",      "make-series",  "top-nested",     "top-hitters",     "parse-where",
    "project-smart", "make-graph",   "granny-asc",     "granny-desc"};

[[noreturn]] void fail(std::string message, std::size_t offset, std::size_t length = 1) {
  throw QueryError(ErrorKind::kSyntax, std::move(message), offset, length);
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    for (;;) {
      if (raw_datetime_pending(tokens)) {
        lex_raw_datetime(tokens);
        continue;
      }
      skip_space_and_comments();
      Token t;
      t.offset = pos_;
      if (pos_ >= text_.size()) {
        t.kind = TokenKind::kEnd;
        t.text = text_.substr(text_.size());
        tokens.push_back(std::move(t));
        return tokens;
      }
      lex_one(t);
      t.text = text_.substr(t.offset, pos_ - t.offset);
      tokens.push_back(std::move(t));
    }
  }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  // `datetime(2024-05-01T10:00:00Z)`: the bare text between the parentheses is one literal
  // (it would not lex as KQL tokens), handed to the parser as a string token.
  bool raw_datetime_pending(const std::vector<Token>& tokens) const {
    std::size_t n = tokens.size();
    if (n < 2 || !tokens[n - 1].is("(") || tokens[n - 2].kind != TokenKind::kIdent) return false;
    std::string_view word = tokens[n - 2].text;
    if (word != "datetime" && word != "date" && word != "guid" && word != "uuid" &&
        word != "uniqueid") {
      return false;
    }
    std::size_t p = pos_;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t'))
      ++p;
    return p < text_.size() && text_[p] != '\'' && text_[p] != '"' && text_[p] != ')';
  }
  void lex_raw_datetime(std::vector<Token>& tokens) {
    std::size_t close = text_.find(')', pos_);
    std::size_t newline = text_.find('\n', pos_);
    if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close)) {
      fail("datetime literal is missing its ')'", pos_);
    }
    Token t;
    t.kind = TokenKind::kString;
    t.offset = pos_;
    t.text = text_.substr(pos_, close - pos_);
    std::string_view v = t.text;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
      v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
      v.remove_suffix(1);
    t.value = std::string(v);
    pos_ = close;
    tokens.push_back(std::move(t));
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '/' && peek(1) == '*') {
        fail("KQL has no block comments; use // to the end of the line", pos_, 2);
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n')
          ++pos_;
      } else if (c == 0xC2 && peek(1) == static_cast<char>(0xA0)) {  // U+00A0
        pos_ += 2;
      } else if (c == 0xEF && peek(1) == static_cast<char>(0xBB) &&
                 peek(2) == static_cast<char>(0xBF)) {  // BOM
        pos_ += 3;
      } else {
        return;
      }
    }
  }

  void lex_one(Token& t) {
    char c = peek();
    // String literals, including the @ (verbatim) and h/H (obfuscated) prefixes.
    if (c == '"' || c == '\'') return lex_string(t, false);
    if (c == '@' && (peek(1) == '"' || peek(1) == '\'')) {
      ++pos_;
      return lex_string(t, true);
    }
    if ((c == 'h' || c == 'H') && (peek(1) == '"' || peek(1) == '\'')) {
      ++pos_;
      return lex_string(t, false);
    }
    if ((c == 'h' || c == 'H') && peek(1) == '@' && (peek(2) == '"' || peek(2) == '\'')) {
      pos_ += 2;
      return lex_string(t, true);
    }
    if (c == '`' && peek(1) == '`' && peek(2) == '`') return lex_fenced(t, "```");
    if (c == '~' && peek(1) == '~' && peek(2) == '~') return lex_fenced(t, "~~~");
    if (is_digit(c)) return lex_number(t);
    if (is_ident_start(c)) return lex_ident(t);
    if (c == '!' && is_ident_start(peek(1))) {  // !contains, !in, !has_cs, !in~
      ++pos_;
      lex_ident(t);
      return;
    }
    lex_punct(t);
  }

  void lex_ident(Token& t) {
    t.kind = TokenKind::kIdent;
    ++pos_;
    while (pos_ < text_.size() && is_ident_char(text_[pos_]))
      ++pos_;
    // Hyphenated operator names.
    while (peek() == '-' && is_ident_start(peek(1))) {
      std::size_t save = pos_;
      ++pos_;
      while (pos_ < text_.size() && is_ident_char(text_[pos_]))
        ++pos_;
      std::string_view word = text_.substr(t.offset, pos_ - t.offset);
      bool known = false;
      for (auto k : kHyphenated)
        known = known || k == word;
      if (!known) {
        pos_ = save;
        break;
      }
    }
    std::string_view word = text_.substr(t.offset, pos_ - t.offset);
    if (peek() == '~' && (word == "in" || word == "!in")) ++pos_;  // in~, !in~
  }

  void lex_punct(Token& t) {
    t.kind = TokenKind::kPunct;
    static constexpr std::array<std::string_view, 11> kTwo = {"==", "!=", "<=", ">=", "=~", "!~",
                                                              "..", "<>", "=>", "&&", "||"};
    if (pos_ + 1 < text_.size()) {
      std::string_view two = text_.substr(pos_, 2);
      for (auto op : kTwo) {
        if (two == op) {
          if (op == "<>" || op == "&&" || op == "||") {
            fail(std::string("'").append(op) + "' is not a KQL operator (use != , and, or)", pos_,
                 2);
          }
          pos_ += 2;
          return;
        }
      }
    }
    static constexpr std::string_view kOne = "|,;()[]{}.:=<>+-*/%";
    if (kOne.find(peek()) != std::string_view::npos) {
      ++pos_;
      return;
    }
    unsigned char uc = static_cast<unsigned char>(peek());
    if (uc >= 0x80) fail("unexpected character (not part of KQL syntax)", pos_);
    fail(std::string("unexpected character '") + peek() + "'", pos_);
  }

  void lex_number(Token& t) {
    std::size_t start = pos_;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') &&
        std::isxdigit(static_cast<unsigned char>(peek(2)))) {
      pos_ += 2;
      while (std::isxdigit(static_cast<unsigned char>(peek())))
        ++pos_;
      t.kind = TokenKind::kLong;
      t.integer = static_cast<std::int64_t>(std::strtoull(
          std::string(text_.substr(start + 2, pos_ - start - 2)).c_str(), nullptr, 16));
      return;
    }
    while (is_digit(peek()))
      ++pos_;
    bool is_real = false;
    if (peek() == '.' && peek(1) != '.') {  // `1.` is real; `1..5` is a range
      is_real = true;
      ++pos_;
      while (is_digit(peek()))
        ++pos_;
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      is_real = true;
      pos_ += 2;
      while (is_digit(peek()))
        ++pos_;
    }
    std::string number(text_.substr(start, pos_ - start));
    // Timespan literal: a unit immediately after the number.
    if (std::isalpha(static_cast<unsigned char>(peek()))) {
      std::size_t unit_start = pos_;
      while (std::isalpha(static_cast<unsigned char>(peek())))
        ++pos_;
      std::string_view unit = text_.substr(unit_start, pos_ - unit_start);
      std::int64_t per = timespan_unit_ticks(unit);
      if (per == 0 || is_ident_char(peek())) {
        while (is_ident_char(peek()))
          ++pos_;
        fail(std::string("'").append(text_.substr(start, pos_ - start)) +
                 "' is neither a number nor a timespan (units: d, h, m, s, ms, microsecond, "
                 "tick)",
             start, pos_ - start);
      }
      t.kind = TokenKind::kTimespan;
      long double v = std::strtold(number.c_str(), nullptr);
      t.integer = static_cast<std::int64_t>(v * per);
      return;
    }
    if (is_ident_char(peek())) fail("malformed number", start, pos_ - start + 1);
    if (is_real) {
      t.kind = TokenKind::kReal;
      t.real = std::strtod(number.c_str(), nullptr);
    } else {
      t.kind = TokenKind::kLong;
      errno = 0;
      unsigned long long v = std::strtoull(number.c_str(), nullptr, 10);
      if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
        fail("integer literal out of range for long", start, pos_ - start);
      }
      t.integer = static_cast<std::int64_t>(v);
    }
  }

  void lex_fenced(Token& t, std::string_view fence) {
    t.kind = TokenKind::kString;
    std::size_t start = pos_;
    pos_ += 3;
    std::size_t end = text_.find(fence, pos_);
    if (end == std::string_view::npos) fail("unterminated multi-line string literal", start, 3);
    t.value = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 3;
  }

  void lex_string(Token& t, bool verbatim) {
    t.kind = TokenKind::kString;
    char quote = peek();
    std::size_t start = pos_;
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r') {
        fail("unterminated string literal", start, 1);
      }
      char c = text_[pos_];
      if (c == quote) {
        if (verbatim && peek(1) == quote) {  // @"say ""hi"""
          t.value.push_back(quote);
          pos_ += 2;
          continue;
        }
        ++pos_;
        return;
      }
      if (c == '\\' && !verbatim) {
        lex_escape(t.value);
        continue;
      }
      t.value.push_back(c);
      ++pos_;
    }
  }

  void lex_escape(std::string& out) {
    std::size_t start = pos_;
    ++pos_;
    char e = peek();
    ++pos_;
    switch (e) {
      case '\'':
        out.push_back('\'');
        return;
      case '"':
        out.push_back('"');
        return;
      case '\\':
        out.push_back('\\');
        return;
      case 'a':
        out.push_back('\a');
        return;
      case 'b':
        out.push_back('\b');
        return;
      case 'f':
        out.push_back('\f');
        return;
      case 'n':
        out.push_back('\n');
        return;
      case 'r':
        out.push_back('\r');
        return;
      case 't':
        out.push_back('\t');
        return;
      case 'v':
        out.push_back('\v');
        return;
      case 'u':
      case 'U':
      case 'x': {
        std::size_t digits = e == 'u' ? 4 : e == 'U' ? 8 : 2;
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < digits; ++k) {
          char h = peek();
          if (!std::isxdigit(static_cast<unsigned char>(h))) {
            fail("bad \\" + std::string(1, e) + " escape: expected " + std::to_string(digits) +
                     " hex digits",
                 start, pos_ - start + 1);
          }
          cp = cp * 16 + static_cast<std::uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                        ? h - '0'
                                                        : (std::tolower(h) - 'a' + 10));
          ++pos_;
        }
        if (cp > 0x10FFFF) fail("escape is not a Unicode code point", start, pos_ - start);
        append_utf8(out, cp);
        return;
      }
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t v = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2 && peek() >= '0' && peek() <= '7'; ++k) {
            v = v * 8 + static_cast<std::uint32_t>(peek() - '0');
            ++pos_;
          }
          append_utf8(out, v);
          return;
        }
        fail(std::string("unknown escape sequence '\\") + e + "' (use @\"...\" for verbatim text)",
             start, 2);
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::int64_t timespan_unit_ticks(std::string_view u) {
  constexpr std::int64_t kSecond = 10'000'000;
  if (u == "d" || u == "day" || u == "days") return 86400 * kSecond;
  if (u == "h" || u == "hr" || u == "hrs" || u == "hour" || u == "hours") return 3600 * kSecond;
  if (u == "m" || u == "min" || u == "minute" || u == "minutes") return 60 * kSecond;
  if (u == "s" || u == "sec" || u == "second" || u == "seconds") return kSecond;
  if (u == "ms" || u == "milli" || u == "millis" || u == "millisec" || u == "millisecond" ||
      u == "milliseconds") {
    return 10'000;
  }
  if (u == "micro" || u == "micros" || u == "microsec" || u == "microsecond" ||
      u == "microseconds") {
    return 10;
  }
  if (u == "tick" || u == "ticks") return 1;
  // Nanoseconds are a tenth of a tick: handled by the caller as a fraction is not possible in
  // integers, so they are rejected here and parsed by the parser's timespan() literal instead.
  return 0;
}

std::vector<Token> tokenize(std::string_view text) {
  return Lexer(text).run();
}

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition p;
  if (offset > text.size()) offset = text.size();
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return p;
}

}  // namespace flowlens::query
