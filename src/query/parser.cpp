#include "query/parser.h"

#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "query/function_registry.h"
#include "query/lexer.h"
#include "query/query_error.h"

namespace flowlens::query {
namespace {

// Comparison-level word operators (§3.1); `like` is rejected with advice (§3.9).
constexpr std::array<std::string_view, 40> kWordOperators = {
    "contains",   "!contains",   "contains_cs",   "!contains_cs",
    "has",        "!has",        "has_cs",        "!has_cs",
    "hasprefix",  "!hasprefix",  "hasprefix_cs",  "!hasprefix_cs",
    "hassuffix",  "!hassuffix",  "hassuffix_cs",  "!hassuffix_cs",
    "startswith", "!startswith", "startswith_cs", "!startswith_cs",
    "endswith",   "!endswith",   "endswith_cs",   "!endswith_cs",
    "matches",    "in",          "!in",           "in~",
    "!in~",       "has_any",     "has_all",       "between",
    "!between",   "like",        "notlike",       "likecs",
    "notlikecs",  "!has_any",    "!has_all",      "contains_any"};

bool is_word_operator(std::string_view w) {
  for (auto op : kWordOperators) {
    if (op == w) return true;
  }
  return false;
}

}  // namespace

// datetime(...) / timespan(...) literal text through the conversion functions (§1.6, §1.7):
// the literal accepts exactly what todatetime()/totimespan() accept; a bare number in
// timespan(...) counts days. Null when the text does not convert.
Value convert_literal_text(const Expr& literal) {
  bool is_datetime = literal.kind == ExprKind::kDateTimeText;
  const std::string& text = literal.text;
  if (text == "null") return Value::null_of(is_datetime ? Type::kDateTime : Type::kTimeSpan);
  if (!is_datetime) {
    char* end = nullptr;
    double days = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size() && text.find(':') == std::string::npos) {
      return Value::timespan(static_cast<std::int64_t>(days * 864000000000.0));
    }
    // `90 seconds`: a number, spaces and a unit word.
    std::size_t space = text.find(' ');
    if (space != std::string::npos) {
      double n = std::strtod(text.substr(0, space).c_str(), &end);
      std::string unit = text.substr(text.find_first_not_of(' ', space));
      std::int64_t per = timespan_unit_ticks(unit);
      if (per > 0) return Value::timespan(static_cast<std::int64_t>(n * static_cast<double>(per)));
    }
  }
  const ScalarFunction* f = find_function(is_datetime ? "todatetime" : "totimespan");
  if (f == nullptr) return Value::null_of(is_datetime ? Type::kDateTime : Type::kTimeSpan);
  EvalContext context;
  return f->eval({Value::string(text)}, context);
}

