#include "blob/blob_retry.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "blob/http_date.h"

namespace flowlens::blob {
namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

std::optional<long long> parse_count(std::string_view text) {
  text = trim(text);
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc{} || result.ptr != end || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit) {
  const int exponent = std::clamp(retry - 1, 0, 30);
  const double raw =
      static_cast<double>(policy.base_delay.count()) * static_cast<double>(1LL << exponent);
  const double capped = std::min(raw, static_cast<double>(policy.max_delay.count()));
  const double jitter = 0.8 + 0.5 * std::clamp(unit, 0.0, 0.999999);
  return std::chrono::milliseconds(static_cast<long long>(capped * jitter));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (const auto seconds = parse_count(value)) {
    if (*seconds > kMaxServerHint.count() / 1000) return kMaxServerHint;
    return std::chrono::milliseconds(*seconds * 1000);
  }
  if (const auto when = parse_http_date(value)) {
    if (*when <= now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(*when - now);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> server_retry_hint(
    const std::vector<Header>& headers, std::chrono::system_clock::time_point now) {
  std::optional<std::chrono::milliseconds> hint;
  for (const Header& h : headers) {
    if (equals_ignore_case(h.name, "retry-after-ms") ||
        equals_ignore_case(h.name, "x-ms-retry-after-ms")) {
      if (const auto ms = parse_count(h.value)) {
        hint = std::chrono::milliseconds(std::min<long long>(*ms, kMaxServerHint.count()));
        return hint;
      }
    }
  }
  for (const Header& h : headers) {
    if (equals_ignore_case(h.name, "retry-after")) {
      hint = parse_retry_after(h.value, now);
      if (hint) return std::min(*hint, kMaxServerHint);
    }
  }
  return std::nullopt;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int retry, double unit,
                                      std::optional<std::chrono::milliseconds> hint) {
  const auto backoff = backoff_delay(policy, retry, unit);
  return hint && *hint > backoff ? *hint : backoff;
}

}  // namespace flowlens::blob
