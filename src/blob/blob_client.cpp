#include "blob/blob_client.h"

#include <charconv>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "blob/blob_name.h"
#include "blob/curl_transport.h"
#include "blob/http_date.h"

namespace flowlens::blob {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc{} || result.ptr != end) return std::nullopt;
  return value;
}

// "bytes S-E/T" (E < S in Azurite's empty answer at the end) or "bytes */T".
struct ContentRange {
  bool has_range = false;
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // inclusive
  std::uint64_t total = 0;
};

std::optional<ContentRange> parse_content_range(std::string_view text) {
  if (text.rfind("bytes ", 0) != 0) return std::nullopt;
  text.remove_prefix(6);
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ContentRange out;
  const auto total = parse_u64(text.substr(slash + 1));
  if (!total) return std::nullopt;
  out.total = *total;
  const std::string_view range = text.substr(0, slash);
  if (range == "*") return out;
  const auto dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto start = parse_u64(range.substr(0, dash));
  const auto end = parse_u64(range.substr(dash + 1));
  if (!start || !end) return std::nullopt;
  out.has_range = true;
  out.start = *start;
  out.end = *end;
  return out;
}

std::string first_line(std::string_view text) {
  const auto nl = text.find_first_of("\r\n");
  return std::string(text.substr(0, nl));
}

std::string random_hex(std::size_t digits) {
  std::random_device device;
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < digits; ++i)
    out += kHex[device() % 16];
  return out;
}

}  // namespace

std::string_view to_string(RangeOutcome outcome) {
  switch (outcome) {
    case RangeOutcome::kData:
      return "data";
    case RangeOutcome::kChanged:
      return "changed";
    case RangeOutcome::kGone:
      return "gone";
    case RangeOutcome::kNotSatisfiable:
      return "not-satisfiable";
  }
  return "data";
}

struct BlobClient::Call {
  std::string operation;
  std::string method = "GET";
  std::string container;
  std::string blob;  // "" for container operations
  std::vector<QueryParam> query;
  std::vector<Header> headers;  // besides x-ms-date, x-ms-version, x-ms-client-request-id
  std::size_t max_body = 64u << 20;
  // For a 2xx answer: "" when it is consistent, else what is wrong (retried once, then a
  // kProtocol error).
  std::function<std::string(const HttpResponse&)> check;
  // Filled by execute(): when the last attempt was sent (for the clock-skew hint).
  std::chrono::system_clock::time_point sent_at{};
};

