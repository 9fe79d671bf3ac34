// Flow-log blobs of a storage-account container as inputs of the ingest job
// (docs/blob-source-design.md; this is its first step).
//
// A blob input is named `container/blob-name`, which is also its source key: the key a
// downloaded copy of the container gets (source_identity.h), so a blob stored once from a
// download and later from the account is one source. Its bytes are read with ranged GETs pinned
// to the ETag the listing returned; a blob committed again while being read, or deleted, is a
// read error of that input (the next run reads it again from its checkpoint).
//
// First step, deliberately simple: a grown blob is matched to its checkpoint like a file, by
// hashing its first bytes again, which downloads them again. Reading only the new blocks
// (block-list digests and a stored hash state in the checkpoint) is the next step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_endpoint.h"
#include "common/byte_reader.h"
#include "flowlog/stream_hash.h"

namespace flowlens::ingest {

struct BlobInput {
  std::string container;
  std::string blob;        // the name inside the container
  std::uint64_t size = 0;  // committed size when listed
  std::int64_t mtime = 0;  // Last-Modified when listed, ns since the epoch (seconds precision)
  std::string etag;        // when listed; every read is pinned to it

  std::string name() const { return container + "/" + blob; }
};

// Every block blob under `prefix` whose name ends in .json, in name order (chronological for
// Azure's y=/m=/d=/h= layout). Throws blob::BlobError (with a message that says what to do and
// holds no secret) when the container cannot be listed.
std::vector<BlobInput> list_blob_inputs(const blob::BlobSource& source,
                                        const std::string& container, const std::string& prefix);

// A reader of the blob's bytes [0, size) as listed; skip() moves without downloading.
std::unique_ptr<ByteReader> open_blob(const blob::BlobSource& source, const BlobInput& input);

// The hash of the blob's first `length` bytes (downloaded); nullopt when it is shorter, changed
// or gone.
std::optional<StreamHash> hash_blob_prefix(const blob::BlobSource& source, const BlobInput& input,
                                           std::uint64_t length);

}  // namespace flowlens::ingest
