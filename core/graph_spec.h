// A graph as declared in JSON: nodes, edges, resources, plugins, global params
// and the dataset. Parsing checks only the shape of the document; meaning
// (types, ports, params, cycles) is checked by validate_graph().
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flowrun {

struct NodeSpec {
  std::string id;
  std::string type;
  nlohmann::json params = nlohmann::json::object();
  // 0 = the default (serial for nodes whose schema says so, else 1);
  // -1 = unlimited; N = up to N batches at once.
  int concurrency = 0;
  size_t index = 0;  // position in $.nodes, for error messages
};

struct Endpoint {
  std::string node;
  std::string port;
};

struct EdgeSpec {
  Endpoint from, to;
  bool back = false;  // delivers batch n's output as batch n+1's input
  size_t index = 0;
};

struct ResourceSpec {
  std::string name;
  std::string type;
  nlohmann::json params = nlohmann::json::object();
};

struct GraphSpec {
  std::string file;       // absolute path, "" for in-memory graphs
  std::string dir;        // where relative paths resolve
  std::string name;
  nlohmann::json doc;     // the whole document (after overrides)
  std::vector<NodeSpec> nodes;
  std::vector<EdgeSpec> edges;
  std::vector<ResourceSpec> resources;
  std::vector<std::string> plugins;
  nlohmann::json params = nlohmann::json::object();
  std::string dataset;    // absolute path or ""

  const NodeSpec* node(const std::string& id) const;
  // "graph.json: $.nodes[2] (node 'crop')"
  std::string where_node(const NodeSpec& n) const;
  std::string where(const std::string& json_path) const;
};

// Reads and parses a graph file. Throws InputError for unreadable files,
// empty files, invalid JSON (with line and column) and a wrong document shape.
nlohmann::json read_json_file(const std::string& path, const std::string& what = "graph");
GraphSpec parse_graph(const nlohmann::json& doc, const std::string& file);
GraphSpec load_graph(const std::string& path);

}  // namespace flowrun
