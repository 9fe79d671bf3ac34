#include "blob/blob_error.h"

#include "blob/blob_endpoint.h"

namespace flowlens::blob {
namespace {

std::string target(const ErrorContext& c) {
  std::string out = "container '" + c.container + "'";
  if (!c.blob.empty()) out = "blob '" + c.blob + "' in " + out;
  return out + " of account '" + c.account + "'";
}

std::string head(const ErrorContext& c, long status, const std::string& code) {
  std::string out = c.operation + " for " + target(c) + " failed: HTTP " + std::to_string(status);
  if (!code.empty()) out += " " + code;
  return out;
}

}  // namespace

std::string_view to_string(BlobErrorKind kind) {
  switch (kind) {
    case BlobErrorKind::kAuthentication:
      return "authentication";
    case BlobErrorKind::kPermission:
      return "permission";
    case BlobErrorKind::kContainerNotFound:
      return "container-not-found";
    case BlobErrorKind::kBlobNotFound:
      return "blob-not-found";
    case BlobErrorKind::kBadRequest:
      return "bad-request";
    case BlobErrorKind::kConflict:
      return "conflict";
    case BlobErrorKind::kTransient:
      return "transient";
    case BlobErrorKind::kTransport:
      return "transport";
    case BlobErrorKind::kProtocol:
      return "protocol";
    case BlobErrorKind::kOther:
      return "other";
  }
  return "other";
}

BlobError::BlobError(BlobErrorKind kind, long status, std::string code, std::string request_id,
                     const std::string& message)
    : std::runtime_error(redacted(message)),
      kind_(kind),
      status_(status),
      code_(std::move(code)),
      request_id_(std::move(request_id)) {}

BlobError http_error(const ErrorContext& c, long status, const std::string& code,
                     const std::string& request_id) {
  BlobErrorKind kind = BlobErrorKind::kOther;
  std::string advice;
  if (status == 401 || (status == 403 && (code == "AuthenticationFailed" ||
                                          code == "AuthorizationFailure" || code.empty()))) {
    kind = BlobErrorKind::kAuthentication;
    advice =
        "the service refused the credential: check the account key or SAS (complete, not "
        "expired, for this account)";
    if (code == "AuthorizationFailure") {
      advice += "; on Azure this code also means a firewall or network rule blocks this client";
    }
    if (c.clock_skew_seconds > 15 * 60) {
      advice += "; this machine's clock is " + std::to_string(c.clock_skew_seconds / 60) +
                " minutes off the service's: fix the clock";
    }
  } else if (status == 403) {
    kind = BlobErrorKind::kPermission;
    if (code == "AuthorizationPermissionMismatch") {
      advice =
          "the credential lacks a permission: reading flow logs needs read (r) and list (l), "
          "or the Storage Blob Data Reader role";
    } else if (code == "AuthorizationResourceTypeMismatch") {
      advice = "the account SAS must cover containers and objects (srt=co)";
    } else if (code == "AuthorizationServiceMismatch") {
      advice = "the account SAS must include the blob service (ss=b)";
    } else if (code == "AuthorizationProtocolMismatch") {
      advice =
          "the SAS does not allow this protocol (spr): use https, or mint it with "
          "spr=https,http for a plain-http endpoint";
    } else if (code == "AuthorizationSourceIPMismatch") {
      advice = "the SAS is restricted to other client addresses (sip)";
    } else if (code == "KeyBasedAuthenticationNotPermitted") {
      advice =
          "the account does not allow account keys or key-signed SAS: use a user "
          "delegation SAS";
    } else {
      advice = "the credential is not allowed to do this: check its permissions";
    }
  } else if (status == 404 && code == "BlobNotFound") {
    kind = BlobErrorKind::kBlobNotFound;
    advice = "the blob does not exist (deleted, e.g. by retention, or never committed)";
  } else if (status == 404 && (code == "ContainerNotFound" || c.blob.empty())) {
    kind = BlobErrorKind::kContainerNotFound;
    advice = "no container named '" + c.container + "' in account '" + c.account +
             "': check the container name (VNet flow logs: insights-logs-flowlogflowevent)";
  } else if (status == 404) {
    kind = BlobErrorKind::kContainerNotFound;
    advice =
        "the endpoint, account or container does not exist: check the endpoint URL and the "
        "container name";
  } else if (status == 400) {
    kind = BlobErrorKind::kBadRequest;
    advice = code == "InvalidHeaderValue"
                 ? "the service rejected a request header; if it is x-ms-version, the service "
                   "does not accept API version " +
                       c.api_version + ": configure another version"
                 : "the service rejected the request: this is a configuration or client error";
  } else if (status == 409) {
    kind = BlobErrorKind::kConflict;
    advice = code == "BlobArchived" ? "the blob is in the Archive tier: rehydrate it to read it"
             : code == "InvalidBlobType" ? "not a block blob, so not a flow log"
                                         : "the blob is in a state that prevents reading it";
  } else if (status == 408 || status == 429 || status >= 500) {
    kind = BlobErrorKind::kTransient;
    advice = "the service is busy or failing; gave up after " + std::to_string(c.attempts) +
             " attempts, try again later";
  } else {
    advice = "unexpected answer";
  }
  std::string message = head(c, status, code) + ": " + advice;
  if (!c.service_message.empty()) message += " (service: " + c.service_message + ")";
  if (!request_id.empty()) message += " [request id " + request_id + "]";
  return BlobError(kind, status, code, request_id, message);
}

BlobError transport_error(const ErrorContext& c, const std::string& detail, bool retryable,
                          const std::string& endpoint) {
  std::string message =
      c.operation + " for " + target(c) + " failed: could not talk to " + endpoint + ": " + detail;
  if (retryable) {
    message += "; gave up after " + std::to_string(c.attempts) +
               " attempts: check the endpoint and the network";
  } else {
    message += ": check the endpoint URL (and, for https, the certificate)";
  }
  return BlobError(retryable ? BlobErrorKind::kTransient : BlobErrorKind::kTransport, 0, "", "",
                   message);
}

}  // namespace flowlens::blob
