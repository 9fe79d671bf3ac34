// `flowlens gen`: writes a deterministic, realistic flow-log dataset in Azure's storage layout
// (design §2), or streams it as one document for stress tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/timestamp.h"
#include "gen/blob_writer.h"
#include "gen/world.h"

namespace flowlens::gen {

struct GenOptions {
  std::string out;  // directory, or "-" for one document on stdout
  std::uint64_t seed = 1;
  Ticks start = 0;  // rounded down to the hour
  int hours = 24;
  Scale scale = Scale::kSmall;
  LogKind kind = LogKind::kVNet;
  bool in_progress = false;  // the last hour's blobs stop mid-hour, without `]}`
  bool force = false;        // replace an existing container folder
  unsigned threads = 0;      // 0: one per hardware thread
};

// Called from the writing threads now and then: blobs done, blobs total, bytes written.
using GenProgress = std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>;

// Generates the dataset and returns its totals. Throws std::runtime_error on I/O problems or
// when the container folder exists and `force` is off.
BlobStats generate(const GenOptions& options, const GenProgress& progress);

}  // namespace flowlens::gen
