// A byte-bounded LRU cache of loaded cases, shared by the concurrent calls of
// one data.load_case node. Reading and decoding a volume costs far more than
// a training step's CPU work, and the two-stream sampler revisits the same few
// labelled cases every epoch, so each file should be read once while cached;
// concurrent requests for a case being loaded wait for that one load.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "lib/volume/dataset.h"

namespace flowrun {

using CasePtr = std::shared_ptr<const Case>;

// Bytes of voxel data a case holds (channels and label).
size_t case_bytes(const Case& c);

class CaseCache {
 public:
  // capacity 0 = no caching: every request loads.
  explicit CaseCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The case under `key`, loaded with `load` when absent. A failed load is not
  // cached: its waiters get the same exception and a later request retries.
  CasePtr get(const std::string& key, const std::function<Case()>& load);

  int64_t hits() const;      // requests answered by a cached or in-flight entry
  int64_t misses() const;    // requests that ran `load`
  size_t bytes() const;      // bytes held by finished entries
  size_t entries() const;    // finished entries held
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    std::shared_future<CasePtr> value;
    size_t bytes = 0;
    bool ready = false;
    std::list<std::string>::iterator lru;  // valid when ready
  };
  void evict_locked();

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> map_;
  std::list<std::string> lru_;  // finished entries, most recently used first
  size_t bytes_ = 0;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace flowrun
