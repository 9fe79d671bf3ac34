// XXH_STATIC_LINKING_ONLY exposes XXH3_state_t's definition (its size and layout), which the
// serialized form copies. It must be defined before the first inclusion of xxhash.h here.
#define XXH_STATIC_LINKING_ONLY
#include "flowlog/stream_hash.h"

#include <cstring>

namespace flowlens {
namespace {

constexpr char kMagic[4] = {'X', 'X', 'H', '3'};

struct Header {
  char magic[4];
  std::uint32_t version;     // XXH_versionNumber() of the library that wrote it
  std::uint32_t state_size;  // sizeof(XXH3_state_t) there
};

}  // namespace

StreamHash::StreamHash() : state_(XXH3_createState(), &XXH3_freeState) {
  // xxHash leaves parts of a new state uninitialised (the seeded secret, the unused end of its
  // buffer, padding); serialize() writes the whole state, so it must hold no stray heap bytes.
  std::memset(static_cast<void*>(state_.get()), 0, sizeof(XXH3_state_t));
  XXH3_64bits_reset(state_.get());
}

std::string StreamHash::serialize() const {
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.version = XXH_versionNumber();
  header.state_size = sizeof(XXH3_state_t);
  std::string out(sizeof header + sizeof(XXH3_state_t), '\0');
  std::memcpy(out.data(), &header, sizeof header);
  // The state points at the library's default secret (XXH3_64bits_reset), an address of
  // this process: it is written as null and put back by restore().
  XXH3_state_t copy;
  XXH3_copyState(&copy, state_.get());
  copy.extSecret = nullptr;
  std::memcpy(out.data() + sizeof header, static_cast<const void*>(&copy), sizeof copy);
  return out;
}

std::optional<StreamHash> StreamHash::restore(std::string_view bytes) {
  Header header{};
  if (bytes.size() != sizeof header + sizeof(XXH3_state_t)) return std::nullopt;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 ||
      header.version != XXH_versionNumber() || header.state_size != sizeof(XXH3_state_t)) {
    return std::nullopt;
  }
  StreamHash hash;    // freshly reset: its extSecret is this process's default secret
  XXH3_state_t copy;  // aligned as the type requires, unlike the string's bytes
  std::memcpy(static_cast<void*>(&copy), bytes.data() + sizeof header, sizeof copy);
  // Only unseeded states are written (StreamHash makes no other kind), and a state that could
  // make xxHash read or write out of bounds (a damaged row) is refused.
  const XXH3_state_t& fresh = *hash.state_;
  if (copy.extSecret != nullptr || copy.seed != 0 || copy.useSeed != 0 ||
      copy.bufferedSize > sizeof copy.buffer || copy.secretLimit != fresh.secretLimit ||
      copy.nbStripesPerBlock != fresh.nbStripesPerBlock ||
      copy.nbStripesSoFar >= copy.nbStripesPerBlock) {
    return std::nullopt;
  }
  copy.extSecret = fresh.extSecret;
  XXH3_copyState(hash.state_.get(), &copy);
  return hash;
}

}  // namespace flowlens
