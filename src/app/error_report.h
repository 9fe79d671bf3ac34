// Reporting rejected input from a run: a bounded number of readable lines on stderr (a flood of
// errors must not bury the terminal) and, optionally, every error as NDJSON in a file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "flowlog/parse_error.h"

namespace flowlens {

class ErrorReport {
 public:
  // `max_lines`: stderr lines before the rest are only counted. `errors_path`: "" for none.
  ErrorReport(std::size_t max_lines, const std::string& errors_path);
  ~ErrorReport();
  ErrorReport(const ErrorReport&) = delete;
  ErrorReport& operator=(const ErrorReport&) = delete;

  void add(const ParseError& error);
  // Prints the closing line about errors not shown; returns false if the errors file failed.
  bool finish();
  std::uint64_t count() const { return count_; }

 private:
  std::size_t max_lines_;
  std::uint64_t count_ = 0;
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace flowlens
