// Timestamps as flowlens stores them: a signed count of 100-nanosecond ticks since the Unix
// epoch, UTC. That is exactly the precision of a KQL `datetime` and of the 7-fractional-digit
// `time` field Azure writes into flow-log records, so nothing is rounded anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowlens {

using Ticks = std::int64_t;

inline constexpr Ticks kTicksPerMillisecond = 10'000;
inline constexpr Ticks kTicksPerSecond = 10'000'000;
inline constexpr Ticks kTicksPerMinute = 60 * kTicksPerSecond;
inline constexpr Ticks kTicksPerHour = 60 * kTicksPerMinute;
inline constexpr Ticks kTicksPerDay = 24 * kTicksPerHour;

// Largest instant flowlens accepts or prints: 9999-12-31T23:59:59.9999999Z (KQL's max).
inline constexpr Ticks kMaxTicks = 2534023007999999999;
// Smallest: 0001-01-01T00:00:00Z.
inline constexpr Ticks kMinTicks = -621355968000000000;

// Parses an ISO-8601 UTC instant: `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+hh:mm|-hh:mm)`.
// A space may replace `T`. Digits beyond the 7th fractional one are truncated (100 ns is the
// finest unit). Returns nullopt for anything else, including out-of-range fields.
std::optional<Ticks> parse_iso8601(std::string_view text);

// Writes `YYYY-MM-DDTHH:MM:SS.fffffffZ` (always 28 characters, 7 fractional digits, the
// round-trip form KQL prints) into `out`, which must hold kIso8601Length characters.
inline constexpr std::size_t kIso8601Length = 28;
void format_iso8601(Ticks ticks, char* out);
std::string format_iso8601(Ticks ticks);

// Parses the relaxed forms users type on command lines: an ISO-8601 instant, a date alone
// (`2026-11-01`, midnight UTC), or a date and time without zone (UTC assumed).
std::optional<Ticks> parse_user_time(std::string_view text);

// The current time (the system clock), in ticks.
Ticks now_ticks();

}  // namespace flowlens
