#include "store/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "store/varint.h"

namespace flowlens::store {
namespace {

constexpr char kHeaderMagic[8] = {'F', 'L', 'W', 'S', 'E', 'G', '0', '1'};
constexpr char kTrailerMagic[8] = {'F', 'L', 'W', 'S', 'E', 'G', 'N', 'D'};
constexpr std::size_t kHeaderSize = 32;
constexpr std::size_t kTrailerSize = 32;

// Compresses `raw` and appends the frame to `out`. One context per thread, reused: creating
// one per block costs more than compressing a small block.
void compress_append(std::string_view raw, int level, std::string& out) {
  static thread_local std::unique_ptr<ZSTD_CCtx, std::size_t (*)(ZSTD_CCtx*)> context(
      ZSTD_createCCtx(), &ZSTD_freeCCtx);
  std::size_t at = out.size();
  out.resize(at + ZSTD_compressBound(raw.size()));
  std::size_t n = ZSTD_compressCCtx(context.get(), out.data() + at, out.size() - at, raw.data(),
                                    raw.size(), level);
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(at + n);
}

std::string compress(std::string_view raw, int level) {
  std::string out;
  compress_append(raw, level, out);
  return out;
}

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path + ": " + std::strerror(errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error(dir + ": fsync: " + std::strerror(errno));
}

bool pread_all(int fd, char* data, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

SegmentWriter::SegmentWriter(std::uint16_t table_id, std::vector<ColumnSpec> columns,
                             int time_column, int zstd_level, std::size_t row_group_rows)
    : table_id_(table_id),
      specs_(std::move(columns)),
      time_column_(time_column),
      zstd_level_(zstd_level),
      row_group_rows_(row_group_rows) {
  builders_.reserve(specs_.size());
  for (const ColumnSpec& c : specs_)
    builders_.emplace_back(c.type, c.kind, c.delta);
}

bool SegmentWriter::row_appended() {
  if (++pending_rows_ < row_group_rows_) return false;
  flush_row_group();
  return true;
}

bool SegmentWriter::rows_appended(std::size_t n) {
  pending_rows_ += n;
  if (pending_rows_ < row_group_rows_) return false;
  flush_row_group();
  return true;
}

void SegmentWriter::flush_row_group() {
  if (pending_rows_ == 0) return;
  RowGroupInfo rg;
  rg.rows = pending_rows_;
  rg.blocks.resize(builders_.size());
  for (std::size_t c = 0; c < builders_.size(); ++c) {
    ColumnBuilder::Stats stats;
    builders_[c].finish(raw_, stats);
    BlockInfo& b = rg.blocks[c];
    std::size_t at = data_.size();
    b.offset = pieces_size_ + at;
    compress_append(raw_, zstd_level_, data_);
    b.compressed_size = data_.size() - at;
    b.raw_size = raw_.size();
    b.checksum = XXH3_64bits(data_.data() + at, b.compressed_size);
    b.has_minmax = stats.has_minmax;
    b.min = stats.min;
    b.max = stats.max;
    if (static_cast<int>(c) == time_column_ && stats.has_minmax) {
      rg.has_time = true;
      rg.min_time = stats.min;
      rg.max_time = stats.max;
      min_time_ = has_time_ ? std::min(min_time_, stats.min) : stats.min;
      max_time_ = has_time_ ? std::max(max_time_, stats.max) : stats.max;
      has_time_ = true;
    }
  }
  rows_ += pending_rows_;
  pending_rows_ = 0;
  row_groups_.push_back(std::move(rg));
}

SegmentFragment SegmentWriter::take_fragment() {
  flush_row_group();
  SegmentFragment f;
  f.row_groups = std::move(row_groups_);
  for (std::string& piece : pieces_)
    f.data += piece;
  f.data += data_;
  pieces_.clear();
  pieces_size_ = 0;
  f.rows = rows_;
  row_groups_.clear();
  data_.clear();
  rows_ = 0;
  has_time_ = false;
  min_time_ = max_time_ = 0;
  return f;
}

void SegmentWriter::append_fragment(SegmentFragment&& fragment) {
  flush_row_group();
  // Kept as a piece of its own: no copy, and the file is written piece by piece.
  if (!data_.empty()) {
    pieces_size_ += data_.size();
    pieces_.push_back(std::move(data_));
    data_.clear();
  }
  std::uint64_t base = pieces_size_;
  pieces_size_ += fragment.data.size();
  pieces_.push_back(std::move(fragment.data));
  for (RowGroupInfo& rg : fragment.row_groups) {
    for (BlockInfo& b : rg.blocks)
      b.offset += base;
    if (rg.has_time) {
      min_time_ = has_time_ ? std::min(min_time_, rg.min_time) : rg.min_time;
      max_time_ = has_time_ ? std::max(max_time_, rg.max_time) : rg.max_time;
      has_time_ = true;
    }
    rows_ += rg.rows;
    row_groups_.push_back(std::move(rg));
  }
}

void SegmentWriter::write(const std::string& path, std::int64_t created) {
  flush_row_group();
  std::string header(kHeaderMagic, 8);
  header += static_cast<char>(kSegmentFormatVersion & 0xff);
  header += static_cast<char>(kSegmentFormatVersion >> 8);
  header += static_cast<char>(table_id_ & 0xff);
  header += static_cast<char>(table_id_ >> 8);
  header.append(4, '\0');
  put_fixed64(header, static_cast<std::uint64_t>(created));
  put_fixed64(header, rows_);

  std::string dir;
  put_varint(dir, kSegmentFormatVersion);
  put_varint(dir, table_id_);
  put_varint(dir, specs_.size());
  for (const ColumnSpec& c : specs_) {
    put_varint(dir, c.name.size());
    dir += c.name;
    dir += static_cast<char>(c.type);
    dir += static_cast<char>(c.kind);
    dir += static_cast<char>(c.delta ? 1 : 0);
  }
  put_varint(dir, static_cast<std::uint64_t>(time_column_ + 1));
  put_varint(dir, row_groups_.size());
  for (const RowGroupInfo& rg : row_groups_) {
    put_varint(dir, rg.rows);
    dir += static_cast<char>(rg.has_time ? 1 : 0);
    put_varint(dir, zigzag(rg.min_time));
    put_varint(dir, zigzag(rg.max_time));
    for (const BlockInfo& b : rg.blocks) {
      put_varint(dir, b.offset + kHeaderSize);
      put_varint(dir, b.compressed_size);
      put_varint(dir, b.raw_size);
      put_fixed64(dir, b.checksum);
      dir += static_cast<char>(b.has_minmax ? 1 : 0);
      put_varint(dir, zigzag(b.min));
      put_varint(dir, zigzag(b.max));
    }
  }
  std::string dir_compressed = compress(dir, zstd_level_);
  std::string trailer;
  put_fixed64(trailer, kHeaderSize + pieces_size_ + data_.size());
  put_fixed64(trailer, dir_compressed.size());
  put_fixed64(trailer, XXH3_64bits(dir_compressed.data(), dir_compressed.size()));
  trailer.append(kTrailerMagic, 8);

  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(tmp + ": " + std::strerror(errno));
  try {
    write_all(fd, header.data(), header.size(), tmp);
    for (const std::string& piece : pieces_)
      write_all(fd, piece.data(), piece.size(), tmp);
    write_all(fd, data_.data(), data_.size(), tmp);
    write_all(fd, dir_compressed.data(), dir_compressed.size(), tmp);
    write_all(fd, trailer.data(), trailer.size(), tmp);
    if (::fsync(fd) != 0) throw std::runtime_error(tmp + ": fsync: " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(path + ": rename: " + std::strerror(errno));
  }
  fsync_directory(std::filesystem::path(path).parent_path().string());
}

SegmentReader::~SegmentReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<SegmentReader> SegmentReader::open(const std::string& path, std::string& error) {
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->path_ = path;
  r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st;
  if (::fstat(r->fd_, &st) != 0 || st.st_size < static_cast<off_t>(kHeaderSize + kTrailerSize)) {
    error = path + ": too short to be a segment";
    return nullptr;
  }
  r->file_size_ = static_cast<std::uint64_t>(st.st_size);
  char header[kHeaderSize], trailer[kTrailerSize];
  if (!pread_all(r->fd_, header, kHeaderSize, 0) ||
      !pread_all(r->fd_, trailer, kTrailerSize, r->file_size_ - kTrailerSize)) {
    error = path + ": cannot read";
    return nullptr;
  }
  if (std::memcmp(header, kHeaderMagic, 8) != 0 ||
      std::memcmp(trailer + 24, kTrailerMagic, 8) != 0) {
    error = path + ": not a flowlens segment (bad magic)";
    return nullptr;
  }
  auto version = static_cast<std::uint16_t>(static_cast<std::uint8_t>(header[8]) |
                                            static_cast<std::uint8_t>(header[9]) << 8);
  if (version != kSegmentFormatVersion) {
    error = path + ": segment format version " + std::to_string(version) + " is not supported";
    return nullptr;
  }
  r->table_id_ = static_cast<std::uint16_t>(static_cast<std::uint8_t>(header[10]) |
                                            static_cast<std::uint8_t>(header[11]) << 8);
  r->created_ = static_cast<std::int64_t>(get_fixed64(header + 16));
  r->rows_ = get_fixed64(header + 24);
  std::uint64_t dir_offset = get_fixed64(trailer);
  std::uint64_t dir_size = get_fixed64(trailer + 8);
  std::uint64_t dir_checksum = get_fixed64(trailer + 16);
  if (dir_offset < kHeaderSize || dir_size > r->file_size_ ||
      dir_offset + dir_size != r->file_size_ - kTrailerSize) {
    error = path + ": corrupt trailer";
    return nullptr;
  }
  std::string compressed(dir_size, '\0');
  if (!pread_all(r->fd_, compressed.data(), dir_size, dir_offset) ||
      XXH3_64bits(compressed.data(), compressed.size()) != dir_checksum) {
    error = path + ": directory checksum mismatch";
    return nullptr;
  }
  unsigned long long raw_size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > (64u << 20)) {
    error = path + ": corrupt directory";
    return nullptr;
  }
  std::string dir(raw_size, '\0');
  if (ZSTD_isError(ZSTD_decompress(dir.data(), dir.size(), compressed.data(), compressed.size()))) {
    error = path + ": corrupt directory";
    return nullptr;
  }
  std::size_t pos = 0;
  std::uint64_t v = 0, columns = 0;
  auto bad = [&] {
    error = path + ": malformed directory";
    return nullptr;
  };
  if (!get_varint(dir, pos, v) || v != kSegmentFormatVersion) return bad();
  if (!get_varint(dir, pos, v) || v != r->table_id_) return bad();
  if (!get_varint(dir, pos, columns) || columns > 4096) return bad();
  for (std::uint64_t c = 0; c < columns; ++c) {
    std::uint64_t len = 0;
    if (!get_varint(dir, pos, len) || dir.size() - pos < len + 3) return bad();
    ColumnSpec spec;
    spec.name = dir.substr(pos, len);
    pos += len;
    spec.type = static_cast<ColumnType>(dir[pos++]);
    spec.kind = static_cast<StringKind>(dir[pos++]);
    spec.delta = dir[pos++] != 0;
    r->columns_.push_back(std::move(spec));
  }
  if (!get_varint(dir, pos, v) || v > columns) return bad();
  r->time_column_ = static_cast<int>(v) - 1;
  std::uint64_t groups = 0;
  if (!get_varint(dir, pos, groups) || groups > r->rows_ + 1) return bad();
  std::uint64_t total_rows = 0;
  for (std::uint64_t g = 0; g < groups; ++g) {
    RowGroupInfo rg;
    if (!get_varint(dir, pos, rg.rows) || pos >= dir.size()) return bad();
    rg.has_time = dir[pos++] != 0;
    if (!get_varint(dir, pos, v)) return bad();
    rg.min_time = unzigzag(v);
    if (!get_varint(dir, pos, v)) return bad();
    rg.max_time = unzigzag(v);
    for (std::uint64_t c = 0; c < columns; ++c) {
      BlockInfo b;
      if (!get_varint(dir, pos, b.offset) || !get_varint(dir, pos, b.compressed_size) ||
          !get_varint(dir, pos, b.raw_size) || dir.size() - pos < 9) {
        return bad();
      }
      b.checksum = get_fixed64(dir.data() + pos);
      pos += 8;
      b.has_minmax = dir[pos++] != 0;
      if (!get_varint(dir, pos, v)) return bad();
      b.min = unzigzag(v);
      if (!get_varint(dir, pos, v)) return bad();
      b.max = unzigzag(v);
      if (b.offset < kHeaderSize || b.offset + b.compressed_size > dir_offset) return bad();
      rg.blocks.push_back(b);
    }
    total_rows += rg.rows;
    r->row_groups_.push_back(std::move(rg));
  }
  if (pos != dir.size() || total_rows != r->rows_) return bad();
  return r;
}

int SegmentReader::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool SegmentReader::read(std::size_t row_group, std::size_t column, ColumnData& out,
                         std::string& error) const {
  const BlockInfo& b = row_groups_.at(row_group).blocks.at(column);
  std::string compressed(b.compressed_size, '\0');
  if (!pread_all(fd_, compressed.data(), b.compressed_size, b.offset)) {
    error = path_ + ": cannot read block";
    return false;
  }
  if (XXH3_64bits(compressed.data(), compressed.size()) != b.checksum) {
    error = path_ + ": block checksum mismatch (row group " + std::to_string(row_group) +
            ", column " + columns_[column].name + ")";
    return false;
  }
  std::string raw(b.raw_size, '\0');
  static thread_local std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> context(
      ZSTD_createDCtx(), &ZSTD_freeDCtx);
  std::size_t n = ZSTD_decompressDCtx(context.get(), raw.data(), raw.size(), compressed.data(),
                                      compressed.size());
  if (ZSTD_isError(n) || n != b.raw_size) {
    error = path_ + ": corrupt block";
    return false;
  }
  if (!decode_column(raw, columns_[column].type, out, error)) {
    error = path_ + ": " + error;
    return false;
  }
  if (out.size() != row_groups_[row_group].rows) {
    error = path_ + ": block row count mismatch";
    return false;
  }
  return true;
}

}  // namespace flowlens::store
