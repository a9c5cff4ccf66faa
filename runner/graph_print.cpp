// Compact printing of graph documents.
#include "runner/graph_print.h"

#include <algorithm>
#include <vector>

namespace flowrun {

using nlohmann::json;

json expanded_document(const ValidatedGraph& g) {
  json doc = g.spec.doc;
  doc["params"] = g.globals;
  if (doc.contains("nodes") && doc["nodes"].is_array())
    for (json& n : doc["nodes"]) {
      auto it = g.node_params.find(n.value("id", ""));
      if (it != g.node_params.end()) n["params"] = it->second;
    }
  if (doc.contains("resources") && doc["resources"].is_object())
    for (auto& [name, r] : doc["resources"].items()) {
      auto it = g.resource_params.find(name);
      if (it != g.resource_params.end()) r["params"] = it->second;
    }
  return doc;
}

namespace {

// Keys people look for first; the rest follow alphabetically.
const std::vector<std::string> kFirstKeys = {"$schema", "flowrun", "name", "doc", "extends", "dataset",
                                             "dataset_generator", "plugins", "id", "type", "concurrency",
                                             "params", "resources", "nodes", "chain", "edges"};

std::vector<std::string> ordered_keys(const json& o) {
  std::vector<std::string> keys;
  for (const std::string& k : kFirstKeys) if (o.contains(k)) keys.push_back(k);
  for (auto it = o.begin(); it != o.end(); ++it)
    if (std::find(kFirstKeys.begin(), kFirstKeys.end(), it.key()) == kFirstKeys.end()) keys.push_back(it.key());
  return keys;
}

// One line, with a space after ':' and ',' as people write JSON.
std::string inline_dump(const json& v) {
  if (!v.is_structured()) return v.dump();
  std::string s = v.is_object() ? "{" : "[";
  bool first = true;
  if (v.is_object()) {
    for (const std::string& k : ordered_keys(v)) {
      s += (first ? "" : ", ") + json(k).dump() + ": " + inline_dump(v[k]);
      first = false;
    }
  } else {
    for (const json& e : v) {
      s += (first ? "" : ", ") + inline_dump(e);
      first = false;
    }
  }
  return s + (v.is_object() ? "}" : "]");
}

// `column`: where v starts on its first line; `indent`: the indent of the
// line it starts on (its closing bracket goes there).
void format(const json& v, size_t indent, size_t column, size_t width, std::string& out) {
  const std::string flat = inline_dump(v);
  if (column + flat.size() <= width || !v.is_structured() || v.empty()) {
    out += flat;
    return;
  }
  const std::string pad(indent + 2, ' ');
  const bool object = v.is_object();
  out += object ? "{\n" : "[\n";
  const std::vector<std::string> keys = object ? ordered_keys(v) : std::vector<std::string>{};
  for (size_t i = 0; i < v.size(); ++i) {
    out += pad;
    std::string key;
    if (object) key = json(keys[i]).dump() + ": ";
    out += key;
    format(object ? v[keys[i]] : v[i], pad.size(), pad.size() + key.size(), width, out);
    if (i + 1 < v.size()) out += ",";
    out += "\n";
  }
  out += std::string(indent, ' ') + (object ? "}" : "]");
}

}  // namespace

std::string format_graph(const json& doc, size_t width) {
  std::string out;
  format(doc, 0, 0, width, out);
  return out;
}

}  // namespace flowrun
