#include "flowlog/chunk.h"

namespace flowlens {

Buffer BufferPool::acquire(std::size_t min_capacity) {
  std::size_t want = min_capacity > default_capacity_ ? min_capacity : default_capacity_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].capacity >= want) {
        Buffer b = std::move(free_[i]);
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        return b;
      }
    }
  }
  Buffer b;
  b.bytes.reset(new char[want + kBufferPadding]);
  b.capacity = want;
  return b;
}

void BufferPool::release(Buffer buffer) {
  if (!buffer.bytes || buffer.capacity > 2 * default_capacity_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < max_pooled_) free_.push_back(std::move(buffer));
}

}  // namespace flowlens
