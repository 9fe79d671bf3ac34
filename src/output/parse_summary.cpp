#include "output/parse_summary.h"

#include <fmt/format.h>

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <limits>

#include "common/json_text.h"

namespace flowlens {
namespace {

// Number of bytes equal to `value` in p[0, n): 16 at a time with SSE2, byte counters flushed
// with a sum-of-absolute-differences before they can overflow.
std::uint64_t count_bytes(const std::uint8_t* p, std::size_t n, std::uint8_t value) {
  std::uint64_t total = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(static_cast<char>(value));
  const __m128i zero = _mm_setzero_si128();
  while (n - i >= 16) {
    __m128i counts = zero;
    std::size_t block_end = i + 16 * std::min<std::size_t>(255, (n - i) / 16);
    for (; i < block_end; i += 16) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(b, needle));  // equal bytes are -1
    }
    __m128i sums = _mm_sad_epu8(counts, zero);
    total += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < n; ++i)
    total += p[i] == value;
  return total;
}

template <typename Enum>
std::uint64_t count_enum(const Column<Enum>& column, std::size_t n, Enum value) {
  static_assert(sizeof(Enum) == 1);
  return count_bytes(reinterpret_cast<const std::uint8_t*>(column.data()), n,
                     static_cast<std::uint8_t>(value));
}

// 1234567 -> "1,234,567"
std::string grouped(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace

void ParseSummary::add(const ParsedChunk& chunk) {
  const FlowBatch& b = chunk.batch;
  if (chunk.last_of_input) {
    ++inputs;
    if (chunk.unterminated) ++unterminated_inputs;
  }
  bytes += chunk.bytes_consumed;
  records += chunk.stats.records;
  rejected_records += chunk.stats.rejected_records;
  tuples += chunk.stats.tuples;
  rejected_tuples += chunk.stats.rejected_tuples;
  for (const ParseError& e : chunk.errors) {
    ++errors;
    ++errors_by_code[static_cast<std::size_t>(e.code)];
  }
  // Column by column: each of these loops is a simple reduction the compiler vectorises.
  const std::size_t n = b.size();
  auto count = [n](const auto& column, auto value) { return count_enum(column, n, value); };

  auto sum = [n](const Column<std::int64_t>& column) {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < n; ++i)
      s += static_cast<std::uint64_t>(column[i]);
    return s;
  };
  by_version[0] += count(b.version, std::uint8_t{1});
  by_version[1] += count(b.version, std::uint8_t{2});
  by_version[2] += count(b.version, std::uint8_t{4});
  for (std::size_t st = 0; st < by_state.size(); ++st) {
    by_state[st] += count(b.state, static_cast<FlowState>(st));
  }
  std::uint64_t denied = count(b.status, FlowStatus::kDenied);
  by_status[0] += n - denied;
  by_status[1] += denied;
  std::uint64_t outbound = count(b.direction, FlowDirection::kOutbound);
  by_direction[0] += n - outbound;
  by_direction[1] += outbound;
  std::uint64_t tcp = count(b.protocol, std::uint8_t{6}), udp = count(b.protocol, std::uint8_t{17});
  by_protocol[0] += tcp;
  by_protocol[1] += udp;
  by_protocol[2] += n - tcp - udp;
  packets_src_to_dest += sum(b.packets_src_to_dest);
  bytes_src_to_dest += sum(b.bytes_src_to_dest);
  packets_dest_to_src += sum(b.packets_dest_to_src);
  bytes_dest_to_src += sum(b.bytes_dest_to_src);
  if (n > 0) {
    Ticks lo = b.flow_time[0], hi = b.flow_time[0];
    for (std::size_t i = 1; i < n; ++i) {
      lo = std::min(lo, b.flow_time[i]);
      hi = std::max(hi, b.flow_time[i]);
    }
    bool first = tuples == chunk.stats.tuples;  // no tuples before this chunk
    first_flow = first ? lo : std::min(first_flow, lo);
    last_flow = first ? hi : std::max(last_flow, hi);
  }
  for (const TupleGroup& g : b.groups) {
    if (macs.size() < 1000000) macs.emplace(g.mac);
  }
}

