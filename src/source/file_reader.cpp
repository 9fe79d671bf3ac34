#include "source/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flowlens {

FileReader::FileReader(const std::string& path) : name_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw ReadError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      throw ReadError(path + ": is a directory");
    }
    regular_ = S_ISREG(st.st_mode);
  }
  // Flow logs are read front to back once: let the kernel read ahead aggressively.
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

FileReader::FileReader(int fd, std::string name, bool owned)
    : fd_(fd), name_(std::move(name)), owned_(owned) {
  struct stat st;
  regular_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
}

FileReader FileReader::from_descriptor(int fd, std::string name) {
  return FileReader(fd, std::move(name), false);
}

FileReader::FileReader(FileReader&& other) noexcept
    : fd_(other.fd_),
      name_(std::move(other.name_)),
      owned_(other.owned_),
      regular_(other.regular_) {
  other.fd_ = -1;
}

FileReader::~FileReader() {
  if (fd_ >= 0 && owned_) ::close(fd_);
}

std::uint64_t FileReader::skip(std::uint64_t n) {
  if (!regular_) return ByteReader::skip(n);
  off_t here = ::lseek(fd_, 0, SEEK_CUR);
  off_t end = ::lseek(fd_, 0, SEEK_END);
  if (here < 0 || end < 0) throw ReadError(name_ + ": " + std::strerror(errno));
  auto step =
      static_cast<off_t>(std::min<std::uint64_t>(n, static_cast<std::uint64_t>(end - here)));
  if (::lseek(fd_, here + step, SEEK_SET) < 0) throw ReadError(name_ + ": " + std::strerror(errno));
  return static_cast<std::uint64_t>(step);
}

std::size_t FileReader::read(char* dst, std::size_t max) {
  std::size_t total = 0;
  // Fill as much of the request as the input allows; pipes deliver in small pieces.
  while (total < max) {
    ssize_t n = ::read(fd_, dst + total, max - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ReadError(name_ + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
    if (!regular_) break;  // a pipe: return what arrived rather than wait for a full buffer
  }
  return total;
}

}  // namespace flowlens
