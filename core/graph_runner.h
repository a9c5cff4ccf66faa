// Runs a validated graph on a oneTBB flow graph.
//
// A source emits batch ids through a limiter that bounds batches in flight
// (`prefetch`); each node is a function_node with the concurrency the graph
// gives it, serial nodes behind a sequencer so they see batches in order;
// a node with several inputs waits until all its inputs for a batch arrived.
// A batch leaves the limiter when every sink has processed it. The first
// exception cancels the graph; it is reported with the node id and batch id.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distributed_rank.h"
#include "core/graph_validation.h"
#include "core/profile.h"
#include "core/registry.h"
#include "core/resource.h"

namespace flowrun {

struct RunOptions {
  std::string out_dir;            // "" = write nothing
  std::string run_dir;            // the run folder, also where this process writes nothing (ranks > 0)
  DistributedRank dist;           // data-parallel rank; world_size 1 = a plain run
  int64_t first_batch = 0;        // resume: the first batch id to run
  bool record_events = false;     // keep per-call events (tests)
  int max_threads = 0;            // 0 = params.threads or the core count
  const std::atomic<bool>* stop_requested = nullptr;  // Ctrl-C
  // Adds what the core cannot know (device, GPU memory) to profile.json.
  std::function<void(nlohmann::json& profile)> annotate_profile;
  // Called once every node is open (a resumed run's checkpoint loaded), before
  // the first batch: a data-parallel run makes every rank's weights rank 0's.
  std::function<void(const std::map<std::string, std::shared_ptr<Resource>>& resources)> after_open;
};

struct RunResult {
  int64_t batches = 0;            // batches completed
  bool stopped = false;           // ended early on request
  double wall_seconds = 0;
  nlohmann::json profile;
  std::vector<NodeEvent> events;
  int64_t max_in_flight = 0;
};

// Throws RunError ("node 'x' failed on batch 7: ...") when a node fails while
// running, InputError when a node refuses its configuration at open().
RunResult run_graph(const ValidatedGraph& graph, const Registry& registry, const RunOptions& options);

}  // namespace flowrun
