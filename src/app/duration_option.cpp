#include "app/duration_option.h"

#include <charconv>
#include <cstdint>

#include "query/lexer.h"

namespace flowlens {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return std::nullopt;
  // The units of KQL timespan literals (d, h, m, s, ms, and their long forms).
  std::int64_t per = query::timespan_unit_ticks(
      std::string_view(end, static_cast<std::size_t>(text.data() + text.size() - end)));
  if (per < kTicksPerMillisecond || value > INT64_MAX / per) return std::nullopt;
  return std::chrono::milliseconds(value * per / kTicksPerMillisecond);
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