BlobClient::BlobClient(BlobSource source, ClientOptions options,
                       std::unique_ptr<HttpTransport> transport)
    : source_(std::move(source)), options_(std::move(options)), transport_(std::move(transport)) {
  if (source_.credentials.mode == AuthMode::kNone) {
    throw BlobConfigError("no credential for " + redacted(source_.endpoint.url()) +
                          ": give an account key or a SAS (flow-log containers are never public)");
  }
  if (source_.credentials.mode == AuthMode::kSharedKey && !source_.credentials.key) {
    throw BlobConfigError("SharedKey authentication without an account key");
  }
  if (!transport_) transport_ = make_curl_transport();
  if (!options_.sleep) {
    options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (!options_.jitter) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    options_.jitter = [engine] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  if (options_.client_request_id_prefix.empty()) {
    options_.client_request_id_prefix = "flowlens-" + random_hex(8);
  }
}

BlobClient::~BlobClient() = default;

void BlobClient::check_container(std::string_view container) const {
  if (!is_valid_container_name(container)) {
    throw BlobConfigError("'" + std::string(container) +
                          "' is not a container name (3-63 lower-case letters, digits and '-')");
  }
}

void BlobClient::check_blob(std::string_view container, std::string_view blob) const {
  check_container(container);
  if (!is_valid_blob_name(blob)) {
    throw BlobConfigError("a blob name must be 1 to 1024 characters");
  }
}

ErrorContext BlobClient::context(const Call& call, int attempts) const {
  ErrorContext c;
  c.operation = call.operation;
  c.account = source_.endpoint.account;
  c.container = call.container;
  c.blob = call.blob;
  c.api_version = options_.api_version;
  c.attempts = attempts;
  return c;
}

HttpResponse BlobClient::execute(Call& call) {
  const BlobEndpoint& ep = source_.endpoint;
  const std::string client_request_id =
      options_.client_request_id_prefix + "-" + std::to_string(++sequence_);

  std::string path = ep.base_path + "/" + call.container;
  if (!call.blob.empty()) path += "/" + encode_blob_path(call.blob);
  std::vector<QueryParam> query = call.query;
  if (options_.server_timeout_seconds > 0) {
    query.push_back({"timeout", std::to_string(options_.server_timeout_seconds)});
  }
  std::string query_string;
  for (const QueryParam& q : query) {
    if (!query_string.empty()) query_string += '&';
    query_string += q.name + "=" + encode_query_value(q.value);
  }
  if (source_.credentials.mode == AuthMode::kSas) {
    // The token is opaque: appended verbatim, never decoded or re-encoded, never signed.
    if (!query_string.empty()) query_string += '&';
    query_string += source_.credentials.sas;
  }
  HttpRequest request;
  request.method = call.method;
  request.url = ep.scheme + "://" + ep.authority + path;
  if (!query_string.empty()) request.url += "?" + query_string;
  request.connect_timeout = options_.connect_timeout;
  request.total_timeout = options_.request_timeout;
  request.max_body_bytes = call.max_body;

  const std::string target = call.container + (call.blob.empty() ? "" : "/" + call.blob);
  int protocol_retries = 1;
  for (int attempt = 1;; ++attempt) {
    call.sent_at = options_.clock();
    request.headers.clear();
    request.headers.push_back({"x-ms-date", format_http_date(call.sent_at)});
    request.headers.push_back({"x-ms-version", options_.api_version});
    request.headers.push_back({"x-ms-client-request-id", client_request_id});
    for (const Header& h : call.headers)
      request.headers.push_back(h);
    if (source_.credentials.mode == AuthMode::kSharedKey) {
      const std::string to_sign =
          string_to_sign(call.method, ep.account, path, query, request.headers);
      request.headers.push_back(
          {"Authorization",
           shared_key_authorization(ep.account, sign(*source_.credentials.key, to_sign))});
    }

    const auto started = std::chrono::steady_clock::now();
    HttpResponse response = transport_->send(request);
    if (options_.on_request) {
      RequestLog log;
      log.operation = call.operation;
      log.target = target;
      log.status = response.status;
      log.error_code = response.header("x-ms-error-code");
      log.transport_error = redacted(response.transport_error);
      log.request_id = response.header("x-ms-request-id");
      log.client_request_id = client_request_id;
      log.attempt = attempt;
      log.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      log.bytes = response.body.size();
      options_.on_request(log);
    }

    std::optional<std::chrono::milliseconds> hint;
    std::string protocol_problem;
    if (response.transport == TransportStatus::kFatal) {
      throw transport_error(context(call, attempt), response.transport_error, false,
                            redacted(ep.url()));
    }
    if (response.transport == TransportStatus::kOk) {
      if (is_retryable_status(response.status)) {
        hint = server_retry_hint(response.headers, options_.clock());
      } else {
        if (response.status >= 200 && response.status < 300 && call.check) {
          protocol_problem = call.check(response);
        }
        if (protocol_problem.empty()) return response;
        if (protocol_retries-- <= 0 || attempt > options_.retry.max_retries) {
          throw BlobError(
              BlobErrorKind::kProtocol, response.status, "", response.header("x-ms-request-id"),
              call.operation + " for " + target + ": inconsistent answer: " + protocol_problem +
                  " (after " + std::to_string(attempt) + " attempts)");
        }
      }
    }
    if (attempt > options_.retry.max_retries) {
      if (response.transport == TransportStatus::kRetryable) {
        throw transport_error(context(call, attempt), response.transport_error, true,
                              redacted(ep.url()));
      }
      fail(call, response, attempt);
    }
    options_.sleep(retry_delay(options_.retry, attempt, options_.jitter(), hint));
  }
}

void BlobClient::fail(const Call& call, const HttpResponse& response, int attempts) {
  ErrorContext c = context(call, attempts);
  std::string code = response.header("x-ms-error-code");
  const auto body_error = parse_error_body(response.body);
  if (code.empty() && body_error) code = body_error->code;
  if (body_error) c.service_message = first_line(body_error->message);
  if (const auto date = parse_http_date(response.header("date"))) {
    const auto skew = std::chrono::duration_cast<std::chrono::seconds>(*date - call.sent_at);
    c.clock_skew_seconds = static_cast<long>(skew.count() < 0 ? -skew.count() : skew.count());
  }
  throw http_error(c, response.status, code, response.header("x-ms-request-id"));
}

BlobListPage BlobClient::list_blobs(std::string_view container, std::string_view prefix,
                                    std::string_view marker, int max_results,
                                    std::string_view delimiter) {
  check_container(container);
  if (max_results < 0) throw BlobConfigError("max_results must not be negative");
  Call call;
  call.operation = "List Blobs";
  call.container = std::string(container);
  call.query = {{"restype", "container"}, {"comp", "list"}};
  if (!prefix.empty()) call.query.push_back({"prefix", std::string(prefix)});
  if (!delimiter.empty()) call.query.push_back({"delimiter", std::string(delimiter)});
  if (!marker.empty()) call.query.push_back({"marker", std::string(marker)});
  if (max_results > 0) call.query.push_back({"maxresults", std::to_string(max_results)});
  call.check = [](const HttpResponse& r) -> std::string {
    try {
      parse_list_blobs(r.body);
      return {};
    } catch (const BlobXmlError& e) {
      return e.what();
    }
  };
  const HttpResponse response = execute(call);
  if (response.status != 200) fail(call, response, 1);
  return parse_list_blobs(response.body);
}

std::vector<BlobItem> BlobClient::list_all(std::string_view container, std::string_view prefix,
                                           int page_size) {
  std::vector<BlobItem> out;
  std::string marker;
  do {
    BlobListPage page = list_blobs(container, prefix, marker, page_size);
    for (BlobItem& item : page.blobs)
      out.push_back(std::move(item));
    if (!page.next_marker.empty() && page.next_marker == marker) {
      throw BlobError(BlobErrorKind::kProtocol, 200, "", "",
                      "List Blobs for container '" + std::string(container) +
                          "': the service returned the same NextMarker twice");
    }
    marker = std::move(page.next_marker);
  } while (!marker.empty());
  return out;
}

BlockListResult BlobClient::get_block_list(std::string_view container, std::string_view blob) {
  check_blob(container, blob);
  Call call;
  call.operation = "Get Block List";
  call.container = std::string(container);
  call.blob = std::string(blob);
  call.query = {{"comp", "blocklist"}, {"blocklisttype", "committed"}};
  call.check = [](const HttpResponse& r) -> std::string {
    std::vector<Block> blocks;
    try {
      blocks = parse_block_list(r.body);
    } catch (const BlobXmlError& e) {
      return e.what();
    }
    const auto length = parse_u64(r.header("x-ms-blob-content-length"));
    if (!length) return "no numeric x-ms-blob-content-length header";
    std::uint64_t sum = 0;
    for (const Block& b : blocks)
      sum += b.size;
    if (!blocks.empty() && sum != *length) {
      return "block sizes add up to " + std::to_string(sum) + " but the blob has " +
             std::to_string(*length) + " bytes";
    }
    return {};
  };
  const HttpResponse response = execute(call);
  if (response.status != 200) fail(call, response, 1);
  BlockListResult out;
  out.blocks = parse_block_list(response.body);
  const std::string etag = response.header("etag");
  if (!etag.empty()) out.etag = quoted_etag(etag);
  out.content_length = parse_u64(response.header("x-ms-blob-content-length")).value_or(0);
  out.last_modified = response.header("last-modified");
  return out;
}

RangeResult BlobClient::get_range(std::string_view container, std::string_view blob,
                                  std::uint64_t offset, std::uint64_t length,
                                  std::string_view if_match_etag) {
  check_blob(container, blob);
  if (length == 0) throw BlobConfigError("get_range needs a length above 0 (no empty ranges)");
  const std::uint64_t last = offset + length - 1;
  const std::string pinned = if_match_etag.empty() ? std::string() : quoted_etag(if_match_etag);
  Call call;
  call.operation = "Get Blob";
  call.container = std::string(container);
  call.blob = std::string(blob);
  call.headers.push_back(
      {"x-ms-range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)});
  if (!pinned.empty()) call.headers.push_back({"If-Match", pinned});
  // Room for the range, or for an error body (412, 404, ...) that is longer than a short range.
  call.max_body =
      static_cast<std::size_t>(std::min<std::uint64_t>(length, 1ULL << 40)) + (64u << 10);
  call.check = [&](const HttpResponse& r) -> std::string {
    if (r.status == 200) return {};  // the range was ignored: the whole blob (checked below)
    if (r.status != 206) return "status " + std::to_string(r.status) + " for a ranged read";
    if (!pinned.empty() && r.has_header("etag") && quoted_etag(r.header("etag")) != pinned) {
      return "the ETag of the answer is not the one asked for";
    }
    const auto range = parse_content_range(r.header("content-range"));
    if (!range || !range->has_range) return "no usable Content-Range";
    if (range->end < range->start) return r.body.empty() ? "" : "a body for an empty range";
    if (range->start != offset) return "Content-Range starts at " + std::to_string(range->start);
    if (range->end > last) return "Content-Range ends past the range asked for";
    if (r.body.size() != range->end - range->start + 1) return "a body shorter than its range";
    return {};
  };
  const HttpResponse response = execute(call);

  RangeResult out;
  out.status = response.status;
  if (response.status == 412) {
    out.outcome = RangeOutcome::kChanged;
    return out;
  }
  if (response.status == 416) {
    out.outcome = RangeOutcome::kNotSatisfiable;
    if (const auto range = parse_content_range(response.header("content-range"))) {
      out.total_length = range->total;
    }
    return out;
  }
  if (response.status == 404) {
    std::string code = response.header("x-ms-error-code");
    if (code.empty()) {
      if (const auto e = parse_error_body(response.body)) code = e->code;
    }
    if (code == "BlobNotFound") {
      out.outcome = RangeOutcome::kGone;
      return out;
    }
    fail(call, response, 1);
  }
  if (response.status != 206 && response.status != 200) fail(call, response, 1);

  if (const std::string etag = response.header("etag"); !etag.empty()) {
    out.etag = quoted_etag(etag);
  }
  if (response.status == 200) {  // whole blob: cut the range out of it
    out.total_length = response.body.size();
    if (offset >= response.body.size()) {
      out.outcome = RangeOutcome::kNotSatisfiable;
      return out;
    }
    out.data =
        response.body.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    return out;
  }
  const auto range = parse_content_range(response.header("content-range"));
  out.total_length = range ? range->total : 0;
  if (range && range->end < range->start) {  // Azurite: 206, empty, "bytes T-(T-1)/T"
    out.outcome = RangeOutcome::kNotSatisfiable;
    return out;
  }
  out.data = response.body;
  return out;
}

BlobProperties BlobClient::get_properties(std::string_view container, std::string_view blob) {
  check_blob(container, blob);
  Call call;
  call.operation = "Get Blob Properties";
  call.method = "HEAD";
  call.container = std::string(container);
  call.blob = std::string(blob);
  call.check = [](const HttpResponse& r) -> std::string {
    if (!parse_u64(r.header("content-length"))) return "no numeric Content-Length header";
    return {};
  };
  const HttpResponse response = execute(call);
  if (response.status != 200) fail(call, response, 1);
  BlobProperties out;
  if (const std::string etag = response.header("etag"); !etag.empty()) {
    out.etag = quoted_etag(etag);
  }
  out.content_length = parse_u64(response.header("content-length")).value_or(0);
  out.blob_type = response.header("x-ms-blob-type");
  out.last_modified = response.header("last-modified");
  out.creation_time = response.header("x-ms-creation-time");
  return out;
}

}  // namespace flowlens::blob
