#include "server/result_cache.h"

#include <fmt/format.h>

#include "common/json_text.h"

namespace flowlens::server {

CachedAnswer ResultCache::get(const std::string& key, const std::string& fingerprint,
                              const std::function<CachedAnswer()>& compute, bool& hit) {
  if (!enabled()) {
    hit = false;
    return compute();
  }
  std::promise<CachedAnswer> promise;
  std::shared_future<CachedAnswer> answer;
  bool owner = false;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.fingerprint == fingerprint) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      hit = it->second.ready;
      answer = it->second.answer;
    } else {
      if (it != entries_.end()) {  // computed for an older store
        bytes_ -= it->second.size;
        lru_.erase(it->second.lru);
        entries_.erase(it);
      }
      lru_.push_front(key);
      Entry e;
      e.fingerprint = fingerprint;
      e.answer = promise.get_future().share();
      e.lru = lru_.begin();
      answer = e.answer;
      entries_.emplace(key, std::move(e));
      owner = true;
      hit = false;
    }
  }
  if (!owner) return answer.get();  // cached, or being computed by another request

  CachedAnswer result;
  try {
    result = compute();
  } catch (const std::exception& e) {
    std::string body = "{\"error\":{\"message\":";
    append_json_string(body, std::string("internal error: ") + e.what());
    result = {500, body + "}}"};
  }
  promise.set_value(result);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.fingerprint != fingerprint) return result;
  if (result.status != 200) {  // errors are not kept: the next request tries again
    lru_.erase(it->second.lru);
    entries_.erase(it);
    return result;
  }
  it->second.ready = true;
  it->second.size = key.size() + result.body.size();
  bytes_ += it->second.size;
  evict_locked();
  return result;
}

void ResultCache::evict_locked() {
  // Drop the least recently used finished answers until the cache fits (the entry just added
  // stays even when it alone is larger than the bound; it is then the first to go).
  auto it = lru_.end();
  while (bytes_ > max_bytes_ && it != lru_.begin()) {
    --it;
    auto entry = entries_.find(*it);
    if (entry == entries_.end() || !entry->second.ready || it == lru_.begin()) continue;
    bytes_ -= entry->second.size;
    entries_.erase(entry);
    it = lru_.erase(it);
  }
}

std::size_t ResultCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t ResultCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace flowlens::server
