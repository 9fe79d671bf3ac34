// Helpers shared by the JSON enrichment readers (topology file, Azure CLI import): parsing a
// small document with simdjson's DOM API and reporting syntax errors with a byte offset, and the
// normalisations both readers apply (MAC addresses, Azure region names, GUIDs). Internal to
// flowlens_enrich; header-only so that it needs no build changes.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "enrich/enrich_error.h"

namespace flowlens::enrich::json_input {

inline char lower_ascii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = lower_ascii(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

// A MAC address as flow logs carry it: 12 upper-case hex digits. Accepts the bare form and
// groups separated by '-', ':' or '.' ("00-0D-3A-12-34-56", "00:0d:3a:12:34:56",
// "000d.3a12.3456"); a separator must sit between two digits. Returns nullopt on anything else.
inline std::optional<std::string> normalize_mac(std::string_view in) {
  std::string out;
  bool after_digit = false;
  for (char c : in) {
    if (c == '-' || c == ':' || c == '.') {
      if (!after_digit) return std::nullopt;  // leading or doubled separator
      after_digit = false;
      continue;
    }
    if (c >= '0' && c <= '9') {
      out += c;
    } else if (c >= 'a' && c <= 'f') {
      out += static_cast<char>(c - 'a' + 'A');
    } else if (c >= 'A' && c <= 'F') {
      out += c;
    } else {
      return std::nullopt;
    }
    after_digit = true;
    if (out.size() > 12) return std::nullopt;
  }
  if (out.size() != 12 || !after_digit) return std::nullopt;
  return out;
}

// Azure region names as ARM ids use them: lower case without spaces ("West Europe" ->
// "westeurope"), which is also what Traffic Analytics writes.
inline std::string normalize_region(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c != ' ') out += lower_ascii(c);
  }
  return out;
}

inline std::string_view type_name(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  switch (t) {
    case T::ARRAY:
      return "an array";
    case T::OBJECT:
      return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      return "a number";
    case T::STRING:
      return "a string";
    case T::BOOL:
      return "a boolean";
    case T::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

namespace detail {

namespace od = simdjson::ondemand;

// Walks a value completely so that On Demand meets any syntax error the DOM parser reported.
inline simdjson::error_code walk(od::value v, int depth) {
  if (depth > 64) return simdjson::SUCCESS;  // deeper than any enrichment file; stop looking
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      for (auto child : a) {
        od::value c;
        if (auto e = child.get(c)) return e;
        if (auto e = walk(c, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto field : o) {
        od::value c;
        if (auto e = field.value().get(c)) return e;
        if (auto e = walk(c, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string:
      return v.get_string().error();
    case od::json_type::number:
      return v.get_number().error();
    case od::json_type::boolean:
      return v.get_bool().error();
    case od::json_type::null:
      return v.is_null().error();
  }
  return simdjson::SUCCESS;
}

// The byte offset at which On Demand stops on `json`, when it can tell.
inline std::optional<std::size_t> error_offset(const simdjson::padded_string& json) {
  od::parser parser;
  od::document doc;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::error_code e = simdjson::SUCCESS;
  bool scalar = false;
  if (doc.is_scalar().get(scalar) == simdjson::SUCCESS && !scalar) {
    od::value root;
    e = doc.get_value().get(root);
    if (!e) e = walk(root, 0);
  } else {
    e = simdjson::TAPE_ERROR;
  }
  if (!e) return std::nullopt;
  const char* at = nullptr;
  if (doc.current_location().get(at) != simdjson::SUCCESS || at == nullptr) return std::nullopt;
  return static_cast<std::size_t>(at - json.data());
}

}  // namespace detail

// Parses `json` into `parser`'s document; throws EnrichError "<name>: invalid JSON at byte N:
// <simdjson's reason>" (the offset when simdjson can locate the error).
inline simdjson::dom::element parse_document(simdjson::dom::parser& parser,
                                             const simdjson::padded_string& json,
                                             const std::string& name) {
  simdjson::dom::element root;
  auto e = parser.parse(json).get(root);
  if (e == simdjson::SUCCESS) return root;
  std::string at;
  if (auto offset = detail::error_offset(json)) at = fmt::format(" at byte {}", *offset);
  throw EnrichError(fmt::format("{}: invalid JSON{}: {}", name, at, simdjson::error_message(e)));
}

// A value from an input as it appears in an error message: quoted, at most 80 bytes, with
// control and non-ASCII bytes escaped so that a corrupt file cannot garble the terminal.
inline std::string quote_value(std::string_view text) {
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : text) {
    if (++n > 80) {
      out += "...";
      break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace flowlens::enrich::json_input
