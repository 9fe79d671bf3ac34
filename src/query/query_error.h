// QueryError: every failure of a query, from a bad character to a memory cap, with the place in
// the query text it concerns (byte offset; npos when it concerns no place) so the CLI can print
// line:column and a caret.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace flowlens::query {

enum class ErrorKind {
  kSyntax,    // lexer and parser
  kSemantic,  // binder: unknown names, wrong types, bad arguments
  kRuntime,   // execution: memory cap, timeout, cancellation, damaged store
};

class QueryError : public std::runtime_error {
 public:
  static constexpr std::size_t kNoPosition = static_cast<std::size_t>(-1);
  QueryError(ErrorKind kind, std::string message, std::size_t offset = kNoPosition,
             std::size_t length = 1)
      : std::runtime_error(message), kind_(kind), offset_(offset), length_(length) {}
  ErrorKind kind() const { return kind_; }
  std::size_t offset() const { return offset_; }  // byte offset into the query text
  std::size_t length() const { return length_; }  // bytes the caret should underline

 private:
  ErrorKind kind_;
  std::size_t offset_;
  std::size_t length_;
};

}  // namespace flowlens::query
