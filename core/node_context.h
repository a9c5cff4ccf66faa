// What a node sees of the running graph: its id and validated parameters, the
// graph's global parameters, shared resources by name, paths, and the
// cancellation flag. One NodeContext per node instance, alive from open() to
// close().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/resource.h"
#include "core/rng.h"

namespace flowrun {

class NodeContext {
 public:
  std::string id;               // node id in the graph
  std::string type;             // node type name
  nlohmann::json params;        // validated, defaults filled in
  nlohmann::json globals;       // graph-wide params (seed, iterations, device, ...)
  std::string graph_file;       // absolute path of the graph file ("" for in-memory graphs)
  std::string graph_dir;        // directory relative paths resolve against
  std::string dataset;          // absolute path of the dataset description, "" when none
  std::string out_dir;          // run output directory ("" when the run writes nothing)
  nlohmann::json graph_json;    // the whole graph as run (after overrides), for checkpoints
  int64_t first_batch = 0;      // id of the first batch of this run (non-zero on resume)
  int64_t last_batch = -1;      // id of the last batch (inclusive), known after open()
  bool failed = false;          // set before close() when the run failed or was cancelled
  std::set<std::string> connected;  // input ports wired in this graph (optional ones may not be)
  std::map<std::string, std::shared_ptr<Resource>>* resources = nullptr;
  const std::atomic<bool>* stop_requested = nullptr;

  uint64_t seed() const { return globals.value("seed", uint64_t{1337}); }
  // Random stream for one batch: a pure function of (seed, batch, node id).
  Rng rng(int64_t batch_id) const { return Rng(seed(), batch_id, id); }
  bool stopping() const { return stop_requested && stop_requested->load(); }

  std::string resolve_path(const std::string& p) const;

  template <class T>
  std::shared_ptr<T> resource(const std::string& name) const {
    if (!resources) throw RunError("node '" + id + "': no resources in this graph");
    auto it = resources->find(name);
    if (it == resources->end()) throw InputError("node '" + id + "': no resource named '" + name + "' in the graph");
    auto cast = std::dynamic_pointer_cast<T>(it->second);
    if (!cast) throw InputError("node '" + id + "': resource '" + name + "' is not of the type this node needs");
    return cast;
  }
};

}  // namespace flowrun
