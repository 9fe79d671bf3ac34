#include "common/byte_reader.h"

#include <algorithm>
#include <cstring>

namespace flowlens {

std::size_t MemoryReader::read(char* dst, std::size_t max) {
  std::size_t n = std::min(max, data_.size() - pos_);
  if (max_read_ != 0) n = std::min(n, max_read_);
  std::memcpy(dst, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

}  // namespace flowlens
