// Which source an input is, and whether it changed since it was last ingested.
//
// A source's identity is its blob name when the path holds Azure's container layout (from the
// `insights-logs-...` folder down: the same blob downloaded to two places, or mounted under
// another root, is one source), else its absolute path. Standard input is named by the user.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "flowlog/stream_hash.h"

namespace flowlens::ingest {

// The source key of a file path (see above).
std::string source_key(const std::string& path);

struct FileState {
  std::uint64_t size = 0;
  std::int64_t mtime = 0;  // nanoseconds since the epoch
};
std::optional<FileState> file_state(const std::string& path);

// The hash of the first `length` bytes of a file, as a StreamHash that can continue; nullopt
// when the file is shorter or unreadable.
std::optional<StreamHash> hash_prefix(const std::string& path, std::uint64_t length);

// What comparing an input's first bytes (up to its checkpoint) with the checkpoint found.
struct PrefixCheck {
  enum class Outcome {
    kHashed,   // `hash` is the hash state after them, to compare with the checkpoint's
    kDiffers,  // the input is shorter than the checkpoint, or unreadable as a whole (a file)
    kUnknown,  // they could not be read now (a blob committed again or unreachable): `why`
    kFailed,   // they cannot be read (permission, an archived blob...): `why`, an error
  };
  Outcome outcome = Outcome::kDiffers;
  StreamHash hash;
  std::string why;
};

}  // namespace flowlens::ingest
