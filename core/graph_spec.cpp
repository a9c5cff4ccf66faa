// Parsing graph documents: JSON syntax (with line and column on errors) and
// the shape of nodes, edges, resources, plugins, params and dataset.
#include "core/graph_spec.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/graph_document.h"
#include "core/json_limits.h"

namespace fs = std::filesystem;

namespace flowrun {

using nlohmann::json;

const NodeSpec* GraphSpec::node(const std::string& id) const {
  for (auto& n : nodes) if (n.id == id) return &n;
  return nullptr;
}

std::string GraphSpec::where(const std::string& json_path) const {
  return (file.empty() ? std::string("<graph>") : file) + ": " + json_path;
}

std::string GraphSpec::where_node(const NodeSpec& n) const {
  return where("$.nodes[" + std::to_string(n.index) + "]") + " (node '" + n.id + "')";
}

json read_json_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path + ": " + what + " file not found");
  if (fs::is_directory(path, ec)) throw InputError(path + ": expected a " + what + " file, found a directory");
  // A device or FIFO ("extends": "/dev/zero", "/dev/stdin") would be read
  // without end or block: only regular files.
  if (!fs::is_regular_file(path, ec))
    throw InputError(path + ": expected a " + what + " file, found a device, FIFO or socket");
  auto too_large = [&](std::uintmax_t bytes) {
    return InputError(path + ": " + what + " file of " + std::to_string(bytes >> 20) + " MiB; flowrun reads at most " +
                      std::to_string(kMaxJsonFileBytes >> 20) + " MiB of JSON");
  };
  const std::uintmax_t bytes = fs::file_size(path, ec);
  if (!ec && bytes > kMaxJsonFileBytes) throw too_large(bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read " + what + " file");
  // The limit holds while reading too: a file may grow, and /proc files say 0.
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxJsonFileBytes) throw too_large(text.size());
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError(path + ": " + what + " file is empty (expected a JSON object)");
  try {
    return parse_user_json(text, path);
  } catch (const json::parse_error& e) {
    // nlohmann gives a byte offset; users want line and column.
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    std::string detail = e.what();
    auto pos = detail.find("parse error");
    if (pos != std::string::npos) detail = detail.substr(pos);
    throw InputError(path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON: " + detail);
  } catch (const json::out_of_range& e) {
    // A number beyond double's range (1e999): out_of_range.406, no position.
    std::string detail = e.what();
    auto pos = detail.find("number overflow");
    if (pos != std::string::npos) detail = detail.substr(pos);
    throw InputError(path + ": invalid JSON: " + detail.substr(0, 200));
  }
}

