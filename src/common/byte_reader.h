// ByteReader: the one interface every input (a local file, stdin, later a blob range) offers to
// the flow-log parser. The parser pulls bytes in large reads and never seeks, so a 2 GB file
// or an endless pipe is streamed with bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flowlens {

// Thrown by a ByteReader when the underlying input fails (I/O error, file vanished). The
// parser turns it into a `read_failed` error for that input and goes on with the next one.
class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by a ByteReader whose input was replaced or removed at its source while being read (a
// blob committed again or deleted): what was read is valid, the rest belongs to another version
// or to none. Not a problem of the input: the parser ends it cleanly after its last complete
// record, and the next run continues from there.
class InputSuperseded : public ReadError {
 public:
  using ReadError::ReadError;
};

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Copies up to `max` bytes into `dst`; returns the number copied, 0 only at end of input.
  virtual std::size_t read(char* dst, std::size_t max) = 0;
  // Moves `n` bytes forward, reading and discarding them unless the input can seek. Returns
  // the number of bytes skipped (less only at end of input).
  virtual std::uint64_t skip(std::uint64_t n);
};

// Serves bytes from memory. Used by tests, the fuzzer and the generator's self-checks. With
// `max_read` set it returns at most that many bytes per call, which exercises every code path
// that handles records split across reads.
class MemoryReader final : public ByteReader {
 public:
  explicit MemoryReader(std::string_view data, std::size_t max_read = 0)
      : data_(data), max_read_(max_read) {}
  std::size_t read(char* dst, std::size_t max) override;

 private:
  std::string_view data_;
  std::size_t max_read_;
  std::size_t pos_ = 0;
};

}  // namespace flowlens
