#include "app/progress_meter.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace flowlens {
namespace {

std::string short_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}

std::string short_count(double n) {
  if (n >= 1e9) return fmt::format("{:.1f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

}  // namespace

bool ProgressMeter::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

ProgressMeter::ProgressMeter(bool enabled, std::string verb, std::string unit,
                             std::optional<std::uint64_t> total_bytes, std::uint64_t total_files)
    : enabled_(enabled),
      verb_(std::move(verb)),
      unit_(std::move(unit)),
      total_bytes_(total_bytes),
      total_files_(total_files),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressMeter::~ProgressMeter() {
  finish();
}

void ProgressMeter::update(std::uint64_t files_done, std::uint64_t bytes_done,
                           std::uint64_t items_done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  if (seconds < 0.3) return;  // short runs never flash a progress line
  std::string line = fmt::format("{} {}/{} files  {}", verb_, files_done, total_files_,
                                 short_bytes(static_cast<double>(bytes_done)));
  if (total_bytes_) line += fmt::format("/{}", short_bytes(static_cast<double>(*total_bytes_)));
  line += fmt::format("  {}/s  {} {}/s", short_bytes(static_cast<double>(bytes_done) / seconds),
                      short_count(static_cast<double>(items_done) / seconds), unit_);
  if (total_bytes_ && bytes_done > 0 && *total_bytes_ > bytes_done) {
    double rate = static_cast<double>(bytes_done) / seconds;
    auto eta = static_cast<long>(static_cast<double>(*total_bytes_ - bytes_done) / rate);
    line += fmt::format("  ETA {}:{:02d}", eta / 60, eta % 60);
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressMeter::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace flowlens
