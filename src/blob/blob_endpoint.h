// Where a blob service is and how to authenticate to it (blob-rest.md §1.1-§1.4, §2.10).
//
// An endpoint is scheme + authority + base_path: base_path is empty for Azure
// (`https://acct.blob.core.windows.net`) and the account segment for a path-style emulator
// (`http://127.0.0.1:10000/devstoreaccount1`). A request path is always
// base_path + "/" + container [+ "/" + encoded blob].
//
// Users give one of: a connection string, a container URL (optionally with a SAS query), or an
// account name + key. Parsing errors are BlobConfigError; their messages name the offending key
// or part but never contain a key or a SAS signature. Use redacted() on anything that may hold
// a URL or connection string before it reaches a message or a log.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "blob/shared_key.h"

namespace flowlens::blob {

// A configuration mistake: the message says what is wrong and what to give instead.
class BlobConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BlobEndpoint {
  std::string scheme;     // "https" or "http" (lower case)
  std::string authority;  // host[:port], as given
  std::string base_path;  // "" or "/segment..." without a trailing '/'
  std::string account;    // account name: signs SharedKey requests, names the account in messages

  // scheme://authority/base_path (no trailing '/').
  std::string url() const;
};

enum class AuthMode { kNone, kSharedKey, kSas };

struct BlobCredentials {
  AuthMode mode = AuthMode::kNone;
  std::optional<AccountKey> key;  // kSharedKey: the decoded account key
  std::string sas;                // kSas: the token without a leading '?', verbatim (secret)
};

struct BlobSource {
  BlobEndpoint endpoint;
  BlobCredentials credentials;
  std::string container;  // set only when a container URL named one
};

// The well-known emulator account (blob-rest.md §1.3): public, for tests only.
inline constexpr std::string_view kDevAccountName = "devstoreaccount1";
inline constexpr std::string_view kDevAccountKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

// Parses a connection string (§1.4): `Key=Value` segments separated by ';' (empty segments
// ignored), split at the first '=', keys trimmed and compared case-insensitively. Accepted keys:
// DefaultEndpointsProtocol, AccountName, AccountKey, EndpointSuffix, BlobEndpoint,
// SharedAccessSignature, UseDevelopmentStorage (=true, alone); the other services' endpoints
// (QueueEndpoint, TableEndpoint, FileEndpoint, ...) are ignored. Exactly one credential is
// required (AccountKey with AccountName, or SharedAccessSignature).
BlobSource parse_connection_string(std::string_view text);

// Parses a container URL, `https://acct.blob.core.windows.net/container[?<SAS>]` or path-style
// `http://127.0.0.1:10000/devstoreaccount1/container[?<SAS>]`. The account is the first DNS
// label, or the first path segment when the host is an IP literal, has no dot, or is
// host.docker.internal (§1.2). Without a query the credentials are kNone: add a key with
// set_account_key().
BlobSource parse_container_url(std::string_view url);

// An account name + base64 key against `https://{account}.blob.{endpoint_suffix}`.
BlobSource from_account_key(std::string_view account, std::string_view key_base64,
                            std::string_view endpoint_suffix = "core.windows.net");

// Replaces the credentials of `source` with SharedKey (for a container URL plus a key).
void set_account_key(BlobSource& source, std::string_view key_base64);

// A container URL when `text` starts with a scheme (`https://...`), else a connection string.
BlobSource parse_blob_source(std::string_view text);

// Parses an endpoint URL (scheme://authority[/base/path]); infers the account as described for
// parse_container_url when `account` is empty. `what` names the input in error messages.
BlobEndpoint parse_endpoint_url(std::string_view url, std::string_view account,
                                std::string_view what);

// `text` with every secret value replaced by "REDACTED": the values of the sig, skoid and sktid
// query fields (also inside a SharedAccessSignature= segment), of AccountKey= segments, and the
// signature of a "SharedKey account:signature" credential. Safe for URLs, connection strings and
// messages.
std::string redacted(std::string_view text);

}  // namespace flowlens::blob
