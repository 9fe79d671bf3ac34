#include "ingest/source_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

namespace flowlens::ingest {

std::string source_key(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  std::string normal = absolute.lexically_normal().generic_string();
  std::size_t at = normal.find("/insights-logs-");
  if (at != std::string::npos) return normal.substr(at + 1);
  return normal;
}

std::optional<FileState> file_state(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileState{
      static_cast<std::uint64_t>(st.st_size),
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::optional<StreamHash> hash_prefix(const std::string& path, std::uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  StreamHash hash;
  constexpr std::size_t kBlock = 1 << 20;
  auto buffer = std::make_unique<char[]>(kBlock);
  std::uint64_t left = length;
  while (left > 0) {
    ssize_t n = ::read(fd, buffer.get(), left < kBlock ? static_cast<std::size_t>(left) : kBlock);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    hash.update(buffer.get(), static_cast<std::size_t>(n));
    left -= static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return hash;
}

}  // namespace flowlens::ingest
