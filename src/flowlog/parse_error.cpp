#include "flowlog/parse_error.h"

#include <fmt/format.h>

#include <array>

namespace flowlens {
namespace {

constexpr std::array<std::string_view, kParseErrorCodeCount> kNames = {
#define FLOWLENS_NAME_ENTRY(name, description) #name,
    FLOWLENS_PARSE_ERROR_CODES(FLOWLENS_NAME_ENTRY)
#undef FLOWLENS_NAME_ENTRY
};

constexpr std::array<std::string_view, kParseErrorCodeCount> kDescriptions = {
#define FLOWLENS_DESCRIPTION_ENTRY(name, description) description,
    FLOWLENS_PARSE_ERROR_CODES(FLOWLENS_DESCRIPTION_ENTRY)
#undef FLOWLENS_DESCRIPTION_ENTRY
};

}  // namespace

std::string_view error_code_name(ParseErrorCode code) {
  return kNames[static_cast<std::size_t>(code)];
}

std::string_view error_code_description(ParseErrorCode code) {
  return kDescriptions[static_cast<std::size_t>(code)];
}

std::string make_excerpt(std::string_view bytes) {
  if (bytes.size() <= kMaxExcerpt) return std::string(bytes);
  std::size_t cut = kMaxExcerpt;
  // Step back over UTF-8 continuation bytes so the excerpt never ends mid-character.
  while (cut > 0 && (static_cast<unsigned char>(bytes[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string(bytes.substr(0, cut));
}

std::string format_error_line(const ParseError& error) {
  std::string where;
  if (error.record_index >= 0) {
    where = fmt::format("records[{}]", error.record_index);
    if (error.tuple_index >= 0) where += fmt::format(" tuple {}", error.tuple_index);
    where += ' ';
  }
  std::string line = fmt::format("{}: {}(byte {}): {}: {}", error.source, where, error.byte_offset,
                                 error_code_name(error.code), error.message);
  if (!error.excerpt.empty()) {
    line += ": \"";
    // Show the excerpt with control and non-ASCII bytes escaped so a terminal stays sane.
    for (unsigned char c : error.excerpt) {
      if (c == '"' || c == '\\') {
        line += '\\';
        line += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        line += fmt::format("\\x{:02x}", c);
      } else {
        line += static_cast<char>(c);
      }
    }
    line += '"';
  }
  return line;
}

}  // namespace flowlens
