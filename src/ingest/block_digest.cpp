#include "ingest/block_digest.h"

#include <xxhash.h>

#include <memory>
#include <string>

namespace flowlens::ingest {

BlockPrefix block_prefix(const std::vector<blob::Block>& blocks, std::uint64_t offset) {
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(),
                                                                        &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  BlockPrefix out;
  std::uint64_t start = 0;
  for (const blob::Block& b : blocks) {
    if (start >= offset) break;
    // Each ID with its length first, so that no two lists hash the same bytes.
    std::uint64_t fields[2] = {b.name.size(), b.size};
    XXH3_64bits_update(state.get(), fields, sizeof fields);
    XXH3_64bits_update(state.get(), b.name.data(), b.name.size());
    ++out.count;
    start += b.size;
  }
  out.digest = XXH3_64bits_digest(state.get());
  return out;
}

}  // namespace flowlens::ingest
