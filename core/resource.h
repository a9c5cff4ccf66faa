// Resources: long-lived objects declared in a graph by name (the two networks,
// an optimizer, a dataset cache) that several nodes share. A resource type is
// a schema plus a factory; nodes look instances up by name through their
// NodeContext and cast them to the concrete class they expect.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/distributed_rank.h"

namespace flowrun {

class Resource {
 public:
  virtual ~Resource() = default;
};

// What a resource factory is given.
struct ResourceContext {
  std::string name;          // the resource's name in the graph
  nlohmann::json params;     // validated, defaults filled in
  nlohmann::json globals;    // the graph's global params
  std::string graph_dir;     // to resolve relative paths
  DistributedRank dist;      // rank and world size of a data-parallel run (world_size 1 otherwise)
};

}  // namespace flowrun
