// A bounded cache of query answers for the dashboard's panels, shared by all connections.
//
// Contract: an answer is reused only while the store is unchanged (same `fingerprint`, taken
// from the catalog's files before the query runs), and only for query text that does not
// depend on the time of the request (panel queries carry their window as literals). When
// several requests ask for the same missing answer at once, one computes it and the others
// wait for it (single flight), so fifty dashboards opening together cost one query each.
// Failed computations are not cached. Memory is bounded by `max_bytes` of answer text; the
// least recently used answers go first. A cache of 0 bytes keeps nothing: every get() computes
// (no single flight either: `--no-cache` measures each request on its own).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace flowlens::server {

struct CachedAnswer {
  int status = 200;
  std::string body;
};

class ResultCache {
 public:
  explicit ResultCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  bool enabled() const { return max_bytes_ > 0; }

  // The answer for `key` under `fingerprint`: cached, or computed now by `compute` (answers
  // with a status other than 200 are returned but not kept). `hit` says which.
  CachedAnswer get(const std::string& key, const std::string& fingerprint,
                   const std::function<CachedAnswer()>& compute, bool& hit);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct Entry {
    std::string fingerprint;
    std::shared_future<CachedAnswer> answer;
    bool ready = false;
    std::size_t size = 0;
    std::list<std::string>::iterator lru;
  };
  void evict_locked();

  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front: most recently used
  std::size_t bytes_ = 0;
};

}  // namespace flowlens::server
