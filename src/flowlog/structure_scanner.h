// StructureScanner: finds where a JSON value that starts with '{' or '[' ends, without parsing
// it. It tracks string state (with escapes) and the stack of open brackets, so it can resume
// after any byte when more input arrives, and it notices brackets that do not match.
//
// This is how the splitter cuts records out of a stream in one pass at memory speed; the
// records themselves are validated afterwards by simdjson.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace flowlens {

class StructureScanner {
 public:
  static constexpr int kMaxDepth = 64;  // flow-log records nest 6 levels deep

  enum class Result : std::uint8_t {
    kNeedMore,  // consumed every byte given; the value continues
    kComplete,  // `pos` is one past the byte that closed the outermost bracket
    kMismatch,  // a closing bracket did not match the open one; `pos` is one past it
    kTooDeep,   // nesting beyond kMaxDepth; `pos` is one past the opening bracket
  };

  void reset() {
    depth_ = 0;
    in_string_ = false;
    escape_pending_ = false;
    saw_backslash_ = false;
  }
  // Continues inside an object whose '{' was consumed elsewhere (the envelope).
  void enter_object() {
    reset();
    stack_[0] = '{';
    depth_ = 1;
  }
  // Scans data[pos, end). The first structural byte seen after reset() must be the value's
  // opening bracket. Bytes past `end` are never read.
  Result scan(const char* data, std::size_t& pos, std::size_t end);

  // True when a backslash occurred in the bytes scanned since reset(): only then can a string
  // of the value contain escapes.
  bool saw_backslash() const { return saw_backslash_; }

 private:
  Result bracket(char c);
  Result scan_scalar(const char* data, std::size_t& pos, std::size_t limit);

  int depth_ = 0;
  bool in_string_ = false;
  bool escape_pending_ = false;
  bool saw_backslash_ = false;
  std::array<char, kMaxDepth> stack_{};
};

}  // namespace flowlens
