// Flow-log blobs of a storage-account container as inputs of the ingest job
// (docs/blob-source-design.md; this is its first step).
//
// A blob input is named `container/blob-name`, which is also its source key: the key a
// downloaded copy of the container gets (source_identity.h), so a blob stored once from a
// download and later from the account is one source. Its bytes are read with ranged GETs pinned
// to the ETag the listing returned; a blob committed again while being read, or deleted, is a
// read error of that input (the next run reads it again from its checkpoint).
//
// A grown blob is continued from its checkpoint without downloading its first bytes again when
// its committed blocks before the checkpoint are unchanged (block_digest.h) and the checkpoint
// holds the hash state there; otherwise (an older checkpoint, another xxHash build) its prefix
// is downloaded and hashed like a file's (hash_blob_prefix).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_client.h"
#include "blob/blob_endpoint.h"
#include "common/byte_reader.h"
#include "common/timestamp.h"
#include "flowlog/stream_hash.h"
#include "ingest/source_identity.h"

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

// The hour a flow-log blob holds, from the y=YYYY/m=MM/d=DD/h=HH segments of its name (Azure's
// layout for VNet and NSG flow logs); nullopt when the name has none.
std::optional<Ticks> blob_hour(const std::string& name);

// A reader of the blob's bytes [0, size) as listed; skip() moves without downloading. The bytes
// it downloads are added to `downloaded` when given. It uses `client` (not thread-safe: one
// reader at a time), whose connection is reused from one blob to the next.
std::unique_ptr<ByteReader> open_blob(blob::BlobClient& client, const BlobInput& input,
                                      std::atomic<std::uint64_t>* downloaded = nullptr);

// The hash of a blob's first `length` bytes, downloaded: kDiffers when the blob is shorter,
// kUnknown when it was committed again, deleted or unreachable while read (try later), kFailed
// when it cannot be read (credential, permission, blob state).
PrefixCheck hash_blob_prefix(blob::BlobClient& client, const BlobInput& input, std::uint64_t length,
                             std::atomic<std::uint64_t>* downloaded = nullptr);

}  // namespace flowlens::ingest
