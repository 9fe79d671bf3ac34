#include "store/data_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

namespace flowlens::store {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::string default_data_dir() {
  const char* env = std::getenv("FLOWLENS_DATA");
  return env != nullptr && *env != '\0' ? env : "flowlens-data";
}

std::unique_ptr<DataDir> DataDir::open(const std::string& path, Mode mode,
                                       const DataDirSettings& settings) {
  std::unique_ptr<DataDir> d(new DataDir());
  d->path_ = path;
  std::error_code ec;
  fs::path catalog_path = fs::path(path) / "catalog.sqlite";
  bool exists = fs::exists(catalog_path, ec);
  if (mode == Mode::kRead && !exists) {
    throw StoreError(
        fmt::format("no flowlens data in {} (run `flowlens ingest --data {} ...` "
                    "first)",
                    path, path));
  }
  if (mode == Mode::kWrite) {
    fs::create_directories(fs::path(path) / "segments", ec);
    if (ec) throw StoreError(fmt::format("cannot create {}: {}", path, ec.message()));
    std::string lock = (fs::path(path) / "LOCK").string();
    d->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->lock_fd_ < 0) throw StoreError(fmt::format("{}: {}", lock, std::strerror(errno)));
    if (::flock(d->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      throw StoreError(
          fmt::format("another flowlens process is writing to {}; wait for it to "
                      "finish",
                      path));
    }
  }
  // A new directory's settings are committed together with the catalog schema.
  d->catalog_ =
      std::make_unique<Catalog>(catalog_path.string(), mode == Mode::kWrite,
                                std::vector<std::pair<std::string, std::string>>{
                                    {"format_version", std::to_string(kDataFormatVersion)},
                                    {"interval_minutes", std::to_string(settings.interval_minutes)},
                                    {"retention_days", "0"},
                                    {"created", std::to_string(now_ticks())}});
  Catalog& c = *d->catalog_;
  auto format = c.meta("format_version");
  auto interval = c.meta("interval_minutes");
  if (!format) {
    // Only a catalog left by an interrupted first run of an older flowlens lacks this; it
    // holds nothing yet.
    if (mode == Mode::kRead) {
      throw StoreError(
          fmt::format("no flowlens data in {} (run `flowlens ingest --data {} ...` "
                      "first)",
                      path, path));
    }
    Catalog::Transaction t(c, true);
    c.set_meta("format_version", std::to_string(kDataFormatVersion));
    c.set_meta("interval_minutes", std::to_string(settings.interval_minutes));
    c.set_meta("retention_days", "0");
    c.set_meta("created", std::to_string(now_ticks()));
    t.commit();
    d->interval_minutes_ = settings.interval_minutes;
  } else {
    if (*format != std::to_string(kDataFormatVersion)) {
      throw StoreError(
          fmt::format("{} holds data format version {}; this flowlens reads "
                      "version {}",
                      path, *format, kDataFormatVersion));
    }
    d->interval_minutes_ = interval ? std::atoi(interval->c_str()) : 10;
    if (settings.interval_given && settings.interval_minutes != d->interval_minutes_) {
      throw StoreError(
          fmt::format("{} rolls up per {} minutes; it cannot change to {} (use "
                      "another --data directory)",
                      path, d->interval_minutes_, settings.interval_minutes));
    }
  }
  if (mode == Mode::kWrite) d->collect_garbage();
  return d;
}

DataDir::~DataDir() {
  catalog_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

int DataDir::retention_days() {
  auto v = catalog_->meta("retention_days");
  return v ? std::atoi(v->c_str()) : 0;
}

void DataDir::set_retention_days(int days) {
  catalog_->set_meta("retention_days", std::to_string(days));
}

std::string DataDir::segment_path(const std::string& file) const {
  return (fs::path(path_) / "segments" / file).string();
}

std::string DataDir::new_segment_file(const TableDef& table) {
  // Unique across processes and crashes: time, pid, a per-process counter and random bits.
  static thread_local std::mt19937_64 rng(std::random_device{}());
  fs::create_directories(fs::path(path_) / "segments" / std::string(table.name));
  return fmt::format("{}/{}-{}-{}-{:08x}.fls", table.name, now_ticks(), ::getpid(), name_counter_++,
                     static_cast<std::uint32_t>(rng()));
}

std::size_t DataDir::collect_garbage() {
  std::set<std::string> live;
  for (const SegmentRecord& s : catalog_->segments())
    live.insert(s.file);
  std::size_t removed = 0;
  std::error_code ec;
  fs::path root = fs::path(path_) / "segments";
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), root, ec).string();
    if (live.count(rel) == 0) {
      fs::remove(it->path(), ec);
      ++removed;
    }
  }
  // Spooled standard input of a run that did not finish.
  fs::remove_all(fs::path(path_) / "tmp", ec);
  return removed;
}

}  // namespace flowlens::store
