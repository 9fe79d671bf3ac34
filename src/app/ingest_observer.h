// What `ingest` and `watch` show while the ingest job runs: rejections through the ErrorReport,
// notices on stderr, the progress line.
#pragma once

#include <fmt/format.h>

#include "app/error_report.h"
#include "app/progress_meter.h"
#include "ingest/ingest_job.h"

namespace flowlens {

class CommandObserver final : public ingest::IngestObserver {
 public:
  CommandObserver(ErrorReport& errors, ProgressMeter& progress, bool quiet)
      : errors_(errors), progress_(progress), quiet_(quiet) {}
  void on_error(const ParseError& error) override { errors_.add(error); }
  void on_notice(const std::string& message) override {
    if (!quiet_) fmt::print(stderr, "flowlens: {}\n", message);
  }
  void on_progress(std::uint64_t inputs, std::uint64_t bytes, std::uint64_t tuples) override {
    progress_.update(inputs, bytes, tuples);
  }

 private:
  ErrorReport& errors_;
  ProgressMeter& progress_;
  bool quiet_;
};

}  // namespace flowlens
