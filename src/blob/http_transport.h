// The HTTP exchange under the blob client: one request out, one answer back, no retries, no
// interpretation of statuses. The client builds every header itself (so the signed headers are
// exactly the sent ones); a transport adds none that is signed. Tests substitute a scripted
// transport; production uses make_curl_transport() (curl_transport.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "blob/shared_key.h"

namespace flowlens::blob {

struct HttpRequest {
  std::string method;  // "GET" or "HEAD" (the client is read-only)
  std::string url;     // complete, may hold a SAS: pass it through redacted() before logging
  std::vector<Header> headers;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{45'000};
  std::size_t max_body_bytes = 64u << 20;  // a larger answer is a transport failure
};

enum class TransportStatus {
  kOk,         // an HTTP answer arrived (any status)
  kRetryable,  // connect/resolve failure, reset, timeout, empty reply, partial body
  kFatal,      // retrying cannot help (bad URL, TLS verification failure, oversized answer)
};

struct HttpResponse {
  TransportStatus transport = TransportStatus::kOk;
  std::string transport_error;  // what failed, when transport != kOk
  long status = 0;
  std::vector<Header> headers;  // names lower-cased, in arrival order
  std::string body;

  // The value of the first header named `lower_name`, "" when absent.
  std::string header(std::string_view lower_name) const;
  bool has_header(std::string_view lower_name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

}  // namespace flowlens::blob
