// HTTP dates (RFC 1123, always GMT): the x-ms-date request header, and the Date and Retry-After
// response headers (blob-rest.md §2.6, §6.3).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace flowlens::blob {

// `Fri, 14 Mar 2025 09:05:00 GMT`: English names from fixed tables (never the user's locale),
// two-digit day, seconds precision (the fraction is dropped).
std::string format_http_date(std::chrono::system_clock::time_point when);

// Parses the RFC 1123 form above (the only form the service sends). Returns nullopt for any
// other text, including a zone other than GMT/UTC.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace flowlens::blob
