// Checks a whole graph against the registry before anything runs: node types,
// parameters, resources, edges and ports, port types, duplicate ids, cycles
// not declared as back edges, unconnected inputs, resources named by nets
// lists, the dataset file, and each node's own preflight (its dataset splits
// and files).
// Returns the validated params (defaults filled in) per node and resource.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/graph_spec.h"
#include "core/registry.h"

namespace flowrun {

struct ValidatedGraph {
  GraphSpec spec;
  nlohmann::json globals;                       // validated global params
  std::map<std::string, nlohmann::json> node_params;
  std::map<std::string, nlohmann::json> resource_params;
  std::vector<std::string> topo_order;          // node ids, forward edges only
};

struct ValidateOptions {
  bool check_files = true;       // NodeSchema::preflight also checks that data files exist
  bool dataset_pending = false;  // the dataset description is generated later, by run
};

// Throws InputError with the file, JSON path and node id of the first problem.
ValidatedGraph validate_graph(const GraphSpec& spec, const Registry& registry, const ValidateOptions& options = {});

}  // namespace flowrun
