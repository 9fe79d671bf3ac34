#include "blob/shared_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <utility>

namespace flowlens::blob {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// §2.3 step 3: trim, and fold runs of linear whitespace into one space outside quoted strings.
std::string canonical_header_value(std::string_view value) {
  while (!value.empty() && is_space(value.front()))
    value.remove_prefix(1);
  while (!value.empty() && is_space(value.back()))
    value.remove_suffix(1);
  std::string out;
  out.reserve(value.size());
  bool quoted = false;
  bool pending_space = false;
  for (char c : value) {
    if (!quoted && is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    if (c == '"') quoted = !quoted;
    out += c;
  }
  return out;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_base64_char(text[i])) return std::nullopt;
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  const int written =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (written < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as decoded zero bytes: a 64-byte key would come out as
  // 66 bytes and sign wrongly (blob-rest.md §2.5).
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<AccountKey> AccountKey::from_base64(std::string_view text) {
  auto bytes = base64_decode(text);
  if (!bytes || bytes->empty()) return std::nullopt;
  return AccountKey(std::move(*bytes));
}

AccountKey AccountKey::from_bytes(std::vector<std::uint8_t> bytes) {
  return AccountKey(std::move(bytes));
}

AccountKey::~AccountKey() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

std::string string_to_sign(std::string_view method, std::string_view account, std::string_view path,
                           const std::vector<QueryParam>& query,
                           const std::vector<Header>& headers) {
  static constexpr std::array<std::string_view, 11> kStandard = {"content-encoding",
                                                                 "content-language",
                                                                 "content-length",
                                                                 "content-md5",
                                                                 "content-type",
                                                                 "date",
                                                                 "if-modified-since",
                                                                 "if-match",
                                                                 "if-none-match",
                                                                 "if-unmodified-since",
                                                                 "range"};
  std::string out(method);
  out += '\n';
  for (std::string_view wanted : kStandard) {
    std::string value;
    for (const Header& h : headers) {
      if (to_lower(h.name) == wanted) value = h.value;
    }
    if (wanted == "content-length" && value == "0") value.clear();
    out += value;
    out += '\n';
  }

  std::vector<std::pair<std::string, std::string>> ms;
  for (const Header& h : headers) {
    std::string name = to_lower(h.name);
    if (name.rfind("x-ms-", 0) == 0)
      ms.emplace_back(std::move(name), canonical_header_value(h.value));
  }
  std::sort(ms.begin(), ms.end());
  for (const auto& [name, value] : ms) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }

  out += '/';
  out += account;
  out += path.empty() ? std::string_view("/") : path;
  // Parameters ordered by lower-cased name; several values of one name are sorted and joined
  // with ','.
  std::vector<std::pair<std::string, std::string>> params;
  for (const QueryParam& q : query)
    params.emplace_back(to_lower(q.name), q.value);
  std::sort(params.begin(), params.end());
  for (std::size_t i = 0; i < params.size();) {
    out += '\n';
    out += params[i].first;
    out += ':';
    out += params[i].second;
    std::size_t j = i + 1;
    for (; j < params.size() && params[j].first == params[i].first; ++j) {
      out += ',';
      out += params[j].second;
    }
    i = j;
  }
  return out;
}

std::string sign(const AccountKey& key, std::string_view string_to_sign) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(),
       mac.data(), &mac_size);
  return base64_encode(mac.data(), mac_size);
}

std::string shared_key_authorization(std::string_view account, std::string_view signature) {
  std::string out = "SharedKey ";
  out += account;
  out += ':';
  out += signature;
  return out;
}

}  // namespace flowlens::blob
