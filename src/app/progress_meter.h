// A one-line progress display on stderr for long runs: items, bytes, rates and ETA. It only
// draws on a terminal; when stderr is redirected it stays silent so logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace flowlens {

class ProgressMeter {
 public:
  // `unit` names the counted items ("tuples"); `total_bytes` enables the ETA.
  ProgressMeter(bool enabled, std::string verb, std::string unit,
                std::optional<std::uint64_t> total_bytes, std::uint64_t total_files);
  ~ProgressMeter();

  // Redraws at most a few times per second; cheap to call often.
  void update(std::uint64_t files_done, std::uint64_t bytes_done, std::uint64_t items_done);
  // Erases the line.
  void finish();

  // True when stderr is a terminal.
  static bool stderr_is_terminal();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string verb_;
  std::string unit_;
  std::optional<std::uint64_t> total_bytes_;
  std::uint64_t total_files_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace flowlens
