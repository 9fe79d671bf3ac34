// Limits that keep the parser's memory bounded whatever the input. Defaults are far above any
// real flow-log value and are configurable from the command line.
#pragma once

#include <cstddef>

namespace flowlens {

struct ParseLimits {
  // A record (one NIC-minute) larger than this is rejected. Azure's busiest NICs write a few MB.
  std::size_t max_record_bytes = 64u << 20;
  // Input bytes per chunk handed to a worker.
  std::size_t chunk_bytes = 1u << 20;
  // Longest accepted record-level string (ARM ids, ACL ids, rule names, times, MACs).
  std::size_t max_string_bytes = 4096;
};

}  // namespace flowlens
