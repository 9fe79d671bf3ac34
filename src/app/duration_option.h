// Durations typed on command lines: a whole number and a KQL timespan unit, `500ms`, `30s`,
// `2m`, `1h`, `7d` (units below a millisecond are refused).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/timestamp.h"

namespace flowlens {

// nullopt for anything else (no unit, a negative or fractional number, an overflow).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// A time as `parse_user_time` takes it, or a duration before now (`24h`: a day ago).
std::optional<Ticks> parse_time_or_ago(std::string_view text);

}  // namespace flowlens
