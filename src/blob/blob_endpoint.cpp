#include "blob/blob_endpoint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

namespace flowlens::blob {
namespace {

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_ipv4_literal(std::string_view host) {
  int dots = 0;
  int digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

std::string host_of(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    return std::string(
        authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  }
  return std::string(authority.substr(0, authority.find(':')));
}

// Azurite takes the account from the path for these hosts (blob-rest.md §1.2).
bool is_path_style_host(std::string_view host) {
  return is_ipv4_literal(host) || host.find('.') == std::string_view::npos ||
         (!host.empty() && host.front() == '[') || to_lower(host) == "host.docker.internal";
}

struct SplitUrl {
  std::string scheme;
  std::string authority;
  std::string path;   // "" or "/..."
  std::string query;  // without '?'
};

SplitUrl split_url(std::string_view url, std::string_view what) {
  url = trim(url);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    throw BlobConfigError(std::string(what) +
                          " must be a URL starting with https:// (or http:// for an emulator)");
  }
  SplitUrl out;
  out.scheme = to_lower(url.substr(0, scheme_end));
  if (out.scheme != "https" && out.scheme != "http") {
    throw BlobConfigError(std::string(what) + " has scheme '" + out.scheme +
                          "': only https and http are supported");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) {
    throw BlobConfigError(std::string(what) + " must not contain a '#' fragment");
  }
  const auto query_start = rest.find('?');
  if (query_start != std::string_view::npos) {
    out.query = std::string(rest.substr(query_start + 1));
    rest = rest.substr(0, query_start);
  }
  const auto path_start = rest.find('/');
  out.authority = std::string(rest.substr(0, path_start));
  if (path_start != std::string_view::npos) out.path = std::string(rest.substr(path_start));
  if (out.authority.empty()) throw BlobConfigError(std::string(what) + " has no host");
  if (out.authority.find('@') != std::string::npos) {
    throw BlobConfigError(std::string(what) +
                          " must not carry user credentials before the host (user@host)");
  }
  return out;
}

std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/')
      ++i;
    const std::size_t start = i;
    while (i < path.size() && path[i] != '/')
      ++i;
    if (i > start) out.emplace_back(path.substr(start, i - start));
  }
  return out;
}

BlobCredentials sas_credentials(std::string_view token, std::string_view what) {
  token = trim(token);
  if (!token.empty() && token.front() == '?') token.remove_prefix(1);
  // A token is "name=value&name=value...": it must hold a signature to be usable.
  bool has_sig = false;
  std::size_t i = 0;
  while (i <= token.size()) {
    const std::size_t end = std::min(token.find('&', i), token.size());
    if (to_lower(token.substr(i, std::min<std::size_t>(4, end - i))) == "sig=") has_sig = true;
    i = end + 1;
  }
  if (!has_sig) {
    throw BlobConfigError(std::string(what) +
                          " has no sig= field: give the complete SAS token (sv=...&sig=...)");
  }
  BlobCredentials out;
  out.mode = AuthMode::kSas;
  out.sas = std::string(token);
  return out;
}

AccountKey decode_key(std::string_view key_base64, std::string_view what) {
  auto key = AccountKey::from_base64(trim(key_base64));
  if (!key) {
    throw BlobConfigError(std::string(what) +
                          " is not valid base64: copy the whole key (it usually ends in '==')");
  }
  return std::move(*key);
}

// "acct" when the account name is usable in a host name and a canonical resource.
void check_account_name(std::string_view account, std::string_view what) {
  const bool ok = !account.empty() && account.size() <= 64 &&
                  std::all_of(account.begin(), account.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                           (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
                  });
  if (!ok) {
    throw BlobConfigError(std::string(what) +
                          " is not a storage account name (letters and digits, at most 64)");
  }
}

}  // namespace

std::string BlobEndpoint::url() const {
  return scheme + "://" + authority + base_path;
}

BlobEndpoint parse_endpoint_url(std::string_view url, std::string_view account,
                                std::string_view what) {
  const SplitUrl split = split_url(url, what);
  if (!split.query.empty()) {
    throw BlobConfigError(std::string(what) +
                          " must not have a query; give a SAS as SharedAccessSignature");
  }
  BlobEndpoint out;
  out.scheme = split.scheme;
  out.authority = split.authority;
  std::string path = split.path;
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  out.base_path = path;
  const std::string host = host_of(split.authority);
  const auto segments = path_segments(path);
  const bool path_style = is_path_style_host(host);
  if (path_style && segments.empty()) {
    // Azurite would take the container for the account (blob-rest.md §1.2).
    throw BlobConfigError(std::string(what) + " on host " + host +
                          " needs the account as its first path segment "
                          "(e.g. http://127.0.0.1:10000/devstoreaccount1)");
  }
  if (!account.empty()) {
    out.account = std::string(account);
  } else {
    out.account = path_style ? segments.front() : host.substr(0, host.find('.'));
  }
  check_account_name(out.account, std::string("the account name of ") + std::string(what));
  return out;
}

