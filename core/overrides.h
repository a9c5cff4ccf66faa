// Command-line overrides: `--set PATH=VALUE` changes any value of the graph
// document before validation.
//
// Paths are dot-separated. `nodes.<id>.<param>` is short for
// `nodes.<id>.params.<param>`; `resources.<name>.<param>` likewise;
// `nodes.<id>.concurrency`, `params.<key>`, `dataset`, `name` address those
// keys. List elements are addressed by index (`nodes.crop.patch.0=64`).
// VALUE is parsed as JSON when it is valid JSON, else taken as a string.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flowrun {

class Registry;

struct Override {
  std::string path;
  nlohmann::json value;
  std::string text;  // as given, for messages
};

// Parses "PATH=VALUE". Throws InputError when there is no '='.
Override parse_override(const std::string& text);

// Applies overrides to a graph document. An unknown path (a node or resource
// that does not exist, a parameter its type does not declare, a global
// parameter that does not exist) is an InputError naming the --set argument.
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides, const Registry& registry);

}  // namespace flowrun