namespace {

ExprPtr make(ExprKind kind, SourceSpan span) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), tokens_(tokenize(text)) {}

  Query parse() {
    Query q;
    while (!at_end()) {
      if (accept(";")) continue;
      q.statements.push_back(parse_statement());
      if (!at_end() && !peek().is(";")) {
        fail_here("expected ';' or the end of the query");
      }
    }
    bool has_query = false;
    for (const auto& s : q.statements)
      has_query = has_query || s->kind == StatementKind::kQuery;
    if (!has_query) {
      throw QueryError(ErrorKind::kSyntax,
                       q.statements.empty()
                           ? "the query is empty"
                           : "the query has only let/set statements; add a tabular expression",
                       q.statements.empty() ? 0 : text_.size(), 1);
    }
    return q;
  }

 private:
  // ---- token helpers ----
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  bool at_end() const { return peek().kind == TokenKind::kEnd; }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool accept(std::string_view s) {
    if (peek().is(s)) {
      next();
      return true;
    }
    return false;
  }
  const Token& expect(std::string_view s, std::string_view what = {}) {
    if (!peek().is(s)) {
      fail_here("expected '" + std::string(s) + "'" +
                (what.empty() ? std::string() : " " + std::string(what)));
    }
    return next();
  }
  [[noreturn]] void fail_here(const std::string& message) const {
    const Token& t = peek();
    std::string found =
        t.kind == TokenKind::kEnd ? "the end of the query" : "'" + std::string(t.text) + "'";
    throw QueryError(ErrorKind::kSyntax, message + ", found " + found, t.offset,
                     std::max<std::size_t>(1, t.text.size()));
  }
  [[noreturn]] void fail_at(const std::string& message, SourceSpan span) const {
    throw QueryError(ErrorKind::kSyntax, message, span.offset,
                     std::max<std::size_t>(1, span.length));
  }
  SourceSpan span_of(const Token& t) const { return {t.offset, t.text.size()}; }
  SourceSpan span_from(std::size_t start) const {
    const Token& prev = tokens_[pos_ > 0 ? pos_ - 1 : 0];
    std::size_t end = prev.offset + prev.text.size();
    return {start, end > start ? end - start : 1};
  }
  std::string expect_name(std::string_view what) {
    if (peek().kind == TokenKind::kIdent) return std::string(next().text);
    if (peek().is("[")) {  // ['quoted name']
      next();
      if (peek().kind != TokenKind::kString) fail_here("expected a quoted name");
      std::string name = next().value;
      expect("]");
      return name;
    }
    fail_here("expected " + std::string(what));
  }
  bool at_name() const {
    return peek().kind == TokenKind::kIdent ||
           (peek().is("[") && peek(1).kind == TokenKind::kString && peek(2).is("]"));
  }

  // ---- statements ----
  std::shared_ptr<Statement> parse_statement() {
    auto s = std::make_shared<Statement>();
    std::size_t start = peek().offset;
    if (peek().is("let") && (peek(1).kind == TokenKind::kIdent || peek(1).is("["))) {
      next();
      s->kind = StatementKind::kLet;
      s->name = expect_name("a name after 'let'");
      expect("=", "after the let name");
      s->value = parse_let_value();
    } else if (peek().is("set") && peek(1).kind == TokenKind::kIdent) {
      next();
      s->kind = StatementKind::kSet;
      s->name = std::string(next().text);
      if (accept("=")) {
        const Token& v = next();
        s->set_value = v.kind == TokenKind::kString ? v.value : std::string(v.text);
      }
    } else {
      s->kind = StatementKind::kQuery;
      s->value = parse_pipe();
    }
    s->span = span_from(start);
    return s;
  }

  bool looks_like_lambda() const {
    if (!peek().is("(")) return false;
    if (peek(1).is(")")) return peek(2).is("{");
    return peek(1).kind == TokenKind::kIdent && peek(2).is(":");
  }

  ExprPtr parse_let_value() {
    bool is_view = false;
    if (peek().is("view") && peek(1).is("(")) {
      next();
      is_view = true;
    }
    if (is_view || looks_like_lambda()) {
      std::size_t start = peek().offset;
      auto e = make(ExprKind::kFunction, {start, 1});
      e->function = parse_function_def();
      e->function->is_view = is_view;
      e->span = span_from(start);
      return e;
    }
    return parse_pipe();
  }

  std::shared_ptr<FunctionDef> parse_function_def() {
    auto f = std::make_shared<FunctionDef>();
    expect("(");
    if (!peek().is(")")) {
      do {
        Parameter p;
        p.span = span_of(peek());
        p.name = expect_name("a parameter name");
        expect(":", "after the parameter name");
        if (peek().is("(")) {
          next();
          p.tabular = true;
          if (accept("*")) {
            p.any_schema = true;
          } else {
            do {
              std::string col = expect_name("a column name");
              expect(":");
              p.tabular_columns.emplace_back(col, parse_type_word());
            } while (accept(","));
          }
          expect(")");
        } else {
          p.type = parse_type_word();
          if (accept("=")) p.default_value = parse_or();
        }
        f->parameters.push_back(std::move(p));
      } while (accept(","));
    }
    expect(")", "after the parameters");
    expect("{", "to start the function body");
    while (peek().is("let")) {
      f->body_lets.push_back(parse_statement());
      expect(";", "after a let statement in the function body");
    }
    f->body = parse_pipe();
    accept(";");
    expect("}", "to end the function body");
    return f;
  }

  Type parse_type_word() {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdent) fail_here("expected a type name");
    auto type = parse_type_name(t.text);
    if (!type) {
      throw QueryError(ErrorKind::kSyntax,
                       "unknown type '" + std::string(t.text) +
                           "' (bool, int, long, real, string, datetime, timespan, dynamic)",
                       t.offset, t.text.size());
    }
    next();
    return *type;
  }

  // ---- expressions ----
  ExprPtr parse_pipe() {
    std::size_t start = peek().offset;
    ExprPtr source = parse_or();
    if (!peek().is("|")) return source;
    auto pipe = make(ExprKind::kPipe, {start, 1});
    pipe->args.push_back(source);
    while (accept("|"))
      pipe->ops.push_back(parse_operator());
    pipe->span = span_from(start);
    return pipe;
  }

  ExprPtr binary(std::string op, ExprPtr a, ExprPtr b, std::size_t start) {
    auto e = make(ExprKind::kBinary, span_from(start));
    e->text = std::move(op);
    e->args = {std::move(a), std::move(b)};
    return e;
  }

  ExprPtr parse_or() {
    std::size_t start = peek().offset;
    ExprPtr left = parse_and();
    while (peek().is("or")) {
      next();
      left = binary("or", left, parse_and(), start);
    }
    return left;
  }
  ExprPtr parse_and() {
    std::size_t start = peek().offset;
    ExprPtr left = parse_comparison();
    while (peek().is("and")) {
      next();
      left = binary("and", left, parse_comparison(), start);
    }
    return left;
  }

  ExprPtr parse_comparison() {
    std::size_t start = peek().offset;
    ExprPtr left = parse_additive();
    for (;;) {
      const Token& t = peek();
      if (t.kind == TokenKind::kPunct &&
          (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" ||
           t.text == ">=" || t.text == "=~" || t.text == "!~")) {
        std::string op(next().text);
        left = binary(op, left, parse_additive(), start);
        continue;
      }
      if (t.kind != TokenKind::kIdent || !is_word_operator(t.text)) return left;
      std::string op(t.text);
      SourceSpan op_span = span_of(t);
      if (op == "like" || op == "notlike" || op == "likecs" || op == "notlikecs") {
        fail_at("'" + op +
                    "' is not part of KQL; use has, contains, startswith, endswith or "
                    "matches regex",
                op_span);
      }
      if (op == "!has_any" || op == "!has_all" || op == "contains_any") {
        fail_at("'" + op + "' does not exist; write not(x has_any (...)) instead", op_span);
      }
      next();
      if (op == "matches") {
        if (!peek().is("regex")) fail_here("expected 'regex' after 'matches'");
        next();
        left = binary("matches regex", left, parse_additive(), start);
      } else if (op == "in" || op == "!in" || op == "in~" || op == "!in~" || op == "has_any" ||
                 op == "has_all") {
        auto e = make(ExprKind::kIn, op_span);
        e->text = op;
        e->args.push_back(left);
        expect("(", "to open the list after '" + op + "'");
        if (!peek().is(")")) {
          do {
            e->args.push_back(parse_pipe());
          } while (accept(","));
        }
        expect(")", "to close the list");
        e->span = span_from(start);
        left = e;
      } else if (op == "between" || op == "!between") {
        auto e = make(ExprKind::kBetween, op_span);
        e->text = op;
        e->args.push_back(left);
        expect("(", "after '" + op + "'");
        e->args.push_back(parse_additive());
        expect("..", "between the bounds of 'between'");
        e->args.push_back(parse_additive());
        expect(")", "to close 'between'");
        e->span = span_from(start);
        left = e;
      } else {
        left = binary(op, left, parse_additive(), start);
      }
    }
  }

  ExprPtr parse_additive() {
    std::size_t start = peek().offset;
    ExprPtr left = parse_multiplicative();
    while (peek().is("+") || peek().is("-")) {
      std::string op(next().text);
      left = binary(op, left, parse_multiplicative(), start);
    }
    return left;
  }
  ExprPtr parse_multiplicative() {
    std::size_t start = peek().offset;
    ExprPtr left = parse_unary();
    while (peek().is("*") || peek().is("/") || peek().is("%")) {
      // `*` right after `(` or `,` is a star argument, handled in parse_primary.
      std::string op(next().text);
      left = binary(op, left, parse_unary(), start);
    }
    return left;
  }
  ExprPtr parse_unary() {
    std::size_t start = peek().offset;
    if (peek().is("-") || peek().is("+")) {
      std::string op(next().text);
      ExprPtr operand = parse_unary();
      // Fold negative literals so that `-9223372036854775808`-style edge cases and typed
      // literals like int(-2) behave as constants.
      if (op == "-" && operand->kind == ExprKind::kLiteral && !operand->value.null) {
        Value& v = operand->value;
        if (v.type == Type::kLong || v.type == Type::kInt || v.type == Type::kTimeSpan) {
          v.i = static_cast<std::int64_t>(0ULL - static_cast<std::uint64_t>(v.i));
          operand->span = span_from(start);
          return operand;
        }
        if (v.type == Type::kReal) {
          v.r = -v.r;
          operand->span = span_from(start);
          return operand;
        }
      }
      if (op == "+") return operand;
      auto e = make(ExprKind::kUnary, span_from(start));
      e->text = op;
      e->args.push_back(operand);
      return e;
    }
    return parse_postfix();
  }

  ExprPtr parse_postfix() {
    std::size_t start = peek().offset;
    ExprPtr e = parse_primary();
    for (;;) {
      if (peek().is(".") && (peek(1).kind == TokenKind::kIdent)) {
        next();
        auto m = make(ExprKind::kMember, {});
        m->text = std::string(next().text);
        m->args.push_back(e);
        m->span = span_from(start);
        e = m;
      } else if (peek().is("[")) {
        next();
        ExprPtr index = parse_pipe();
        expect("]");
        if (index->kind == ExprKind::kLiteral && index->value.type == Type::kString) {
          auto m = make(ExprKind::kMember, span_from(start));
          m->text = index->value.s;
          m->args.push_back(e);
          e = m;
        } else {
          auto ix = make(ExprKind::kIndex, span_from(start));
          ix->args = {e, index};
          e = ix;
        }
      } else {
        return e;
      }
    }
  }

  Value parse_literal_token_value(bool negative) {
    const Token& t = next();
    switch (t.kind) {
      case TokenKind::kLong:
        return Value::long_(negative ? -t.integer : t.integer);
      case TokenKind::kReal:
        return Value::real(negative ? -t.real : t.real);
      case TokenKind::kTimespan:
        return Value::timespan(negative ? -t.integer : t.integer);
      default:
        throw QueryError(ErrorKind::kSyntax, "expected a number", t.offset, t.text.size());
    }
  }

  // The raw text between a '(' at the current position and its matching ')'.
  std::string raw_parenthesized(SourceSpan& inner) {
    const Token& open = expect("(");
    int depth = 1;
    std::size_t close_offset = open.offset;
    while (!at_end()) {
      const Token& t = next();
      if (t.is("(")) ++depth;
      if (t.is(")") && --depth == 0) {
        close_offset = t.offset;
        break;
      }
    }
    if (depth != 0) fail_here("expected ')'");
    inner = {open.offset + 1, close_offset - open.offset - 1};
    std::string raw(text_.substr(inner.offset, inner.length));
    std::size_t a = raw.find_first_not_of(" \t\r\n");
    std::size_t b = raw.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : raw.substr(a, b - a + 1);
  }

  ExprPtr parse_typed_literal(std::string_view word, std::size_t start) {
    auto type = parse_type_name(word);
    auto e = make(ExprKind::kLiteral, {start, 1});
    if (*type == Type::kDateTime || *type == Type::kTimeSpan) {
      // datetime(2024-05-01 10:00), datetime('...'), datetime(null), timespan(1.12:00:00),
      // timespan(3), time(90 seconds), timespan(5m)
      std::size_t save = pos_;
      next();  // '('
      if (peek().is("null") && peek(1).is(")")) {
        next();
        next();
        e->value = Value::null_of(*type);
        e->span = span_from(start);
        return e;
      }
      if (*type == Type::kTimeSpan && peek().kind == TokenKind::kTimespan && peek(1).is(")")) {
        e->value = Value::timespan(next().integer);
        next();
        e->span = span_from(start);
        return e;
      }
      if (peek().kind == TokenKind::kString && peek(1).is(")")) {
        e->kind = *type == Type::kDateTime ? ExprKind::kDateTimeText : ExprKind::kTimeSpanText;
        e->text = next().value;
        next();
        e->span = span_from(start);
        return e;
      }
      pos_ = save;
      SourceSpan inner;
      std::string raw = raw_parenthesized(inner);
      e->kind = *type == Type::kDateTime ? ExprKind::kDateTimeText : ExprKind::kTimeSpanText;
      e->text = raw;
      e->span = span_from(start);
      return e;
    }
    expect("(");
    if (accept("null")) {
      e->value = Value::null_of(*type);
    } else if (*type == Type::kString) {
      if (peek().kind != TokenKind::kString) fail_here("expected a string");
      e->value = Value::string(next().value);
    } else if (*type == Type::kBool) {
      const Token& t = next();
      if (t.is("true") || t.is("TRUE") || t.is("True")) {
        e->value = Value::boolean(true);
      } else if (t.is("false") || t.is("FALSE") || t.is("False")) {
        e->value = Value::boolean(false);
      } else if (t.kind == TokenKind::kLong) {
        e->value = Value::boolean(t.integer != 0);
      } else {
        fail_at("expected true, false or null", span_of(t));
      }
    } else if (*type == Type::kReal &&
               (peek().is("nan") || peek().is("inf") ||
                ((peek().is("+") || peek().is("-")) && peek(1).is("inf")))) {
      bool negative = false;
      if (peek().is("+") || peek().is("-")) negative = next().text == "-";
      std::string_view w = next().text;
      double v = w == "nan" ? std::numeric_limits<double>::quiet_NaN()
                            : std::numeric_limits<double>::infinity();
      e->value = Value::real(negative ? -v : v);
    } else if (*type == Type::kDynamic) {
      e->value = Value::dynamic(parse_dynamic_value());
    } else {
      bool negative = false;
      if (peek().is("-") || peek().is("+")) negative = next().text == "-";
      Value v = parse_literal_token_value(negative);
      if (*type == Type::kReal) {
        e->value = Value::real(v.type == Type::kReal ? v.r : static_cast<double>(v.i));
      } else if (v.type == Type::kReal) {
        e->value = *type == Type::kInt ? Value::integer(static_cast<std::int64_t>(v.r))
                                       : Value::long_(static_cast<std::int64_t>(v.r));
      } else if (*type == Type::kInt) {
        if (v.i < INT32_MIN || v.i > INT32_MAX) fail_here("value out of range for int");
        e->value = Value::integer(v.i);
      } else {
        e->value = Value::long_(v.i);
      }
    }
    expect(")");
    e->span = span_from(start);
    return e;
  }

  // dynamic(...) contents: JSON-like, with KQL literals allowed as values.
  Dyn parse_dynamic_value() {
    if (accept("null")) return nullptr;
    if (accept("[")) {
      std::vector<Dyn> items;
      if (!peek().is("]")) {
        do {
          if (peek().is("]")) break;  // trailing comma
          items.push_back(parse_dynamic_value());
        } while (accept(","));
      }
      expect("]", "to close the array");
      return dyn_array(std::move(items));
    }
    if (accept("{")) {
      std::vector<std::pair<std::string, Dyn>> entries;
      if (!peek().is("}")) {
        do {
          if (peek().is("}")) break;
          std::string key;
          if (peek().kind == TokenKind::kString) {
            key = next().value;
          } else if (peek().kind == TokenKind::kIdent) {
            key = std::string(next().text);
          } else {
            fail_here("expected a property name");
          }
          expect(":", "after the property name");
          entries.emplace_back(std::move(key), parse_dynamic_value());
        } while (accept(","));
      }
      expect("}", "to close the property bag");
      return dyn_bag(std::move(entries));
    }
    if (peek().kind == TokenKind::kString) {
      std::string s = next().value;
      while (peek().kind == TokenKind::kString)
        s += next().value;
      return dyn_string(std::move(s));
    }
    if (peek().is("true") || peek().is("false")) return dyn_bool(next().text == "true");
    std::size_t start = peek().offset;
    if (peek().is("-") || peek().kind == TokenKind::kLong || peek().kind == TokenKind::kReal ||
        peek().kind == TokenKind::kTimespan) {
      bool negative = accept("-");
      Value v = parse_literal_token_value(negative);
      if (v.type == Type::kReal) return dyn_real(v.r);
      if (v.type == Type::kTimeSpan) return dyn_timespan(v.i);
      return dyn_long(v.i);
    }
    if (peek().kind == TokenKind::kIdent && parse_type_name(peek().text) && peek(1).is("(")) {
      std::string word(next().text);  // parse_typed_literal starts at '('
      ExprPtr lit = parse_typed_literal(word, start);
      if (lit->kind == ExprKind::kDateTimeText || lit->kind == ExprKind::kTimeSpanText) {
        Value converted = convert_literal_text(*lit);
        if (converted.null && !lit->text.empty() && lit->text != "null") {
          fail_at("cannot read '" + lit->text + "' as a " +
                      std::string(lit->kind == ExprKind::kDateTimeText ? "datetime" : "timespan"),
                  lit->span);
        }
        return value_to_dyn(converted);
      }
      return value_to_dyn(lit->value);
    }
    fail_here("expected a dynamic value (array, property bag, string, number, bool or null)");
  }

  ExprPtr parse_primary() {
    const Token& t = peek();
    std::size_t start = t.offset;
    switch (t.kind) {
      case TokenKind::kLong:
      case TokenKind::kReal:
      case TokenKind::kTimespan: {
        auto e = make(ExprKind::kLiteral, span_of(t));
        e->value = parse_literal_token_value(false);
        return e;
      }
      case TokenKind::kString: {
        auto e = make(ExprKind::kLiteral, span_of(t));
        std::string s = next().value;
        while (peek().kind == TokenKind::kString)
          s += next().value;  // adjacent literals
        e->value = Value::string(std::move(s));
        e->span = span_from(start);
        return e;
      }
      case TokenKind::kEnd:
        fail_here("expected an expression");
      default:
        break;
    }
    if (t.is("(")) {
      next();
      ExprPtr inner = parse_pipe();
      if (peek().is(",")) {  // a parenthesised list is only valid after in/has_any
        fail_here("expected ')'");
      }
      expect(")");
      inner->parenthesized = true;
      return inner;
    }
    if (t.is("*")) {
      next();
      return make(ExprKind::kStar, span_of(t));
    }
    if (t.is("[")) {
      if (peek(1).kind == TokenKind::kString && peek(2).is("]")) {
        next();
        auto e = make(ExprKind::kName, {});
        e->text = next().value;
        next();
        e->span = span_from(start);
        return maybe_call(e, start);
      }
      fail_here("expected an expression");
    }
    if (t.kind != TokenKind::kIdent) fail_here("expected an expression");
    std::string_view word = t.text;
    if (word == "true" || word == "TRUE" || word == "True" || word == "false" || word == "FALSE" ||
        word == "False") {
      next();
      auto e = make(ExprKind::kLiteral, span_of(t));
      e->value = Value::boolean(word[0] == 't' || word[0] == 'T');
      return e;
    }
    if ((word == "$left" || word == "$right") && peek(1).is(".")) {
      next();
      next();
      auto e = make(ExprKind::kDollarSide, {});
      e->text = std::string(word.substr(1));
      e->value = Value::string(expect_name("a column name after $" + std::string(word.substr(1))));
      e->span = span_from(start);
      return e;
    }
    if (peek(1).is("(")) {
      auto type = parse_type_name(word);
      if (type && word != "string" && word != "decimal") {
        next();  // the type word; parse_typed_literal starts at '('
        return parse_typed_literal(word, start);
      }
      if (word == "decimal") {
        next();
        return parse_typed_literal("real", start);
      }
      if (word == "guid" || word == "uuid" || word == "uniqueid") {
        fail_at(
            "guid values are not supported by flowlens (no flow-log column holds one); use a "
            "string",
            span_of(t));
      }
      if (word == "typeof") {
        next();
        expect("(");
        auto e = make(ExprKind::kTypeOf, {});
        e->value_type = parse_type_word();
        expect(")");
        e->span = span_from(start);
        return e;
      }
      if (word == "datatable") return parse_datatable();
    }
    if (word == "print") return parse_print();
    if (word == "range" && peek(1).kind == TokenKind::kIdent && peek(2).is("from")) {
      return parse_range();
    }
    if (word == "union") {
      next();
      auto e = make(ExprKind::kUnion, span_of(t));
      e->union_op = parse_union_body(span_of(t));
      e->span = span_from(start);
      return e;
    }
    if (word == "datatable") return parse_datatable();
    next();
    auto e = make(ExprKind::kName, span_of(t));
    e->text = std::string(word);
    return maybe_call(e, start);
  }

  ExprPtr maybe_call(ExprPtr name, std::size_t start) {
    if (!peek().is("(")) return name;
    next();
    auto call = make(ExprKind::kCall, name->span);
    call->text = name->text;
    if (!peek().is(")")) {
      do {
        if (peek().kind == TokenKind::kIdent && peek(1).is("=") && !peek(1).is("==")) {
          call->arg_names.emplace_back(next().text);
          next();
        } else {
          call->arg_names.emplace_back();
        }
        call->args.push_back(parse_pipe());
      } while (accept(","));
    }
    expect(")", "to close the argument list of " + call->text + "()");
    call->span = span_from(start);
    return call;
  }

  ExprPtr parse_datatable() {
    std::size_t start = next().offset;
    auto e = make(ExprKind::kDataTable, {start, 9});
    expect("(", "after datatable");
    do {
      std::string name = expect_name("a column name");
      expect(":", "after the column name");
      e->columns.emplace_back(name, parse_type_word());
    } while (accept(","));
    expect(")");
    expect("[", "to start the datatable values");
    if (!peek().is("]")) {
      do {
        if (peek().is("]")) break;  // trailing comma
        e->args.push_back(parse_unary());
      } while (accept(","));
    }
    expect("]", "to end the datatable values");
    if (e->args.size() % e->columns.size() != 0) {
      fail_at("datatable has " + std::to_string(e->args.size()) + " values for " +
                  std::to_string(e->columns.size()) +
                  " columns: the count must be a multiple of the column count",
              span_from(start));
    }
    e->span = span_from(start);
    return e;
  }

  ExprPtr parse_print() {
    std::size_t start = next().offset;
    auto e = make(ExprKind::kPrint, {start, 5});
    if (!at_end() && !peek().is("|") && !peek().is(";") && !peek().is(")")) {
      e->items = parse_named_list();
    }
    e->span = span_from(start);
    return e;
  }

  ExprPtr parse_range() {
    std::size_t start = next().offset;
    auto e = make(ExprKind::kRange, {start, 5});
    e->text = expect_name("a column name");
    expect("from");
    e->args.push_back(parse_additive());
    expect("to");
    e->args.push_back(parse_additive());
    expect("step");
    e->args.push_back(parse_additive());
    e->span = span_from(start);
    return e;
  }

  // ---- tabular operators ----
  NamedExpr parse_named() {
    NamedExpr n;
    if (peek().is("(") && peek(1).kind == TokenKind::kIdent &&
        (peek(2).is(",") || (peek(2).is(")") && peek(3).is("=")))) {
      // (A, B) = f(...)
      std::size_t save = pos_;
      next();
      std::vector<std::string> names;
      std::vector<SourceSpan> spans;
      bool ok = true;
      do {
        if (peek().kind != TokenKind::kIdent) {
          ok = false;
          break;
        }
        spans.push_back(span_of(peek()));
        names.emplace_back(next().text);
      } while (accept(","));
      if (ok && accept(")") && peek().is("=")) {
        next();
        n.names = std::move(names);
        n.name_spans = std::move(spans);
        n.expr = parse_or();
        return n;
      }
      pos_ = save;
    }
    if (at_name() && (peek(1).is("=") || (peek().is("[") && peek(3).is("=")))) {
      n.name_spans.push_back(span_of(peek()));
      n.names.push_back(expect_name("a column name"));
      expect("=");
    }
    n.expr = parse_or();
    return n;
  }
  std::vector<NamedExpr> parse_named_list() {
    std::vector<NamedExpr> items;
    do {
      items.push_back(parse_named());
    } while (accept(","));
    return items;
  }

  std::pair<std::string, SourceSpan> parse_pattern() {
    // A column name with optional `*` wildcards, written without spaces (`Src*`, `*Bytes*`).
    std::size_t start = peek().offset;
    std::string pattern;
    std::size_t end = start;
    bool any = false;
    while (!at_end()) {
      const Token& t = peek();
      if (any && t.offset != end) break;
      if (t.kind == TokenKind::kIdent) {
        pattern += t.text;
      } else if (t.is("*")) {
        pattern += "*";
      } else if (t.is("[") && peek(1).kind == TokenKind::kString && peek(2).is("]")) {
        next();
        pattern += next().value;
        end = peek().offset + 1;
        next();
        any = true;
        continue;
      } else {
        break;
      }
      end = t.offset + t.text.size();
      next();
      any = true;
    }
    if (!any) fail_here("expected a column name or wildcard pattern");
    return {pattern, SourceSpan{start, end - start}};
  }

  void parse_sort_keys(Operator& op) {
    do {
      SortKey k;
      k.expr = parse_or();
      if (accept("asc")) {
        k.descending = false;
      } else if (accept("desc")) {
        k.descending = true;
      }
      if (accept("nulls")) {
        if (accept("first")) {
          k.nulls_first = true;
        } else if (accept("last")) {
          k.nulls_first = false;
        } else {
          fail_here("expected 'first' or 'last' after 'nulls'");
        }
      }
      op.sort_keys.push_back(std::move(k));
    } while (accept(","));
  }

  // kind=..., hint.x=..., isfuzzy=..., withsource=..., with_itemindex=...: name=value pairs
  bool parse_option(std::string& key, std::string& value) {
    if (peek().kind == TokenKind::kIdent && peek(1).is("=") && !peek(2).is("=")) {
      std::string_view k = peek().text;
      bool known = k == "kind" || k == "isfuzzy" || k == "withsource" || k == "with_itemindex" ||
                   k == "bagexpansion" || k == "decodeblocks" || k.rfind("hint", 0) == 0;
      if (!known) return false;
      key = std::string(next().text);
      // hint.strategy: the lexer split `hint.strategy` into hint . strategy
      next();
      const Token& v = next();
      value = v.kind == TokenKind::kString ? v.value : std::string(v.text);
      return true;
    }
    if (peek().is("hint") && peek(1).is(".")) {
      next();
      next();
      key = "hint." + std::string(next().text);
      expect("=");
      const Token& v = next();
      value = v.kind == TokenKind::kString ? v.value : std::string(v.text);
      return true;
    }
    return false;
  }

  std::shared_ptr<Operator> parse_union_body(SourceSpan span) {
    auto op = std::make_shared<Operator>();
    op->kind = OpKind::kUnion;
    op->span = span;
    op->name = "outer";
    std::string key, value;
    while (parse_option(key, value)) {
      if (key == "kind") {
        if (value != "inner" && value != "outer") fail_here("union kind must be inner or outer");
        op->name = value;
      } else if (key == "withsource") {
        op->with_source = value;
      } else if (key == "isfuzzy") {
        op->is_fuzzy = value == "true";
      }
    }
    do {
      op->legs.push_back(parse_union_leg());
    } while (accept(","));
    return op;
  }
  ExprPtr parse_union_leg() {
    std::size_t start = peek().offset;
    if (peek().is("(")) return parse_primary();
    // Table names with wildcards (NTA*) or plain names / calls.
    if (peek().kind == TokenKind::kIdent && peek(1).is("*") &&
        peek(1).offset == peek().offset + peek().text.size()) {
      auto [pattern, span] = parse_pattern();
      auto e = make(ExprKind::kName, span);
      e->text = pattern;
      return e;
    }
    ExprPtr e = parse_postfix();
    e->span = span_from(start);
    return e;
  }

  std::shared_ptr<Operator> parse_operator() {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdent) fail_here("expected a tabular operator after '|'");
    auto op = std::make_shared<Operator>();
    op->span = span_of(t);
    std::string word(next().text);
    if (word == "where" || word == "filter") {
      op->kind = OpKind::kWhere;
      op->predicate = parse_or();
    } else if (word == "project") {
      op->kind = OpKind::kProject;
      op->items = parse_named_list();
    } else if (word == "project-away" || word == "project-keep") {
      op->kind = word == "project-away" ? OpKind::kProjectAway : OpKind::kProjectKeep;
      do {
        op->patterns.push_back(parse_pattern());
      } while (accept(","));
    } else if (word == "project-reorder") {
      op->kind = OpKind::kProjectReorder;
      do {
        op->patterns.push_back(parse_pattern());
        if (peek().is("asc") || peek().is("desc") || peek().is("granny-asc") ||
            peek().is("granny-desc")) {
          op->patterns.back().first += "\n" + std::string(next().text);  // modifier (binder)
        }
      } while (accept(","));
    } else if (word == "project-rename") {
      op->kind = OpKind::kProjectRename;
      do {
        NamedExpr n;
        n.name_spans.push_back(span_of(peek()));
        n.names.push_back(expect_name("the new column name"));
        expect("=", "in project-rename (new = old)");
        n.name_spans.push_back(span_of(peek()));
        std::string old = expect_name("the column to rename");
        op->renames.emplace_back(std::move(n), std::move(old));
      } while (accept(","));
    } else if (word == "extend") {
      op->kind = OpKind::kExtend;
      op->items = parse_named_list();
    } else if (word == "summarize") {
      op->kind = OpKind::kSummarize;
      std::string key, value;
      while (parse_option(key, value)) {
      }
      if (!peek().is("by")) op->items = parse_named_list();
      if (accept("by")) op->by = parse_named_list();
      if (op->items.empty() && op->by.empty()) fail_here("summarize needs aggregates or 'by'");
    } else if (word == "distinct") {
      op->kind = OpKind::kDistinct;
      if (accept("*")) {
        op->star = true;
      } else {
        op->by = parse_named_list();
      }
    } else if (word == "count") {
      op->kind = OpKind::kCount;
      if (accept("as")) op->name = expect_name("a column name after 'as'");
    } else if (word == "top") {
      op->kind = OpKind::kTop;
      op->predicate = parse_additive();
      expect("by", "after the row count of top");
      parse_sort_keys(*op);
    } else if (word == "top-nested") {
      op->kind = OpKind::kTopNested;
      --pos_;
      do {
        if (!peek().is("top-nested")) fail_here("expected 'top-nested'");
        next();
        op->nested.push_back(parse_top_nested_clause());
      } while (accept(","));
    } else if (word == "sort" || word == "order") {
      op->kind = OpKind::kSort;
      expect("by", "after '" + word + "'");
      parse_sort_keys(*op);
    } else if (word == "take" || word == "limit") {
      op->kind = OpKind::kTake;
      op->predicate = parse_additive();
    } else if (word == "sample") {
      op->kind = OpKind::kSample;
      op->predicate = parse_additive();
    } else if (word == "join" || word == "lookup") {
      op->kind = word == "join" ? OpKind::kJoin : OpKind::kLookup;
      op->name = word == "join" ? "innerunique" : "leftouter";
      std::string key, value;
      while (parse_option(key, value)) {
        if (key == "kind") op->name = value;
      }
      op->right = peek().is("(") ? parse_primary() : parse_postfix();
      expect("on", "after the right side of " + word);
      do {
        op->conditions.push_back(parse_comparison());
      } while (accept(",") || accept("and"));
    } else if (word == "union") {
      auto u = parse_union_body(op->span);
      return u;
    } else if (word == "mv-expand" || word == "mvexpand") {
      op->kind = OpKind::kMvExpand;
      op->name = "bag";
      std::string key, value;
      while (parse_option(key, value)) {
        if (key == "kind" || key == "bagexpansion") op->name = value;
        if (key == "with_itemindex") op->item_index = value;
      }
      parse_expand_items(*op);
      if (word == "mvexpand" && !op->limit) {
        auto l = make(ExprKind::kLiteral, op->span);
        l->value = Value::long_(128);
        op->limit = l;
      }
    } else if (word == "mv-apply") {
      op->kind = OpKind::kMvApply;
      std::string key, value;
      while (parse_option(key, value)) {
        if (key == "with_itemindex") op->item_index = value;
      }
      parse_expand_items(*op);
      expect("on", "after the mv-apply items");
      expect("(");
      std::size_t start = peek().offset;
      auto sub = make(ExprKind::kPipe, {start, 1});
      sub->args.push_back(nullptr);
      sub->ops.push_back(parse_operator());
      while (accept("|"))
        sub->ops.push_back(parse_operator());
      sub->span = span_from(start);
      expect(")");
      op->subquery = sub;
    } else if (word == "make-series") {
      parse_make_series(*op);
    } else if (word == "render") {
      op->kind = OpKind::kRender;
      if (peek().kind != TokenKind::kIdent) fail_here("expected a visualization kind");
      op->name = std::string(next().text);
      if (accept("with")) {
        expect("(");
        if (!peek().is(")")) {
          do {
            std::string key = expect_name("a render property");
            expect("=");
            std::string value;
            std::size_t start = peek().offset;
            while (!at_end() && !peek().is(")") &&
                   !(peek().is(",") && peek(1).kind == TokenKind::kIdent && peek(2).is("="))) {
              const Token& v = next();
              if (v.kind == TokenKind::kString) value += v.value;
            }
            if (value.empty()) {
              std::string raw(text_.substr(start, peek().offset - start));
              while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n'))
                raw.pop_back();
              value = raw;
            }
            op->properties.emplace_back(key, value);
          } while (accept(","));
        }
        expect(")");
      }
    } else if (word == "getschema") {
      op->kind = OpKind::kGetSchema;
    } else if (word == "as") {
      op->kind = OpKind::kAs;
      std::string key, value;
      while (parse_option(key, value)) {
      }
      op->name = expect_name("a name after 'as'");
    } else if (word == "serialize") {
      op->kind = OpKind::kSerialize;
      if (!at_end() && !peek().is("|") && !peek().is(";") && !peek().is(")")) {
        op->items = parse_named_list();
      }
    } else if (word == "invoke") {
      op->kind = OpKind::kInvoke;
      op->predicate = parse_postfix();
    } else {
      throw QueryError(ErrorKind::kSyntax,
                       "unknown tabular operator '" + word +
                           "' (where, project, extend, summarize, join, top, sort, take, ...)",
                       op->span.offset, op->span.length);
    }
    return op;
  }

  TopNestedClause parse_top_nested_clause() {
    TopNestedClause c;
    if (!peek().is("of")) c.count = parse_additive();
    expect("of", "in top-nested");
    c.of = parse_named();
    if (accept("with")) {
      expect("others");
      expect("=");
      c.others = parse_additive();
    }
    expect("by", "in top-nested");
    c.aggregate = parse_named();
    if (accept("asc")) {
      c.descending = false;
    } else {
      accept("desc");
    }
    return c;
  }

  void parse_expand_items(Operator& op) {
    do {
      MvExpandItem item;
      item.item = parse_named();
      if (accept("to")) {
        expect("typeof", "after 'to'");
        expect("(");
        item.to_type = parse_type_word();
        expect(")");
      }
      op.expand.push_back(std::move(item));
    } while (accept(","));
    if (accept("limit")) op.limit = parse_additive();
  }

  void parse_make_series(Operator& op) {
    op.kind = OpKind::kMakeSeries;
    std::string key, value;
    while (parse_option(key, value)) {
      if (key == "kind") op.nonempty = value == "nonempty";
    }
    do {
      op.items.push_back(parse_named());
      if (accept("default")) {
        expect("=");
        op.defaults.push_back(parse_unary());
      } else {
        op.defaults.push_back(nullptr);
      }
    } while (accept(","));
    expect("on", "in make-series");
    op.axis = parse_additive();
    if (accept("in")) {
      // on Axis in range(start, stop, step): stop inclusive
      expect("range");
      expect("(");
      op.from = parse_additive();
      expect(",");
      op.to = parse_additive();
      expect(",");
      op.step = parse_additive();
      expect(")");
      op.name = "range";
    } else {
      if (accept("from")) op.from = parse_additive();
      if (accept("to")) op.to = parse_additive();
      expect("step", "in make-series");
      op.step = parse_additive();
    }
    if (accept("by")) op.by = parse_named_list();
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

Query parse_query(std::string_view text) {
  return Parser(text).parse();
}

}  // namespace flowlens::query
