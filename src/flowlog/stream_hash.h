// StreamHash: an XXH3-64 hash computed incrementally over a byte stream, copyable so that a
// tentative continuation can be kept or dropped.
#pragma once

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flowlens {

class StreamHash {
 public:
  StreamHash();
  StreamHash(const StreamHash& other) : StreamHash() {
    XXH3_copyState(state_.get(), other.state_.get());
  }
  StreamHash& operator=(const StreamHash& other) {
    if (this == &other) return *this;
    if (!state_) state_.reset(XXH3_createState());  // every byte is overwritten by the copy
    XXH3_copyState(state_.get(), other.state_.get());
    return *this;
  }
  // Moves hand the state over (chunks carry one through the pipeline's queues); a moved-from
  // hash may only be assigned to or destroyed.
  StreamHash(StreamHash&&) noexcept = default;
  StreamHash& operator=(StreamHash&& other) noexcept {
    state_.swap(other.state_);
    return *this;
  }
  void update(const char* data, std::size_t size) { XXH3_64bits_update(state_.get(), data, size); }
  void update(std::string_view s) { update(s.data(), s.size()); }
  // The hash of everything so far; the state stays usable.
  std::uint64_t digest() const { return XXH3_64bits_digest(state_.get()); }

  // The state as bytes, so that another process can continue the hash (a blob's checkpoint:
  // continuing a grown blob must not download its prefix again). The bytes are xxHash's state
  // layout behind a header naming the library version and the state's size; restore() returns
  // nullopt for bytes of another version or layout, and the caller hashes the bytes again.
  std::string serialize() const;
  static std::optional<StreamHash> restore(std::string_view bytes);

 private:
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state_;
};

}  // namespace flowlens