// Node ids and resource names appear in edges ("id.port"), --set paths, dot
// output and file names: letters, digits, '_' and '-', starting with a letter
// or '_'. Run names become the default output folder runs/<name>: the same,
// plus '.', and never a path.
static bool is_identifier(const std::string& s) {
  if (s.empty() || s.size() > 128 || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (unsigned char ch : s)
    if (!(std::isalnum(ch) || ch == '_' || ch == '-')) return false;
  return true;
}

static bool is_run_name(const std::string& s) {
  if (s.empty() || s.size() > 128 || s[0] == '.' || s[0] == '-') return false;
  for (unsigned char ch : s)
    if (!(std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.')) return false;
  return true;
}

static Endpoint parse_endpoint(const json& v, const std::string& where) {
  if (!v.is_string()) throw InputError(where + ": expected \"node.port\", got " + v.dump());
  const std::string s = v.get<std::string>();
  auto dot = s.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
    throw InputError(where + ": expected \"node.port\", got \"" + s + "\"");
  return {s.substr(0, dot), s.substr(dot + 1)};
}

GraphSpec parse_graph(const json& source, const std::string& file) {
  const json doc = expand_graph_document(source, file);
  GraphSpec g;
  if (!file.empty()) {
    g.file = fs::absolute(file).lexically_normal().string();
    g.dir = fs::path(g.file).parent_path().string();
  }
  const std::string f = file.empty() ? "<graph>" : g.file;
  if (!doc.is_object()) throw InputError(f + ": the top level must be a JSON object, got " + std::string(doc.type_name()));
  g.doc = doc;
  static const std::set<std::string> known = {"flowrun", "name", "doc", "dataset", "dataset_generator", "plugins",
                                              "params", "resources", "nodes", "edges", "$schema"};
  // (version 2's "extends" and "chain" are gone after expand_graph_document)
  for (auto& [k, v] : doc.items())
    if (!known.count(k))
      throw InputError(g.where("$." + k) + ": unknown top-level key (expected one of: flowrun, name, doc, dataset, "
                                          "dataset_generator, plugins, params, resources, nodes, edges; "
                                          "version 2 adds extends, chain)");
  if (doc.contains("flowrun") && doc["flowrun"] != 1)
    throw InputError(g.where("$.flowrun") + ": unsupported graph format version " + doc["flowrun"].dump() + " (expected 1 or 2)");
  if (doc.contains("name") && !doc["name"].is_string()) throw InputError(g.where("$.name") + ": expected a string");
  if (doc.contains("doc") && !doc["doc"].is_string()) throw InputError(g.where("$.doc") + ": expected a string");
  g.name = doc.value("name", fs::path(file).stem().string());
  if (doc.contains("name") && !is_run_name(g.name))
    throw InputError(g.where("$.name") + ": run name '" + brief(json(g.name), 80) +
                     "' must be letters, digits, '_', '-' and '.' (not first): it names the folder runs/<name>");

  if (doc.contains("plugins")) {
    const json& p = doc["plugins"];
    if (!p.is_array()) throw InputError(g.where("$.plugins") + ": expected a list of plugin names");
    for (size_t i = 0; i < p.size(); ++i) {
      if (!p[i].is_string()) throw InputError(g.where("$.plugins[" + std::to_string(i) + "]") + ": expected a string");
      g.plugins.push_back(p[i]);
    }
  }
  if (doc.contains("params")) {
    if (!doc["params"].is_object()) throw InputError(g.where("$.params") + ": expected an object");
    g.params = doc["params"];
  }
  if (doc.contains("dataset") && !doc["dataset"].is_null()) {
    if (!doc["dataset"].is_string()) throw InputError(g.where("$.dataset") + ": expected a path string");
    fs::path d = doc["dataset"].get<std::string>();
    g.dataset = (d.is_absolute() || g.dir.empty() ? d : fs::path(g.dir) / d).lexically_normal().string();
  }
  if (doc.contains("resources")) {
    const json& r = doc["resources"];
    if (!r.is_object()) throw InputError(g.where("$.resources") + ": expected an object {name: {type, params}}");
    for (auto& [name, spec] : r.items()) {
      const std::string w = g.where("$.resources." + name);
      if (!is_identifier(name))
        throw InputError(g.where("$.resources") + ": resource name " + brief(json(name), 80) +
                         " must be letters, digits, '_' and '-', starting with a letter or '_'");
      if (!spec.is_object() || !spec.contains("type") || !spec["type"].is_string())
        throw InputError(w + ": expected an object with a string \"type\"");
      for (auto& [k, v] : spec.items())
        if (k != "type" && k != "params") throw InputError(w + "." + k + ": unknown key (expected type, params)");
      ResourceSpec rs{name, spec["type"], spec.value("params", json::object())};
      if (!rs.params.is_object()) throw InputError(w + ".params: expected an object");
      g.resources.push_back(std::move(rs));
    }
  }
  if (!doc.contains("nodes")) throw InputError(g.where("$.nodes") + ": missing (expected a list of nodes)");
  const json& nodes = doc["nodes"];
  if (!nodes.is_array()) throw InputError(g.where("$.nodes") + ": expected a list of nodes");
  // Validation walks the graph depth first; a training graph has tens of nodes.
  if (nodes.size() > kMaxGraphNodes)
    throw InputError(g.where("$.nodes") + ": " + std::to_string(nodes.size()) + " nodes; a graph holds at most " +
                     std::to_string(kMaxGraphNodes));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string w = g.where("$.nodes[" + std::to_string(i) + "]");
    const json& n = nodes[i];
    if (!n.is_object()) throw InputError(w + ": expected an object with id and type");
    for (auto& [k, v] : n.items())
      if (k != "id" && k != "type" && k != "params" && k != "concurrency" && k != "doc")
        throw InputError(w + "." + k + ": unknown key (expected id, type, params, concurrency, doc)");
    if (n.contains("doc") && !n["doc"].is_string()) throw InputError(w + ".doc: expected a string");
    if (!n.contains("id") || !n["id"].is_string() || n["id"].get<std::string>().empty())
      throw InputError(w + ".id: missing or not a non-empty string");
    NodeSpec s;
    s.id = n["id"];
    s.index = i;
    if (!is_identifier(s.id))
      throw InputError(w + ".id: node id " + brief(json(s.id), 80) +
                       " must be letters, digits, '_' and '-', starting with a letter or '_' (edges read \"node.port\")");
    if (!n.contains("type") || !n["type"].is_string())
      throw InputError(w + ".type: missing or not a string (node '" + s.id + "')");
    s.type = n["type"];
    if (n.contains("params")) {
      if (!n["params"].is_object()) throw InputError(w + ".params: expected an object (node '" + s.id + "')");
      s.params = n["params"];
    }
    if (n.contains("concurrency")) {
      const json& c = n["concurrency"];
      if (c == "serial") s.concurrency = 1;
      else if (c == "unlimited") s.concurrency = -1;
      else if (c.is_number_integer() && c.get<int>() >= 1) s.concurrency = c.get<int>();
      else throw InputError(w + ".concurrency: expected a positive integer, \"serial\" or \"unlimited\", got " + c.dump() +
                            " (node '" + s.id + "')");
    }
    for (auto& other : g.nodes)
      if (other.id == s.id)
        throw InputError(w + ".id: duplicate node id '" + s.id + "' (first declared at $.nodes[" +
                         std::to_string(other.index) + "])");
    g.nodes.push_back(std::move(s));
  }
  if (doc.contains("edges")) {
    const json& edges = doc["edges"];
    if (!edges.is_array()) throw InputError(g.where("$.edges") + ": expected a list of edges");
    if (edges.size() > 16 * kMaxGraphNodes)
      throw InputError(g.where("$.edges") + ": " + std::to_string(edges.size()) + " edges; a graph holds at most " +
                       std::to_string(16 * kMaxGraphNodes));
    for (size_t i = 0; i < edges.size(); ++i) {
      const std::string w = g.where("$.edges[" + std::to_string(i) + "]");
      const json& e = edges[i];
      EdgeSpec es;
      es.index = i;
      if (e.is_array()) {
        if (e.size() != 2) throw InputError(w + ": expected [\"from.port\", \"to.port\"]");
        es.from = parse_endpoint(e[0], w + "[0]");
        es.to = parse_endpoint(e[1], w + "[1]");
      } else if (e.is_object()) {
        for (auto& [k, v] : e.items())
          if (k != "from" && k != "to" && k != "back") throw InputError(w + "." + k + ": unknown key (expected from, to, back)");
        if (!e.contains("from") || !e.contains("to")) throw InputError(w + ": expected {\"from\": ..., \"to\": ...}");
        es.from = parse_endpoint(e["from"], w + ".from");
        es.to = parse_endpoint(e["to"], w + ".to");
        if (e.contains("back")) {
          if (!e["back"].is_boolean()) throw InputError(w + ".back: expected true or false");
          es.back = e["back"];
        }
      } else {
        throw InputError(w + ": expected [\"from.port\", \"to.port\"] or {\"from\", \"to\", \"back\"}");
      }
      g.edges.push_back(es);
    }
  }
  return g;
}

GraphSpec load_graph(const std::string& path) { return parse_graph(read_json_file(path, "graph"), path); }

}  // namespace flowrun
