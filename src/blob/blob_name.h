// Percent-encoding of blob names and query values (blob-rest.md §1.5).
//
// The request path and query that are signed (shared_key.h) must be byte-for-byte what goes on
// the wire, so both are produced here and nowhere else: the client builds every URL from the
// decoded names and values with these functions, and signs the same encoded path and the same
// decoded values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flowlens::blob {

// A blob name as a URL path: every UTF-8 byte is percent-encoded (upper-case hex) except the
// unreserved set A-Z a-z 0-9 - . _ ~ and '/', which stays literal (never %2F). So `=` becomes
// `%3D`, a space `%20`, `+` `%2B`, and a non-ASCII character one escape per byte.
std::string encode_blob_path(std::string_view name);

// A query value (prefix, marker, blockid, ...): everything but the unreserved set is encoded,
// including '/', '=', '&', '%', '+', ':' and space.
std::string encode_query_value(std::string_view value);

// Decodes %XX escapes (either hex case). '+' stays '+' (it is a space only in HTML forms, which
// Azure Storage is not). Returns nullopt on a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view text);

// True when `name` is a valid container name: 3-63 characters, lower-case letters, digits and
// single '-' not at either end; or one of the special containers $root, $logs, $web.
bool is_valid_container_name(std::string_view name);

// True when `name` is a usable blob name: 1-1024 bytes. (The service allows any Unicode; the
// client rejects only what it could not address.)
bool is_valid_blob_name(std::string_view name);

}  // namespace flowlens::blob
