// StringArena: owns copies of many short strings and hands out string_views to them. Views stay
// valid until the arena is cleared or destroyed; moving the arena keeps them valid too (blocks
// are heap-allocated and never move).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace flowlens {

class StringArena {
 public:
  StringArena() = default;
  // A moved-from arena is empty and usable (it must not keep writing into moved blocks).
  StringArena(StringArena&& other) noexcept
      : blocks_(std::move(other.blocks_)),
        cursor_(std::exchange(other.cursor_, nullptr)),
        remaining_(std::exchange(other.remaining_, 0)),
        block_size_(std::exchange(other.block_size_, 0)) {}
  StringArena& operator=(StringArena&& other) noexcept {
    blocks_ = std::move(other.blocks_);
    cursor_ = std::exchange(other.cursor_, nullptr);
    remaining_ = std::exchange(other.remaining_, 0);
    block_size_ = std::exchange(other.block_size_, 0);
    return *this;
  }
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > remaining_) grow(s.size());
    char* dst = cursor_;
    std::memcpy(dst, s.data(), s.size());
    cursor_ += s.size();
    remaining_ -= s.size();
    return {dst, s.size()};
  }
  void clear() {
    if (blocks_.size() > 1) blocks_.erase(blocks_.begin(), blocks_.end() - 1);
    if (!blocks_.empty()) {
      cursor_ = blocks_.back().get();
      remaining_ = block_size_;
    }
  }

 private:
  static constexpr std::size_t kBlockSize = 64 * 1024;
  void grow(std::size_t need) {
    std::size_t size = need > kBlockSize ? need : kBlockSize;
    blocks_.push_back(std::make_unique<char[]>(size));
    cursor_ = blocks_.back().get();
    remaining_ = size;
    block_size_ = size;
  }
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  std::size_t remaining_ = 0;
  std::size_t block_size_ = 0;
};

}  // namespace flowlens
