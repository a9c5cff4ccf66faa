// Graphviz dot of a graph as declared: node ids, types, non-default params,
// port names on edges; with a profile, each node annotated with calls and
// busy time.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/graph_validation.h"
#include "core/registry.h"

namespace flowrun {

std::string graph_to_dot(const ValidatedGraph& graph, const Registry& registry,
                         const nlohmann::json& profile = nullptr);

}  // namespace flowrun