BlobSource parse_connection_string(std::string_view text) {
  static const std::vector<std::string> kKnown = {
      "defaultendpointsprotocol", "accountname",  "accountkey",
      "endpointsuffix",           "blobendpoint", "sharedaccesssignature",
      "usedevelopmentstorage"};
  static const std::vector<std::string> kIgnored = {
      "queueendpoint",          "tableendpoint",
      "fileendpoint",           "dfsendpoint",
      "blobsecondaryendpoint",  "queuesecondaryendpoint",
      "tablesecondaryendpoint", "filesecondaryendpoint"};

  std::map<std::string, std::string> values;   // lower-cased key -> value
  std::map<std::string, std::string> spelled;  // lower-cased key -> key as written
  std::size_t index = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string_view segment = trim(text.substr(start, end - start));
    start = end + 1;
    ++index;
    if (segment.empty()) continue;
    const auto eq = segment.find('=');
    if (eq == std::string_view::npos) {
      // The segment itself is not echoed: it could be a pasted key.
      throw BlobConfigError("connection string segment " + std::to_string(index) +
                            " is not Key=Value");
    }
    const std::string key(trim(segment.substr(0, eq)));
    const std::string lower = to_lower(key);
    const std::string_view value = trim(segment.substr(eq + 1));
    if (lower == "developmentstorageproxyuri") {
      throw BlobConfigError(
          "connection string key DevelopmentStorageProxyUri (the legacy emulator proxy) is not "
          "supported: give BlobEndpoint instead");
    }
    if (std::find(kIgnored.begin(), kIgnored.end(), lower) != kIgnored.end()) continue;
    if (std::find(kKnown.begin(), kKnown.end(), lower) == kKnown.end()) {
      // The key is named only when it looks like a key name: a pasted secret that happens to
      // contain '=' (base64 padding) must not be echoed.
      const bool nameable = key.size() <= 40 && std::all_of(key.begin(), key.end(), [](char c) {
                              return std::isalpha(static_cast<unsigned char>(c)) != 0;
                            });
      throw BlobConfigError(
          (nameable
               ? "unknown connection string key '" + key + "'"
               : "connection string segment " + std::to_string(index) + " has an unknown key") +
          " (known: DefaultEndpointsProtocol, AccountName, AccountKey, EndpointSuffix, "
          "BlobEndpoint, SharedAccessSignature, UseDevelopmentStorage)");
    }
    if (values.count(lower) != 0) {
      throw BlobConfigError("connection string key '" + key + "' appears twice");
    }
    if (value.empty()) {
      throw BlobConfigError("connection string key '" + key + "' has an empty value");
    }
    values[lower] = std::string(value);
    spelled[lower] = key;
  }

  if (values.count("usedevelopmentstorage") != 0) {
    if (to_lower(values["usedevelopmentstorage"]) != "true") {
      throw BlobConfigError("connection string key UseDevelopmentStorage must be 'true'");
    }
    if (values.size() != 1) {
      std::string other;
      for (const auto& [lower, key] : spelled) {
        if (lower != "usedevelopmentstorage") other = key;
      }
      throw BlobConfigError("UseDevelopmentStorage=true cannot be combined with '" + other +
                            "': write the full emulator connection string instead");
    }
    BlobSource out;
    out.endpoint = parse_endpoint_url("http://127.0.0.1:10000/devstoreaccount1", kDevAccountName,
                                      "the emulator endpoint");
    out.credentials.mode = AuthMode::kSharedKey;
    out.credentials.key = decode_key(kDevAccountKey, "the emulator key");
    return out;
  }

  const auto get = [&](const char* key) -> std::string {
    const auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  };
  const std::string account = get("accountname");
  const std::string key = get("accountkey");
  const std::string sas = get("sharedaccesssignature");
  if (!key.empty() && !sas.empty()) {
    throw BlobConfigError(
        "the connection string has both AccountKey and SharedAccessSignature: keep one");
  }
  if (key.empty() && sas.empty()) {
    throw BlobConfigError(
        "the connection string has no credential: add AccountKey (with AccountName) or "
        "SharedAccessSignature");
  }
  if (!key.empty() && account.empty()) {
    throw BlobConfigError("the connection string has AccountKey but no AccountName");
  }
  if (!account.empty()) check_account_name(account, "connection string key AccountName");

  BlobSource out;
  const std::string blob_endpoint = get("blobendpoint");
  if (!blob_endpoint.empty()) {
    out.endpoint = parse_endpoint_url(blob_endpoint, account, "connection string key BlobEndpoint");
  } else {
    if (account.empty()) {
      throw BlobConfigError(
          "the connection string needs BlobEndpoint, or AccountName to derive the endpoint");
    }
    std::string protocol = to_lower(get("defaultendpointsprotocol"));
    if (protocol.empty()) protocol = "https";
    if (protocol != "https" && protocol != "http") {
      throw BlobConfigError(
          "connection string key DefaultEndpointsProtocol must be https or http, not '" + protocol +
          "'");
    }
    std::string suffix = get("endpointsuffix");
    if (suffix.empty()) suffix = "core.windows.net";
    while (!suffix.empty() && suffix.front() == '.')
      suffix.erase(0, 1);
    if (suffix.empty() || suffix.find_first_of("/?#@: ") != std::string::npos) {
      throw BlobConfigError(
          "connection string key EndpointSuffix must be a DNS suffix such as core.windows.net");
    }
    out.endpoint = parse_endpoint_url(protocol + "://" + account + ".blob." + suffix, account,
                                      "the derived blob endpoint");
  }
  if (!key.empty()) {
    out.credentials.mode = AuthMode::kSharedKey;
    out.credentials.key = decode_key(key, "connection string key AccountKey");
  } else {
    out.credentials = sas_credentials(sas, "connection string key SharedAccessSignature");
  }
  return out;
}

