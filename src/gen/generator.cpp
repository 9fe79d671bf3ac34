#include "gen/generator.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gen/random.h"

namespace flowlens::gen {
namespace {

namespace fs = std::filesystem;

const char* container_of(LogKind kind) {
  return kind == LogKind::kVNet ? "insights-logs-flowlogflowevent"
                                : "insights-logs-networksecuritygroupflowevent";
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error(fmt::format("cannot create {}", path.string()));
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

// Minutes written into the blobs of the last hour when it is still "in progress".
int in_progress_minutes(std::uint64_t seed) {
  Rng rng(mix_seed(seed, 0x1b9));
  return 15 + static_cast<int>(rng.below(30));
}

}  // namespace

BlobStats generate(const GenOptions& o, const GenProgress& progress) {
  World world = build_world(o.seed, o.scale);
  std::int64_t first_hour = o.start / kTicksPerHour;
  if (o.start < 0 && o.start % kTicksPerHour != 0) --first_hour;

  std::vector<BlobRequest> requests;
  for (int h = 0; h < o.hours; ++h) {
    for (std::size_t nic = 0; nic < world.nics.size(); ++nic) {
      BlobRequest r{nic, first_hour + h, o.kind, 60};
      if (o.in_progress && h == o.hours - 1) r.minutes = in_progress_minutes(o.seed);
      requests.push_back(r);
    }
  }

  const bool to_stdout = o.out == "-";
  if (!to_stdout) {
    fs::path container = fs::path(o.out) / container_of(o.kind);
    if (fs::exists(container)) {
      if (!o.force) {
        throw std::runtime_error(
            fmt::format("{} already exists; pass --force to replace it", container.string()));
      }
      fs::remove_all(container);
    }
    fs::create_directories(o.out);
  }

  unsigned threads = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done{0}, written{0};
  std::mutex mutex;
  BlobStats totals;
  std::exception_ptr failure;

  // Stdout mode: blobs are rendered in parallel but emitted in request order, their records
  // joined into one {"records":[...]} document.
  std::map<std::size_t, std::string> ready;
  std::size_t next_to_emit = 0;
  bool wrote_record = false;
  std::uint64_t stdout_bytes = 12;
  std::condition_variable emitted;
  if (to_stdout) std::fputs("{\"records\":[", stdout);
  const std::size_t window = threads * 4;

  auto worker = [&] {
    std::string blob;
    try {
      for (;;) {
        std::size_t i = next.fetch_add(1);
        if (i >= requests.size()) break;
        if (to_stdout) {
          std::unique_lock<std::mutex> lock(mutex);
          emitted.wait(lock, [&] { return i < next_to_emit + window || failure; });
          if (failure) break;
        }
        BlobStats stats = render_blob(world, o.seed, requests[i], blob);
        if (!to_stdout) {
          if (!blob.empty()) write_file(fs::path(o.out) / blob_path(world, requests[i]), blob);
        } else {
          // Keep only the records: drop `{"records":[` and a closing `]}`.
          std::string records;
          if (!blob.empty()) {
            std::size_t end = blob.size();
            if (requests[i].minutes >= 60) end -= 2;
            records.assign(blob, 12, end - 12);
          }
          std::unique_lock<std::mutex> lock(mutex);
          ready.emplace(i, std::move(records));
          while (!ready.empty() && ready.begin()->first == next_to_emit) {
            std::string& r = ready.begin()->second;
            if (!r.empty()) {
              if (wrote_record) {
                std::fputc(',', stdout);
                ++stdout_bytes;
              }
              std::fwrite(r.data(), 1, r.size(), stdout);
              stdout_bytes += r.size();
              wrote_record = true;
            }
            ready.erase(ready.begin());
            ++next_to_emit;
          }
          emitted.notify_all();
        }
        {
          std::lock_guard<std::mutex> lock(mutex);
          totals.merge(stats);
        }
        std::uint64_t d = ++done;
        std::uint64_t bytes = written += stats.bytes;
        if (progress) progress(d, requests.size(), bytes);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!failure) failure = std::current_exception();
      emitted.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back(worker);
  for (auto& t : pool)
    t.join();
  if (failure) std::rethrow_exception(failure);
  if (to_stdout) {
    std::fputs("]}", stdout);
    if (std::fflush(stdout) != 0) throw std::runtime_error("cannot write to stdout");
    // The stream is one complete document.
    totals.files = 1;
    totals.unterminated = 0;
    totals.bytes = stdout_bytes + 2;
  }
  return totals;
}

}  // namespace flowlens::gen
