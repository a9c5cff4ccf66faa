// The arguments every verb that reads a graph takes: the file and --set.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace flowrun {

struct GraphArgs {
  std::string graph;
  std::vector<std::string> sets;
};

inline void add_graph_args(CLI::App* sub, GraphArgs& a) {
  sub->add_option("graph", a.graph, "graph JSON file")->required();
  sub->add_option("--set", a.sets,
                  "override a value: PATH=VALUE, e.g. nodes.crop.sigma=2, params.iterations=100, "
                  "resources.net1.init=xavier (repeatable; see docs/graphs.md)");
}

}  // namespace flowrun
