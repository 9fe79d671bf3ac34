#include "common/byte_reader.h"

#include <algorithm>
#include <cstring>

namespace flowlens {

std::uint64_t ByteReader::skip(std::uint64_t n) {
  char buf[64 * 1024];
  std::uint64_t done = 0;
  while (done < n) {
    std::size_t got =
        read(buf, static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf, n - done)));
    if (got == 0) break;
    done += got;
  }
  return done;
}

std::size_t MemoryReader::read(char* dst, std::size_t max) {
  std::size_t n = std::min(max, data_.size() - pos_);
  if (max_read_ != 0) n = std::min(n, max_read_);
  std::memcpy(dst, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

}  // namespace flowlens
