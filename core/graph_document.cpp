// Expanding graph format version 2 (chain shorthand, extends) into version 1.
#include "core/graph_document.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

#include "core/error.h"
#include "core/graph_spec.h"

namespace fs = std::filesystem;

namespace flowrun {

using nlohmann::json;

namespace {

// A base graph that extends another, and so on: deep enough for any sane
// family of graphs, shallow enough that a loop of files is reported, not run.
constexpr int kMaxExtendsDepth = 16;

std::string at(const std::string& file, const std::string& path) {
  return (file.empty() ? std::string("<graph>") : file) + ": " + path;
}

bool is_v2(const json& doc) { return doc.is_object() && doc.contains("flowrun") && doc["flowrun"] == 2; }

void reject_v2_keys(const json& doc, const std::string& file) {
  if (!doc.is_object()) return;
  for (const char* k : {"extends", "chain"})
    if (doc.contains(k))
      throw InputError(at(file, std::string("$.") + k) + ": \"" + k + "\" needs graph format version 2 (\"flowrun\": 2)");
}

// A document with its chain and explicit edges kept apart, so a derived graph
// can replace one and inherit the other.
struct Expanded {
  json doc;                    // every key but chain, edges and extends
  json chain;                  // array of chain strings, or null
  std::string chain_file;      // where the chain was declared, for messages
  json edges = json::array();  // explicit edges
  std::string edges_file;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

json chain_to_edges(const json& chains, const std::string& file) {
  json edges = json::array();
  for (size_t c = 0; c < chains.size(); ++c) {
    const std::string w = at(file, chains.size() == 1 ? "$.chain" : "$.chain[" + std::to_string(c) + "]");
    const std::string text = chains[c].get<std::string>();
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t bang; (bang = text.find('!', start)) != std::string::npos; start = bang + 1)
      parts.push_back(trim(text.substr(start, bang - start)));
    parts.push_back(trim(text.substr(start)));
    if (parts.size() < 2) throw InputError(w + ": a chain links at least two nodes: \"a ! b\", got \"" + text + "\"");
    std::vector<std::pair<std::string, std::string>> elements;  // id, port ("" = default)
    for (size_t k = 0; k < parts.size(); ++k) {
      const std::string& p = parts[k];
      if (p.empty()) throw InputError(w + ": element " + std::to_string(k + 1) + " of \"" + text + "\" is empty");
      const auto dot = p.find('.');
      std::string id = p.substr(0, dot), port = dot == std::string::npos ? "" : p.substr(dot + 1);
      if (id.empty() || (dot != std::string::npos && port.empty()) || p.find_first_of(" \t") != std::string::npos)
        throw InputError(w + ": element '" + p + "' is not a node id or \"node.port\"");
      if (!port.empty() && k != 0 && k + 1 != parts.size())
        throw InputError(w + ": element '" + p + "': a port may be named only on the first element (its output) "
                         "or the last (its input); wire other ports with \"edges\"");
      elements.emplace_back(id, port);
    }
    for (size_t k = 0; k + 1 < elements.size(); ++k) {
      const auto& [from, from_port] = elements[k];
      const auto& [to, to_port] = elements[k + 1];
      edges.push_back({from + "." + (from_port.empty() ? "out" : from_port),
                       to + "." + (to_port.empty() ? "in" : to_port)});
    }
  }
  return edges;
}

json normalized_chain(const json& chain, const std::string& file) {
  if (chain.is_string()) return json::array({chain});
  if (chain.is_array() && !chain.empty()) {
    for (size_t i = 0; i < chain.size(); ++i)
      if (!chain[i].is_string())
        throw InputError(at(file, "$.chain[" + std::to_string(i) + "]") + ": expected a chain string \"a ! b ! c\"");
    return chain;
  }
  throw InputError(at(file, "$.chain") + ": expected \"a ! b ! c\" or a list of such strings");
}

// The base's dataset path, relative to the base's folder, made relative to
// the derived graph's folder (absolute when no relative path exists).
std::string rebased(const std::string& path, const std::string& base_dir, const std::string& dir) {
  const fs::path p(path);
  if (p.is_absolute() || base_dir == dir) return path;
  const fs::path target = (fs::path(base_dir) / p).lexically_normal();
  const fs::path rel = target.lexically_relative(dir);
  return rel.empty() ? target.string() : rel.string();
}

// The node ids an edge list names ("node.port" endpoints; malformed ones are
// left for parse_graph to report).
std::set<std::string> edge_nodes(const json& edges) {
  std::set<std::string> ids;
  if (!edges.is_array()) return ids;
  auto add = [&](const json& endpoint) {
    if (endpoint.is_string()) ids.insert(endpoint.get<std::string>().substr(0, endpoint.get<std::string>().find('.')));
  };
  for (const json& e : edges) {
    if (e.is_array())
      for (const json& end : e) add(end);
    else if (e.is_object())
      for (const char* k : {"from", "to"})
        if (e.contains(k)) add(e[k]);
  }
  return ids;
}

Expanded expand(const json& doc, const std::string& file, int depth, std::vector<std::string>& visiting);

void merge_nodes(json& base_nodes, const json& nodes, const std::string& file, std::set<std::string>& removed) {
  if (!nodes.is_array()) throw InputError(at(file, "$.nodes") + ": expected a list of nodes");
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string w = at(file, "$.nodes[" + std::to_string(i) + "]");
    const json& n = nodes[i];
    if (!n.is_object() || !n.contains("id") || !n["id"].is_string())
      throw InputError(w + ": expected an object with a string \"id\"");
    const std::string id = n["id"];
    auto it = std::find_if(base_nodes.begin(), base_nodes.end(),
                           [&](const json& b) { return b.is_object() && b.value("id", "") == id; });
    const bool remove = n.contains("remove");
    if (remove && (n["remove"] != true || n.size() != 2))
      throw InputError(w + ": a removal is {\"id\": \"" + id + "\", \"remove\": true} and nothing else");
    if (it == base_nodes.end()) {
      if (remove) throw InputError(w + ": no node '" + id + "' in the base graph to remove");
      base_nodes.push_back(n);
    } else if (remove) {
      base_nodes.erase(it);
      removed.insert(id);
    } else if (n.contains("type") && n["type"] != (*it)["type"]) {
      *it = n;  // another type: its own params only
    } else {
      it->merge_patch(n);
    }
  }
}

Expanded extend(const json& doc, const std::string& file, int depth, std::vector<std::string>& visiting) {
  const std::string w = at(file, "$.extends");
  if (!doc["extends"].is_string() || doc["extends"].get<std::string>().empty())
    throw InputError(w + ": expected the path of a base graph");
  const fs::path ext = doc["extends"].get<std::string>();
  if (file.empty() && ext.is_relative())
    throw InputError(w + ": a graph that is not read from a file cannot extend a relative path");
  const std::string dir = file.empty() ? "" : fs::path(file).parent_path().string();
  const std::string base_file = (ext.is_absolute() ? ext : fs::path(dir) / ext).lexically_normal().string();
  if (std::find(visiting.begin(), visiting.end(), base_file) != visiting.end())
    throw InputError(w + ": '" + base_file + "' extends itself through this file (a loop of extends)");
  if (depth >= kMaxExtendsDepth)
    throw InputError(w + ": more than " + std::to_string(kMaxExtendsDepth) + " levels of extends");
  json base_doc;
  try {
    base_doc = read_json_file(base_file, "base graph");
  } catch (const InputError& e) {
    throw InputError(w + ": " + e.what());
  }
  Expanded base = expand(base_doc, base_file, depth + 1, visiting);
  const std::string base_dir = fs::path(base_file).parent_path().string();
  if (base.doc.contains("dataset") && base.doc["dataset"].is_string())
    base.doc["dataset"] = rebased(base.doc["dataset"].get<std::string>(), base_dir, dir);

  std::set<std::string> removed;
  for (auto& [k, v] : doc.items()) {
    if (k == "extends" || k == "chain" || k == "edges" || k == "flowrun") continue;
    if (k == "params" || k == "resources") {
      if (!v.is_object()) throw InputError(at(file, "$." + k) + ": expected an object");
      if (!base.doc.contains(k) || !base.doc[k].is_object()) base.doc[k] = json::object();
      base.doc[k].merge_patch(v);
    } else if (k == "nodes") {
      if (!base.doc.contains("nodes") || !base.doc["nodes"].is_array()) base.doc["nodes"] = json::array();
      merge_nodes(base.doc["nodes"], v, file, removed);
    } else if (v.is_null()) {
      base.doc.erase(k);
    } else {
      base.doc[k] = v;
    }
  }
  if (doc.contains("chain")) {
    base.chain = normalized_chain(doc["chain"], file);
    base.chain_file = file;
  }
  if (doc.contains("edges")) {
    base.edges = doc["edges"];
    base.edges_file = file;
  }
  const std::set<std::string> chained =
      doc.contains("chain") || base.chain.is_null() ? std::set<std::string>{}
                                                    : edge_nodes(chain_to_edges(base.chain, base.chain_file));
  const std::set<std::string> wired = doc.contains("edges") ? std::set<std::string>{} : edge_nodes(base.edges);
  for (const std::string& id : removed) {
    if (chained.count(id))
      throw InputError(at(file, "$.nodes") + ": node '" + id + "' is removed but the chain inherited from " +
                       base.chain_file + " links it; give this graph its own \"chain\"");
    if (wired.count(id))
      throw InputError(at(file, "$.nodes") + ": node '" + id + "' is removed but the edges inherited from " +
                       base.edges_file + " use it; give this graph its own \"edges\"");
  }
  return base;
}

Expanded expand(const json& doc, const std::string& file, int depth, std::vector<std::string>& visiting) {
  Expanded e;
  if (!is_v2(doc)) {  // a version-1 base of an extends
    reject_v2_keys(doc, file);
    e.doc = doc;
    if (doc.is_object() && doc.contains("edges")) {
      e.edges = doc["edges"];
      e.doc.erase("edges");
    }
    e.edges_file = file;
    return e;
  }
  visiting.push_back(file.empty() ? "<graph>" : fs::path(file).lexically_normal().string());
  if (doc.contains("extends")) {
    e = extend(doc, file, depth, visiting);
  } else {
    e.doc = doc;
    for (const char* k : {"chain", "edges", "extends"}) e.doc.erase(k);
    if (doc.contains("chain")) {
      e.chain = normalized_chain(doc["chain"], file);
      e.chain_file = file;
    }
    if (doc.contains("edges")) e.edges = doc["edges"];
    e.edges_file = file;
  }
  visiting.pop_back();
  return e;
}

}  // namespace

json expand_graph_document(const json& doc, const std::string& file) {
  if (!doc.is_object()) return doc;  // parse_graph reports the shape
  const std::string path = file.empty() ? "" : fs::absolute(file).lexically_normal().string();
  if (!is_v2(doc)) {
    reject_v2_keys(doc, path);
    return doc;
  }
  std::vector<std::string> visiting;
  Expanded e = expand(doc, path, 0, visiting);
  json out = std::move(e.doc);
  out["flowrun"] = 1;
  json edges = e.chain.is_null() ? json::array() : chain_to_edges(e.chain, e.chain_file);
  if (!e.edges.is_array())
    throw InputError(at(e.edges_file, "$.edges") + ": expected a list of edges");
  for (const json& edge : e.edges) edges.push_back(edge);
  out["edges"] = std::move(edges);
  return out;
}

}  // namespace flowrun
