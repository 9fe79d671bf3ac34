// The identity of a blob's first bytes by its committed blocks (docs/blob-source-design.md).
//
// Azure grows a flow-log blob by committing a new block list in which new data blocks are
// inserted before the closing `]}` block; the blocks holding the bytes before the last complete
// record never change. So the bytes [0, offset) of two versions of a blob are the same when the
// blocks that start before `offset` are the same blocks (IDs and sizes, in order): a checkpoint
// keeps their digest and count, and a grown blob is continued without downloading its prefix.
// A writer that re-uploads different content under an old block ID defeats this (Azure's does
// not; docs/blob.md says so).
#pragma once

#include <cstdint>
#include <vector>

#include "blob/blob_xml.h"

namespace flowlens::ingest {

struct BlockPrefix {
  std::uint64_t count = 0;   // blocks that start before the offset
  std::uint64_t digest = 0;  // XXH3-64 over their IDs and sizes

  bool operator==(const BlockPrefix&) const = default;
};

// The blocks of `blocks` (a committed list, in blob order) that start before `offset`. When the
// list ends before `offset` (it does not cover the bytes), the count includes them all and the
// caller compares sizes separately.
BlockPrefix block_prefix(const std::vector<blob::Block>& blocks, std::uint64_t offset);

}  // namespace flowlens::ingest
