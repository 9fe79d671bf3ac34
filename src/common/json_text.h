// Appending JSON and CSV text. Strings that come from flow logs are untrusted: they are escaped
// so that no value can break out of its field or line.
#pragma once

#include <string>
#include <string_view>

namespace flowlens {

// Appends `s` as a JSON string literal, quotes included. Control characters, '"', '\\' and the
// line separators U+2028/U+2029 are escaped; invalid UTF-8 bytes become U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// Appends `s` as one CSV field (RFC 4180): quoted when it contains ',', '"', CR or LF.
void append_csv_field(std::string& out, std::string_view s);

}  // namespace flowlens
