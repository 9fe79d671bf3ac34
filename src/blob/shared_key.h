// SharedKey authorization for the Blob service (blob-rest.md §2.2-§2.5).
//
// The string-to-sign is built from exactly what is sent: the verb, eleven standard header values
// (absent ones are empty lines), the x-ms-* headers (lower-cased, sorted, whitespace folded), and
// the canonicalized resource "/" + account + the request path as sent (escapes preserved; with a
// path-style emulator URL the account therefore appears twice) + one "\nname:value" line per
// query parameter (lower-cased names, sorted, decoded values). The caller passes the same header
// list it hands to the HTTP layer, so what is signed cannot differ from what is sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens::blob {

struct Header {
  std::string name;   // as sent (any case)
  std::string value;  // as sent
};

struct QueryParam {
  std::string name;   // as sent (the client sends lower-case names)
  std::string value;  // decoded; encode_query_value() produces the wire form
};

// An account key, decoded from its base64 text once and kept only in memory. It has no
// printing, and its bytes are wiped when it is destroyed.
class AccountKey {
 public:
  // Strict base64 (standard alphabet, padded, length a multiple of 4). A standard 88-character
  // account key gives 64 bytes. nullopt for anything else, including an empty text.
  static std::optional<AccountKey> from_base64(std::string_view text);
  // Raw bytes, for tests (the mis-decoded-key vector) and for test-side SAS minting.
  static AccountKey from_bytes(std::vector<std::uint8_t> bytes);

  AccountKey(const AccountKey&) = default;
  AccountKey(AccountKey&&) noexcept = default;
  AccountKey& operator=(const AccountKey&) = default;
  AccountKey& operator=(AccountKey&&) noexcept = default;
  ~AccountKey();

  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  explicit AccountKey(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::vector<std::uint8_t> bytes_;
};

// Strict base64 decoding (see AccountKey::from_base64) and encoding without line breaks.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(const std::uint8_t* data, std::size_t size);

// The string-to-sign of §2.2. `path` is the request path exactly as sent (it starts with '/');
// `query` holds flowlens's own parameters with decoded values (never SAS fields). A
// Content-Length of "0" is signed as an empty line (version 2015-02-21 and later).
std::string string_to_sign(std::string_view method, std::string_view account, std::string_view path,
                           const std::vector<QueryParam>& query,
                           const std::vector<Header>& headers);

// Base64(HMAC-SHA256(key, string_to_sign)).
std::string sign(const AccountKey& key, std::string_view string_to_sign);

// The value of the Authorization header: "SharedKey {account}:{signature}".
std::string shared_key_authorization(std::string_view account, std::string_view signature);

}  // namespace flowlens::blob
