// What the flow-log parser reports when it rejects part of its input.
//
// Every rejection names the input, the record (0-based index in `records`), the tuple (0-based
// index among the record's tuples, in document order), the byte offset in the input where the
// rejected element starts, a stable machine-readable code and a human reason. Codes are part of
// the contract (they become `IngestErrors.Code`), so they are only ever added, never renamed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flowlens {

// X-macro: code name, one-line description (shown by `flowlens parse --help-errors` and docs).
#define FLOWLENS_PARSE_ERROR_CODES(M)                                                     \
  M(empty_input, "the input has no JSON content at all")                                  \
  M(invalid_json, "the bytes are not valid JSON at this point")                           \
  M(truncated_record, "the input ends inside a record")                                   \
  M(truncated_document, "the input ends before the document's structure is complete")     \
  M(not_a_flow_log, "valid JSON, but not shaped like an Azure flow-log blob or record")   \
  M(record_too_large, "a record is larger than the configured limit")                     \
  M(nesting_too_deep, "JSON nesting deeper than any flow-log record")                     \
  M(missing_field, "a required key is absent")                                            \
  M(wrong_type, "a key holds a value of the wrong JSON type")                             \
  M(unsupported_version, "flowLogVersion / properties.Version is not one flowlens knows") \
  M(invalid_time, "the record's `time` is not an ISO-8601 UTC instant")                   \
  M(invalid_mac, "a MAC address is not 12 hexadecimal digits")                            \
  M(field_too_long, "a string is longer than any real value of that field")               \
  M(tuple_field_count, "a flow tuple has the wrong number of comma-separated fields")     \
  M(tuple_too_long, "a flow tuple string is longer than any real tuple")                  \
  M(invalid_timestamp, "a tuple timestamp is not a plausible epoch value")                \
  M(invalid_ip, "a tuple address is not a valid IPv4 or IPv6 address")                    \
  M(invalid_port, "a tuple port is not a decimal number")                                 \
  M(port_out_of_range, "a tuple port is above 65535")                                     \
  M(invalid_protocol, "a tuple protocol is not T, U or an IANA number 0-255")             \
  M(invalid_direction, "a tuple direction is not I or O")                                 \
  M(invalid_state, "a tuple flow state is not B, C, E (or D for VNet flow logs)")         \
  M(invalid_decision, "an NSG tuple decision is not A or D")                              \
  M(invalid_encryption, "a VNet tuple encryption code is not X, NX or NX_<reason>")       \
  M(invalid_counter, "a tuple packet or byte counter is not a decimal number")            \
  M(negative_counter, "a tuple packet or byte counter is negative")                       \
  M(counter_overflow, "a tuple packet or byte counter exceeds the 64-bit signed range")   \
  M(read_failed, "the input could not be read")

enum class ParseErrorCode : std::uint8_t {
#define FLOWLENS_ENUM_ENTRY(name, description) name,
  FLOWLENS_PARSE_ERROR_CODES(FLOWLENS_ENUM_ENTRY)
#undef FLOWLENS_ENUM_ENTRY
};

inline constexpr std::size_t kParseErrorCodeCount = 0
#define FLOWLENS_COUNT_ENTRY(name, description) +1
    FLOWLENS_PARSE_ERROR_CODES(FLOWLENS_COUNT_ENTRY)
#undef FLOWLENS_COUNT_ENTRY
    ;

std::string_view error_code_name(ParseErrorCode code);
std::string_view error_code_description(ParseErrorCode code);

struct ParseError {
  std::string source;         // file path, `<stdin>`, or blob name
  std::int64_t record_index;  // -1 when the error is not inside a record
  std::int64_t tuple_index;   // -1 when the error is not about one tuple
  std::uint64_t byte_offset;  // where the rejected element starts in the input
  ParseErrorCode code;
  std::string message;  // the reason, naming the JSON path or field involved
  std::string excerpt;  // up to kMaxExcerpt bytes of the rejected input, verbatim
};

inline constexpr std::size_t kMaxExcerpt = 160;

// Copies at most kMaxExcerpt bytes, cutting at a UTF-8 character boundary.
std::string make_excerpt(std::string_view bytes);

// One line for a terminal: `SOURCE: records[R] tuple T (byte B): code: message: "excerpt"`.
std::string format_error_line(const ParseError& error);

}  // namespace flowlens
