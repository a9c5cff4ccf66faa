// Per-node run-time profile: calls, busy seconds, waiting time, peak queue.
// Written as JSON after a run (profile.json) and read back by `flowrun dot
// --profile` to annotate the graph.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flowrun {

// One process() call, for tests and traces (recorded when asked for).
struct NodeEvent {
  std::string node;
  int64_t batch;
  double start, end;  // seconds since the run started
};

struct NodeStats {
  int64_t calls = 0;
  double busy_seconds = 0;
  double first_start = -1, last_end = 0;
  int64_t max_queue = 0;  // batches ready for this node but not started, at peak
  double starved_seconds = 0;  // gated by a back edge: time its data arrived after the gate opened
};

class Profiler {
 public:
  explicit Profiler(bool record_events) : record_(record_events), t0_(std::chrono::steady_clock::now()) {}
  double now() const;
  void queued(const std::string& node);
  void started(const std::string& node);
  void finished(const std::string& node, int64_t batch, double start, double end);
  void starved(const std::string& node, double seconds);
  void batch_entered(int64_t batch);
  void batch_done(int64_t batch);

  nlohmann::json to_json(double wall_seconds) const;
  std::vector<NodeEvent> events() const;
  int64_t max_in_flight() const;

 private:
  bool record_;
  std::chrono::steady_clock::time_point t0_;
  mutable std::mutex mu_;
  std::map<std::string, NodeStats> stats_;
  std::map<std::string, int64_t> queue_;
  std::vector<NodeEvent> events_;
  int64_t in_flight_ = 0, max_in_flight_ = 0;
};

}  // namespace flowrun
