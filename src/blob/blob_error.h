// What went wrong with a blob request, in terms a user can act on (blob-rest.md §6.1, §6.2).
//
// A BlobError carries the HTTP status (0 for transport failures), the service's error code
// (from x-ms-error-code, else the <Code> of the body), the service request id, and a message
// that names the operation and the target and says what to do. Messages never contain a key or
// a SAS signature: they are passed through redacted() when built.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace flowlens::blob {

enum class BlobErrorKind {
  kAuthentication,     // 401/403 the credential was refused (bad key, bad/expired SAS, skew)
  kPermission,         // 403 the credential lacks a right (SAS permissions, resource types...)
  kContainerNotFound,  // 404 ContainerNotFound / ResourceNotFound
  kBlobNotFound,       // 404 BlobNotFound (deleted by retention, never committed)
  kBadRequest,         // 400 (e.g. an API version the service does not accept)
  kConflict,           // 409 (archived blob, not a block blob)
  kTransient,          // retryable statuses or transport errors, retries exhausted
  kTransport,          // a transport failure that retrying cannot fix (TLS verification...)
  kProtocol,           // an answer that does not make sense (bad XML, wrong Content-Range)
  kOther,              // any other status
};

std::string_view to_string(BlobErrorKind kind);

class BlobError : public std::runtime_error {
 public:
  BlobError(BlobErrorKind kind, long status, std::string code, std::string request_id,
            const std::string& message);

  BlobErrorKind kind() const { return kind_; }
  long status() const { return status_; }                        // 0: no HTTP answer
  const std::string& code() const { return code_; }              // "" when the service gave none
  const std::string& request_id() const { return request_id_; }  // x-ms-request-id, or ""

 private:
  BlobErrorKind kind_;
  long status_;
  std::string code_;
  std::string request_id_;
};

// What the failed request was about, for the message.
struct ErrorContext {
  std::string operation;  // "List Blobs", "Get Block List", "Get Blob", "Get Blob Properties"
  std::string account;
  std::string container;
  std::string blob;             // "" for container operations
  std::string api_version;      // the x-ms-version sent
  std::string service_message;  // first line of the service's <Message>, if any
  int attempts = 1;             // attempts made (retries exhausted when > 1)
  long clock_skew_seconds = 0;  // |response Date - our x-ms-date| when known, else 0
};

// The BlobError for an HTTP error answer `status` with service `code`.
BlobError http_error(const ErrorContext& context, long status, const std::string& code,
                     const std::string& request_id);

// The BlobError for a transport failure (`retryable`: it was retried until the budget ran out).
BlobError transport_error(const ErrorContext& context, const std::string& detail, bool retryable,
                          const std::string& endpoint);

}  // namespace flowlens::blob
