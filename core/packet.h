// Packet: what flows on one edge of a graph for one batch.
//
// A batch id plus named values (usually at::Tensor, or shared_ptr to large
// host objects) and small JSON metadata (case ids, crop origins, shifts).
// Packets are immutable once emitted and shared between consumers, so a copy
// is shallow: values hold refcounted handles, never deep data.
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <typeinfo>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace flowrun {

class Packet {
 public:
  int64_t batch_id = -1;
  nlohmann::json meta = nlohmann::json::object();

  bool has(const std::string& name) const { return values_.count(name) != 0; }

  template <class T>
  const T& get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end())
      throw RunError("packet of batch " + std::to_string(batch_id) + " has no value '" + name + "'" + names_hint());
    const T* v = std::any_cast<T>(&it->second);
    if (!v)
      throw RunError("packet value '" + name + "' of batch " + std::to_string(batch_id) + " holds " +
                     it->second.type().name() + ", not the expected " + typeid(T).name());
    return *v;
  }

  template <class T>
  void set(const std::string& name, T value) { values_[name] = std::move(value); }

  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, std::any>& values() const { return values_; }

 private:
  std::string names_hint() const {
    std::string s = " (it has:";
    for (auto& [k, v] : values_) s += " " + k;
    return s + ")";
  }
  std::map<std::string, std::any> values_;
};

using PacketPtr = std::shared_ptr<const Packet>;

}  // namespace flowrun
