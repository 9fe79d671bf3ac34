// HttpTransport over libcurl (blob-rest.md §2.9): HTTP/1.1 only, no redirects, TLS peer and host
// verification on, the caller's headers only (libcurl's own Accept is unsigned and harmless;
// an empty Expect suppresses 100-continue), connect and total timeouts, a 1 byte/s low-speed
// floor over 30 s. One easy handle is kept for connection reuse and reset before every request,
// so no option leaks from one request to the next. Not thread-safe: one transport per thread.
#pragma once

#include <memory>

#include "blob/http_transport.h"

namespace flowlens::blob {

std::unique_ptr<HttpTransport> make_curl_transport();

}  // namespace flowlens::blob
