// Per-node profile accounting.
#include "core/profile.h"

#include <algorithm>

namespace flowrun {

using nlohmann::json;

double Profiler::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

void Profiler::queued(const std::string& node) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t q = ++queue_[node];
  auto& s = stats_[node];
  s.max_queue = std::max(s.max_queue, q);
}

void Profiler::started(const std::string& node) {
  std::lock_guard<std::mutex> lock(mu_);
  --queue_[node];
}

void Profiler::finished(const std::string& node, int64_t batch, double start, double end) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& s = stats_[node];
  s.calls++;
  s.busy_seconds += end - start;
  if (s.first_start < 0 || start < s.first_start) s.first_start = start;
  s.last_end = std::max(s.last_end, end);
  if (record_) events_.push_back({node, batch, start, end});
}

void Profiler::starved(const std::string& node, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_[node].starved_seconds += seconds;
}

void Profiler::batch_entered(int64_t batch) {
  std::lock_guard<std::mutex> lock(mu_);
  max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
  if (record_) events_.push_back({"<enter>", batch, now(), now()});
}

void Profiler::batch_done(int64_t batch) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  if (record_) events_.push_back({"<done>", batch, now(), now()});
}

json Profiler::to_json(double wall_seconds) const {
  std::lock_guard<std::mutex> lock(mu_);
  json nodes = json::object();
  for (auto& [id, s] : stats_) {
    const double span = s.calls ? s.last_end - s.first_start : 0.0;
    // For a serial node, span - busy is the time it waited for input between calls.
    nodes[id] = {{"calls", s.calls},
                 {"busy_seconds", s.busy_seconds},
                 {"mean_ms", s.calls ? 1000.0 * s.busy_seconds / s.calls : 0.0},
                 {"active_span_seconds", span},
                 {"idle_seconds", std::max(0.0, span - s.busy_seconds)},
                 {"max_queue", s.max_queue},
                 {"starved_seconds", s.starved_seconds},
                 {"first_start", s.first_start},
                 {"last_end", s.last_end}};
  }
  return {{"wall_seconds", wall_seconds}, {"max_in_flight", max_in_flight_}, {"nodes", nodes}};
}

std::vector<NodeEvent> Profiler::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

int64_t Profiler::max_in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_in_flight_;
}

}  // namespace flowrun