BlobSource parse_container_url(std::string_view url) {
  const SplitUrl split = split_url(url, "the container URL");
  const std::string host = host_of(split.authority);
  const auto segments = path_segments(split.path);
  const bool path_style = is_path_style_host(host);
  const std::size_t container_index = path_style ? 1 : 0;
  if (segments.size() <= container_index) {
    throw BlobConfigError(std::string("the container URL ") + redacted(url) +
                          " names no container (expected " +
                          (path_style ? "http://host:port/account/container"
                                      : "https://account.blob.core.windows.net/container") +
                          ")");
  }
  if (segments.size() > container_index + 1) {
    throw BlobConfigError(std::string("the container URL ") + redacted(url) +
                          " has more than a container in its path: give the container only");
  }
  BlobSource out;
  const std::string base = split.scheme + "://" + split.authority +
                           (path_style ? "/" + segments.front() : std::string());
  out.endpoint = parse_endpoint_url(base, "", "the container URL");
  out.container = segments[container_index];
  if (!split.query.empty())
    out.credentials = sas_credentials(split.query, "the container URL's SAS");
  return out;
}

BlobSource from_account_key(std::string_view account, std::string_view key_base64,
                            std::string_view endpoint_suffix) {
  check_account_name(account, "the account name");
  BlobSource out;
  out.endpoint = parse_endpoint_url(
      "https://" + std::string(account) + ".blob." + std::string(endpoint_suffix), account,
      "the derived blob endpoint");
  set_account_key(out, key_base64);
  return out;
}

void set_account_key(BlobSource& source, std::string_view key_base64) {
  source.credentials = BlobCredentials{};
  source.credentials.mode = AuthMode::kSharedKey;
  source.credentials.key = decode_key(key_base64, "the account key");
}

BlobSource parse_blob_source(std::string_view text) {
  // A URL has "://" before any '=' or ';' (a connection string's BlobEndpoint comes after a key).
  const auto scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos &&
      text.substr(0, scheme_end).find_first_of("=;") == std::string_view::npos) {
    return parse_container_url(text);
  }
  return parse_connection_string(text);
}

std::string redacted(std::string_view text) {
  // Names whose value is secret; matched case-insensitively at a field start.
  static constexpr std::string_view kSecretFields[] = {"sig=", "skoid=", "sktid=", "accountkey="};
  const auto is_field_start = [&](std::size_t pos) {
    if (pos == 0) return true;
    const char c = text[pos - 1];
    return c == '?' || c == '&' || c == ';' || c == '=' || c == ' ' || c == '\t' || c == '\n' ||
           c == '"' || c == '\'' || c == '(' || c == '<' || c == '>' || c == ',';
  };
  const auto is_value_end = [](char c) {
    return c == '&' || c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' ||
           c == '\'' || c == '<' || c == ')' || c == ',';
  };
  const std::string lower = to_lower(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    for (std::string_view field : kSecretFields) {
      if (lower.compare(i, field.size(), field) == 0 && is_field_start(i)) {
        out.append(text.substr(i, field.size()));
        out += "REDACTED";
        i += field.size();
        while (i < text.size() && !is_value_end(text[i]))
          ++i;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    static constexpr std::string_view kSharedKey = "sharedkey ";
    if (lower.compare(i, kSharedKey.size(), kSharedKey) == 0) {
      const std::size_t colon = text.find(':', i + kSharedKey.size());
      if (colon != std::string_view::npos) {
        out.append(text.substr(i, colon + 1 - i));
        out += "REDACTED";
        i = colon + 1;
        while (i < text.size() && !is_value_end(text[i]))
          ++i;
        continue;
      }
    }
    out += text[i];
    ++i;
  }
  return out;
}

}  // namespace flowlens::blob
