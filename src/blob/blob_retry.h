// When and how long to wait before retrying a request (blob-rest.md §6.2, §6.3).
//
// Every reader operation is an idempotent GET or HEAD, so every transient failure may be
// retried: statuses 408, 429, 500, 502, 503, 504 and transport errors (connect, reset, timeout,
// empty reply, partial body). Other statuses are final. The delay before retry n (1-based) is
// min(cap, base * 2^(n-1)) * jitter with jitter uniform in [0.8, 1.3), and never shorter than a
// server hint (Retry-After in seconds or as an HTTP date, retry-after-ms, x-ms-retry-after-ms).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "blob/shared_key.h"

namespace flowlens::blob {

struct RetryPolicy {
  int max_retries = 4;  // retries after the first attempt (so at most 5 attempts)
  std::chrono::milliseconds base_delay{800};
  std::chrono::milliseconds max_delay{60'000};
};

// The longest server hint honoured: a larger one is cut to this (a wrong clock or a proxy must
// not stall a reader for hours).
inline constexpr std::chrono::milliseconds kMaxServerHint{300'000};

// True for 408, 429, 500, 502, 503 and 504.
bool is_retryable_status(long status);

// The backoff before retry `retry` (1-based), `unit` uniform in [0, 1) choosing the jitter.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit);

// A Retry-After value: delta-seconds ("120") or an HTTP date (relative to `now`; a date in the
// past gives 0). nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The server's hint among the response headers (names compared case-insensitively):
// retry-after-ms or x-ms-retry-after-ms (milliseconds), else Retry-After. Capped at
// kMaxServerHint. nullopt when there is none.
std::optional<std::chrono::milliseconds> server_retry_hint(
    const std::vector<Header>& headers, std::chrono::system_clock::time_point now);

// The wait before retry `retry`: the backoff, or the server hint when that is longer.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int retry, double unit,
                                      std::optional<std::chrono::milliseconds> hint);

}  // namespace flowlens::blob
