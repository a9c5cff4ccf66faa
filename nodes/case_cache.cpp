// CaseCache: one load per key while cached, LRU eviction by bytes.
#include "nodes/case_cache.h"

namespace flowrun {

size_t case_bytes(const Case& c) {
  size_t n = 0;
  for (const auto& ch : c.channels) n += ch.data.size() * sizeof(float);
  if (c.label) n += c.label->data.size() * sizeof(uint8_t);
  return n;
}

CasePtr CaseCache::get(const std::string& key, const std::function<Case()>& load) {
  if (capacity_ == 0) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++misses_;
    }
    return std::make_shared<const Case>(load());
  }

  std::promise<CasePtr> promise;
  std::shared_future<CasePtr> existing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      ++hits_;
      if (it->second.ready) lru_.splice(lru_.begin(), lru_, it->second.lru);
      existing = it->second.value;
    } else {
      ++misses_;
      map_[key].value = promise.get_future().share();
    }
  }
  // Waiting happens outside the lock: the loader needs it to publish.
  if (existing.valid()) return existing.get();

  CasePtr value;
  try {
    value = std::make_shared<const Case>(load());
  } catch (...) {
    promise.set_exception(std::current_exception());
    std::lock_guard<std::mutex> lock(mutex_);
    map_.erase(key);
    throw;
  }
  promise.set_value(value);
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& e = map_.at(key);
  e.bytes = case_bytes(*value);
  e.ready = true;
  lru_.push_front(key);
  e.lru = lru_.begin();
  bytes_ += e.bytes;
  evict_locked();
  return value;
}

void CaseCache::evict_locked() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    auto it = map_.find(lru_.back());
    bytes_ -= it->second.bytes;
    map_.erase(it);
    lru_.pop_back();
  }
}

int64_t CaseCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}
int64_t CaseCache::misses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return misses_;
}
size_t CaseCache::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}
size_t CaseCache::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lru_.size();
}

}  // namespace flowrun
