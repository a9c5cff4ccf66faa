// Printing a graph for people: the document as it runs (`flowrun validate
// --print`) in a compact layout: anything that fits on a line stays on one.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/graph_validation.h"

namespace flowrun {

// The version-1 document with --set applied and every node, resource and
// global parameter filled in with its default.
nlohmann::json expanded_document(const ValidatedGraph& g);

// JSON with objects and lists broken over lines only where they do not fit
// in `width` columns (valid JSON; keys keep the document's order as nlohmann
// stores them).
std::string format_graph(const nlohmann::json& doc, size_t width = 110);

}  // namespace flowrun