std::string ParseSummary::to_text(double seconds) const {
  std::string s;
  s += fmt::format(
      "inputs       {} ({}){}\n", grouped(inputs), human_bytes(static_cast<double>(bytes)),
      unterminated_inputs > 0
          ? fmt::format(", {} still being written (no closing ]}})", grouped(unterminated_inputs))
          : std::string());
  s += fmt::format("records      {} accepted, {} rejected\n", grouped(records),
                   grouped(rejected_records));
  s += fmt::format("tuples       {} accepted, {} rejected\n", grouped(tuples),
                   grouped(rejected_tuples));
  s += fmt::format("  version    VNet v4 {} | NSG v2 {} | NSG v1 {}\n", grouped(by_version[2]),
                   grouped(by_version[1]), grouped(by_version[0]));
  s += fmt::format("  state      B {} | C {} | E {} | D {} | none (NSG v1) {}\n",
                   grouped(by_state[1]), grouped(by_state[2]), grouped(by_state[3]),
                   grouped(by_state[4]), grouped(by_state[0]));
  s += fmt::format("  status     Allowed {} | Denied {}\n", grouped(by_status[0]),
                   grouped(by_status[1]));
  s += fmt::format("  direction  Inbound {} | Outbound {}\n", grouped(by_direction[0]),
                   grouped(by_direction[1]));
  s += fmt::format("  protocol   TCP {} | UDP {} | other {}\n", grouped(by_protocol[0]),
                   grouped(by_protocol[1]), grouped(by_protocol[2]));
  s += fmt::format("packets      src->dest {} | dest->src {}\n", grouped(packets_src_to_dest),
                   grouped(packets_dest_to_src));
  s += fmt::format("bytes        src->dest {} ({}) | dest->src {} ({})\n",
                   grouped(bytes_src_to_dest), human_bytes(static_cast<double>(bytes_src_to_dest)),
                   grouped(bytes_dest_to_src), human_bytes(static_cast<double>(bytes_dest_to_src)));
  if (tuples > 0) {
    s += fmt::format("flow time    {} .. {}\n", format_iso8601(first_flow),
                     format_iso8601(last_flow));
  }
  s += fmt::format("NICs         {} distinct MAC addresses\n", grouped(macs.size()));
  if (errors == 0) {
    s += "errors       none\n";
  } else {
    std::string list;
    for (std::size_t c = 0; c < errors_by_code.size(); ++c) {
      if (errors_by_code[c] == 0) continue;
      if (!list.empty()) list += ", ";
      list += fmt::format("{} {}", error_code_name(static_cast<ParseErrorCode>(c)),
                          grouped(errors_by_code[c]));
    }
    s += fmt::format("errors       {}: {}\n", grouped(errors), list);
  }
  if (seconds > 0) {
    s += fmt::format("throughput   {:.2f} s | {}/s | {} tuples/s\n", seconds,
                     human_bytes(static_cast<double>(bytes) / seconds),
                     grouped(static_cast<std::uint64_t>(static_cast<double>(tuples) / seconds)));
  }
  return s;
}

std::string ParseSummary::to_json() const {
  std::string s = "{";
  s += fmt::format("\"inputs\":{},\"unterminatedInputs\":{},\"bytes\":{},", inputs,
                   unterminated_inputs, bytes);
  s += fmt::format("\"records\":{},\"rejectedRecords\":{},\"tuples\":{},\"rejectedTuples\":{},",
                   records, rejected_records, tuples, rejected_tuples);
  s += fmt::format("\"byVersion\":{{\"1\":{},\"2\":{},\"4\":{}}},", by_version[0], by_version[1],
                   by_version[2]);
  s += fmt::format("\"byState\":{{\"\":{},\"B\":{},\"C\":{},\"E\":{},\"D\":{}}},", by_state[0],
                   by_state[1], by_state[2], by_state[3], by_state[4]);
  s += fmt::format("\"byStatus\":{{\"Allowed\":{},\"Denied\":{}}},", by_status[0], by_status[1]);
  s += fmt::format("\"byDirection\":{{\"Inbound\":{},\"Outbound\":{}}},", by_direction[0],
                   by_direction[1]);
  s += fmt::format("\"byProtocol\":{{\"TCP\":{},\"UDP\":{},\"other\":{}}},", by_protocol[0],
                   by_protocol[1], by_protocol[2]);
  s += fmt::format(
      "\"packetsSrcToDest\":{},\"bytesSrcToDest\":{},\"packetsDestToSrc\":{},\"bytesDestToSrc\":{}"
      ",",
      packets_src_to_dest, bytes_src_to_dest, packets_dest_to_src, bytes_dest_to_src);
  if (tuples > 0) {
    s += fmt::format("\"firstFlowTime\":\"{}\",\"lastFlowTime\":\"{}\",",
                     format_iso8601(first_flow), format_iso8601(last_flow));
  } else {
    s += "\"firstFlowTime\":null,\"lastFlowTime\":null,";
  }
  s += fmt::format("\"macAddresses\":{},", macs.size());
  s += fmt::format("\"errors\":{},\"errorsByCode\":{{", errors);
  bool first = true;
  for (std::size_t c = 0; c < errors_by_code.size(); ++c) {
    if (errors_by_code[c] == 0) continue;
    if (!first) s += ',';
    first = false;
    append_json_string(s, error_code_name(static_cast<ParseErrorCode>(c)));
    s += fmt::format(":{}", errors_by_code[c]);
  }
  s += "}}\n";
  return s;
}

}  // namespace flowlens
