// A read-only Azure Blob Storage client for following flow-log blobs (blob-rest.md §3-§6).
//
// Operations: List Blobs (one page, or all pages), Get Block List (committed), a ranged Get
// Blob pinned to an ETag, and Get Blob Properties. Every request carries x-ms-date (fresh per
// attempt), x-ms-version, x-ms-client-request-id (one per logical operation, the same across
// its retries) and exactly one credential: an `Authorization: SharedKey` header, or the SAS
// token appended verbatim to the query. Transient failures are retried per blob_retry.h with
// the injectable sleep; everything else surfaces as a BlobError (blob_error.h) whose message
// says what to do and never holds a secret. The normal outcomes of following a growing blob
// (changed since the block list, deleted, range past the end) are results, not exceptions.
//
// A client is not thread-safe: use one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob_endpoint.h"
#include "blob/blob_error.h"
#include "blob/blob_retry.h"
#include "blob/blob_xml.h"
#include "blob/http_transport.h"

namespace flowlens::blob {

// The x-ms-version sent by default (§2.7): past every milestone the reader needs, and accepted
// by every Azurite in use.
inline constexpr std::string_view kDefaultApiVersion = "2021-08-06";

// One line per attempt, for diagnostics. Holds no secret: `target` is container/blob, never a
// URL with its query.
struct RequestLog {
  std::string operation;
  std::string target;
  long status = 0;  // 0: no HTTP answer
  std::string error_code;
  std::string transport_error;
  std::string request_id;         // x-ms-request-id
  std::string client_request_id;  // x-ms-client-request-id sent
  int attempt = 1;
  std::chrono::milliseconds latency{0};
  std::size_t bytes = 0;
};

struct ClientOptions {
  std::string api_version = std::string(kDefaultApiVersion);
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{45'000};  // whole request, client side
  int server_timeout_seconds = 30;                    // the `timeout` query parameter; 0: not sent
  RetryPolicy retry;
  // Waits between attempts (default: std::this_thread::sleep_for). Tests record instead.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Uniform in [0, 1), picks the jitter (default: a PRNG seeded from std::random_device).
  std::function<double()> jitter;
  // The time put in x-ms-date (default: system_clock::now).
  std::function<std::chrono::system_clock::time_point()> clock;
  // Called after every attempt (optional).
  std::function<void(const RequestLog&)> on_request;
  // Prefix of x-ms-client-request-id; default "flowlens-<8 random hex digits>".
  std::string client_request_id_prefix;
};

struct BlockListResult {
  std::vector<Block> blocks;         // committed, in blob order
  std::string etag;                  // quoted; "" when the blob has no committed blocks
  std::uint64_t content_length = 0;  // x-ms-blob-content-length (the committed size)
  std::string last_modified;         // RFC 1123 text, "" when absent
};

enum class RangeOutcome {
  kData,            // `data` holds the bytes [offset, offset + data.size())
  kChanged,         // 412: the blob was committed again since `if_match`; re-read the block list
  kGone,            // 404 BlobNotFound: the blob was deleted
  kNotSatisfiable,  // 416, or Azurite's empty 206: the range starts at or past the end
};

struct RangeResult {
  RangeOutcome outcome = RangeOutcome::kData;
  long status = 0;
  std::string data;
  std::string etag;                // quoted ETag of the version read (kData)
  std::uint64_t total_length = 0;  // the blob's size from Content-Range, 0 when unknown
};

struct BlobProperties {
  std::string etag;  // quoted
  std::uint64_t content_length = 0;
  std::string blob_type;  // x-ms-blob-type
  std::string last_modified;
  std::string creation_time;  // x-ms-creation-time
};

std::string_view to_string(RangeOutcome outcome);

class BlobClient {
 public:
  // Throws BlobConfigError when `source` has no credential. `transport` defaults to libcurl.
  explicit BlobClient(BlobSource source, ClientOptions options = {},
                      std::unique_ptr<HttpTransport> transport = nullptr);
  ~BlobClient();
  BlobClient(const BlobClient&) = delete;
  BlobClient& operator=(const BlobClient&) = delete;

  const BlobEndpoint& endpoint() const { return source_.endpoint; }

  // One page of `container`'s blobs whose names start with `prefix`, from `marker` (the previous
  // page's next_marker, "" for the first). `max_results` 0 leaves the page size to the service
  // (5000). A page may be short, even empty, and still have a next_marker. With a `delimiter`,
  // names are grouped into `prefixes`.
  BlobListPage list_blobs(std::string_view container, std::string_view prefix = {},
                          std::string_view marker = {}, int max_results = 0,
                          std::string_view delimiter = {});

  // Every blob under `prefix`, following next_marker until it is empty (`page_size` 0: the
  // service's default). Takes no filtering decision: callers keep BlockBlob `.../PT1H.json`.
  std::vector<BlobItem> list_all(std::string_view container, std::string_view prefix = {},
                                 int page_size = 0);

  // The committed block list, with the ETag and committed length it belongs to. Throws
  // BlobError (kBlobNotFound when the blob is gone). A sum of block sizes that differs from the
  // length (when there are blocks) is retried once, then a kProtocol error.
  BlockListResult get_block_list(std::string_view container, std::string_view blob);

  // The bytes [offset, offset + length) of `blob`, sent as x-ms-range, pinned with If-Match to
  // `if_match_etag` when it is not empty (quoted or not). `length` must be > 0. A 206 is
  // checked (ETag, Content-Range start, body length) and retried once when inconsistent.
  RangeResult get_range(std::string_view container, std::string_view blob, std::uint64_t offset,
                        std::uint64_t length, std::string_view if_match_etag = {});

  // Get Blob Properties (HEAD). Throws BlobError (kBlobNotFound when the blob is gone).
  BlobProperties get_properties(std::string_view container, std::string_view blob);

 private:
  struct Call;
  HttpResponse execute(Call& call);
  [[noreturn]] void fail(const Call& call, const HttpResponse& response, int attempts);
  ErrorContext context(const Call& call, int attempts) const;
  void check_container(std::string_view container) const;
  void check_blob(std::string_view container, std::string_view blob) const;

  BlobSource source_;
  ClientOptions options_;
  std::unique_ptr<HttpTransport> transport_;
  std::uint64_t sequence_ = 0;
};

}  // namespace flowlens::blob
