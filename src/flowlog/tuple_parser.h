// Parsing of one flow tuple string, the innermost and hottest step of the parser.
//
// Layouts (reference/flowlog-format.md §1.5, §2.3):
//   VNet v4 (13 fields):
//   ts_ms,src,dst,sport,dport,proto,I|O,B|C|E|D,encryption,pkts_sd,bytes_sd,pkts_ds,bytes_ds NSG v2
//   (13 fields): ts_s,src,dst,sport,dport,T|U,I|O,A|D,B|C|E,pkts_sd,bytes_sd,pkts_ds,bytes_ds NSG
//   v1  ( 8 fields): ts_s,src,dst,sport,dport,T|U,I|O,A|D
// For NSG logs the field count decides between v1 and v2, tuple by tuple. Timestamps are taken
// as seconds below 1e11 and as milliseconds above, whatever the layout (Microsoft's own VNet
// example uses seconds). Empty counters (`B,,,,`) are zero. Protocol accepts T/U and numbers in
// both layouts. Everything else is validated strictly; the first problem found is reported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/ip_address.h"
#include "common/timestamp.h"
#include "flowlog/flow_batch.h"
#include "flowlog/parse_error.h"

namespace flowlens {

enum class TupleLayout : std::uint8_t { kVNet, kNsg };

// Longest tuple accepted: two full-length IPv6 addresses and 19-digit counters fit in 250.
inline constexpr std::size_t kMaxTupleLength = 512;

struct ParsedTuple {
  Ticks time = 0;
  IpAddress src_ip;
  IpAddress dest_ip;
  std::uint16_t src_port = 0;
  std::uint16_t dest_port = 0;
  std::uint8_t protocol = 0;
  FlowDirection direction = FlowDirection::kInbound;
  FlowState state = FlowState::kNone;
  FlowStatus status = FlowStatus::kAllowed;
  std::string_view encryption;  // raw VNet code (points into the input); empty for NSG
  std::int64_t packets_src_to_dest = 0;
  std::int64_t bytes_src_to_dest = 0;
  std::int64_t packets_dest_to_src = 0;
  std::int64_t bytes_dest_to_src = 0;
  std::uint8_t version = 0;  // 4, 2 or 1
};

struct TupleProblem {
  ParseErrorCode code = ParseErrorCode::invalid_json;
  std::string message;
};

// Bytes that must be readable after a tuple passed to parse_tuple_padded.
inline constexpr std::size_t kTuplePadding = 16;

// Returns true and fills `out`, or returns false and explains why in `problem`.
bool parse_tuple(std::string_view text, TupleLayout layout, ParsedTuple& out,
                 TupleProblem& problem);
// The same, without copying: at least kTuplePadding bytes after `text` must be readable (the
// parser's chunk buffers guarantee it). `out.encryption` points into `text`.
bool parse_tuple_padded(std::string_view text, TupleLayout layout, ParsedTuple& out,
                        TupleProblem& problem);

}  // namespace flowlens
