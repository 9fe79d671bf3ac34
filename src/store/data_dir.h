// A flowlens data directory:
//
//   DIR/
//     catalog.sqlite   (+ -wal, -shm)   the catalog: what exists, checkpoints, settings
//     LOCK                              held (flock) by the one process allowed to write
//     segments/<Table>/<file>.fls       immutable segment files
//
// Writers hold the lock for their lifetime; readers never take it and see consistent snapshots
// through catalog read transactions. A segment file appears in segments/ before the catalog
// lists it and disappears after the catalog stops listing it; files the catalog does not list
// (left by a crash) are removed when a writer opens the directory.
#pragma once

#include <memory>
#include <string>

#include "store/catalog.h"

namespace flowlens::store {

inline constexpr int kDataFormatVersion = 2;

struct DataDirSettings {
  int interval_minutes = 10;  // rollup interval; fixed when the directory is created
  bool interval_given = false;
};

class DataDir {
 public:
  enum class Mode { kRead, kWrite };

  // Opens the directory. kWrite creates it if needed and takes the writer lock. Throws
  // StoreError with a message for the user (no data yet, another writer, wrong version, ...).
  static std::unique_ptr<DataDir> open(const std::string& path, Mode mode,
                                       const DataDirSettings& settings = {});
  ~DataDir();
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  const std::string& path() const { return path_; }
  Catalog& catalog() { return *catalog_; }
  int interval_minutes() const { return interval_minutes_; }
  Ticks interval() const { return interval_minutes_ * kTicksPerMinute; }
  int retention_days();
  void set_retention_days(int days);

  // Absolute path of a segment file named in the catalog.
  std::string segment_path(const std::string& file) const;
  // A new, unique segment file name for a table (relative, as the catalog stores it).
  std::string new_segment_file(const TableDef& table);
  // Removes segment files the catalog does not list (writer only). Returns how many.
  std::size_t collect_garbage();

 private:
  DataDir() = default;
  std::string path_;
  std::unique_ptr<Catalog> catalog_;
  int lock_fd_ = -1;
  int interval_minutes_ = 10;
  std::uint64_t name_counter_ = 0;
};

// The default data directory: $FLOWLENS_DATA, else ./flowlens-data.
std::string default_data_dir();

}  // namespace flowlens::store
