// ByteReaders over POSIX file descriptors: regular files and stdin.
#pragma once

#include <string>

#include "common/byte_reader.h"

namespace flowlens {

class FileReader final : public ByteReader {
 public:
  // Opens `path` for reading; throws ReadError naming the path and the system's reason.
  explicit FileReader(const std::string& path);
  // Reads an already open descriptor (stdin). Does not close it.
  static FileReader from_descriptor(int fd, std::string name);
  ~FileReader() override;
  FileReader(FileReader&& other) noexcept;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  FileReader& operator=(FileReader&&) = delete;

  std::size_t read(char* dst, std::size_t max) override;
  std::uint64_t skip(std::uint64_t n) override;

 private:
  FileReader(int fd, std::string name, bool owned);
  int fd_ = -1;
  std::string name_;
  bool owned_ = true;
  bool regular_ = false;  // a regular file (reads fill the buffer) rather than a pipe
};

}  // namespace flowlens
