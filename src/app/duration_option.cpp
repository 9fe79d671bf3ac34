#include "app/duration_option.h"

#include <charconv>
#include <cstdint>

namespace flowlens {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return std::nullopt;
  }
  if (value > INT64_MAX / scale) return std::nullopt;
  return std::chrono::milliseconds(value * scale);
}

std::optional<Ticks> parse_time_or_ago(std::string_view text) {
  if (auto ago = parse_duration(text)) {
    // At most 1000 years: the subtraction below stays far inside the range of Ticks.
    if (ago->count() > 1000LL * 366 * 86'400'000) return std::nullopt;
    return now_ticks() - static_cast<Ticks>(ago->count()) * kTicksPerMillisecond;
  }
  return parse_user_time(text);
}

}  // namespace flowlens
