// Whole-graph validation before anything runs.
#include "core/graph_validation.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

#include "core/error.h"
#include "core/global_params.h"
#include "core/node_context.h"

namespace flowrun {

using nlohmann::json;

static std::string port_list(const std::vector<PortSpec>& ports) {
  if (ports.empty()) return "none";
  std::string s;
  for (auto& p : ports) s += (s.empty() ? "" : ", ") + p.name + " (" + p.type + ")";
  return s;
}

// Resource and resource-list params must name resources of the graph (of
// the declared type, when one is declared).
static void check_resource_refs(const nlohmann::json& params, const ParamSchema& schema,
                                const std::map<std::string, std::string>& resource_types, const std::string& pw,
                                const std::string& ctx) {
  for (auto& p : schema) {
    const bool single = p.type == ParamType::Resource;
    if (!(single || (p.type == ParamType::StringList && p.names_resources)) || params[p.name].is_null()) continue;
    const json& v = params[p.name];
    for (size_t i = 0; i < (single ? 1 : v.size()); ++i) {
      const std::string rname = single ? v.get<std::string>() : v[i].get<std::string>();
      const std::string at = pw + "." + p.name + (single ? "" : "[" + std::to_string(i) + "]");
      auto it = resource_types.find(rname);
      if (it == resource_types.end()) {
        std::string known;
        for (auto& [n, t] : resource_types) known += (known.empty() ? "" : ", ") + n;
        throw InputError(at + ": no resource named '" + rname + "' in $.resources" + ctx +
                         (known.empty() ? " (the graph declares none)" : " (it declares: " + known + ")"));
      }
      if (!p.resource_type.empty() && it->second != p.resource_type)
        throw InputError(at + ": resource '" + rname + "' has type " + it->second + ", expected " + p.resource_type +
                         ctx);
    }
  }
}

ValidatedGraph validate_graph(const GraphSpec& spec, const Registry& registry, const ValidateOptions& options) {
  ValidatedGraph vg;
  vg.spec = spec;
  vg.globals = validate_params(spec.params, global_param_schema(), spec.where("$.params"));
  {
    const std::string device = vg.globals.value("device", "auto");
    bool ok = device == "auto" || device == "cpu" || device == "cuda";
    if (!ok && device.rfind("cuda:", 0) == 0 && device.size() > 5 && device.size() <= 8)
      ok = device.find_first_not_of("0123456789", 5) == std::string::npos;
    if (!ok)
      throw InputError(spec.where("$.params.device") + ": device '" + device.substr(0, 40) +
                       "' is not one of auto, cpu, cuda, cuda:N");
  }

  if (!spec.dataset.empty() && !options.dataset_pending) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(spec.dataset, ec))
      throw InputError(spec.where("$.dataset") + ": dataset description '" + spec.dataset +
                       "' not found (paths resolve relative to the graph file)");
  }

  // Resources first: node params may name them.
  std::map<std::string, std::string> resource_types;
  for (auto& r : spec.resources) {
    const std::string w = spec.where("$.resources." + r.name);
    const ResourceType& t = registry.require_resource(r.type, w + ".type");
    vg.resource_params[r.name] = validate_params(r.params, t.schema.params, w + ".params");
    resource_types[r.name] = r.type;
  }
  for (auto& r : spec.resources)
    check_resource_refs(vg.resource_params[r.name], registry.resource(r.type)->schema.params, resource_types,
                        spec.where("$.resources." + r.name + ".params"), " (resource '" + r.name + "')");

  if (spec.nodes.empty()) throw InputError(spec.where("$.nodes") + ": the graph has no nodes");
  std::set<std::string> ids;
  for (auto& n : spec.nodes) {
    const std::string w = spec.where_node(n);
    if (!ids.insert(n.id).second) throw InputError(w + ": duplicate node id '" + n.id + "'");
    const NodeType& t = registry.require_node(n.type, w + ".type");
    const std::string pw = spec.where("$.nodes[" + std::to_string(n.index) + "].params");
    const std::string node_ctx = " (node '" + n.id + "')";
    json params = validate_params(n.params, t.schema.params, pw, node_ctx);
    check_resource_refs(params, t.schema.params, resource_types, pw, node_ctx);
    if (t.schema.serial && n.concurrency != 0 && n.concurrency != 1)
      throw InputError(w + ".concurrency: node type " + n.type +
                       " keeps state across batches and runs serially; remove \"concurrency\" or set it to 1");
    vg.node_params[n.id] = std::move(params);
  }

  // Parameters that nodes declare must agree across the graph.
  for (auto& n : spec.nodes) {
    for (auto& a : registry.node(n.type)->schema.agreements) {
      for (auto& other : spec.nodes) {
        if (other.type != a.other_type || other.id == n.id) continue;
        const json& mine = vg.node_params.at(n.id).at(a.param);
        const json& theirs = vg.node_params.at(other.id).at(a.other_param);
        if (mine != theirs)
          throw InputError(spec.where("$.nodes[" + std::to_string(n.index) + "].params." + a.param) + ": node '" + n.id +
                           "' has " + a.param + " = " + mine.dump() + " but node '" + other.id + "' (" + other.type +
                           ", $.nodes[" + std::to_string(other.index) + "]) has " + a.other_param + " = " +
                           theirs.dump() + "; they must agree: " + a.why);
      }
    }
  }

  // Edges: endpoints exist, ports exist, types agree, each input fed once.
  std::map<std::string, std::set<std::string>> fed;
  for (auto& e : spec.edges) {
    const std::string w = spec.where("$.edges[" + std::to_string(e.index) + "]");
    const NodeSpec* from = spec.node(e.from.node);
    const NodeSpec* to = spec.node(e.to.node);
    if (!from) throw InputError(w + ": edge from unknown node '" + e.from.node + "'");
    if (!to) throw InputError(w + ": edge to unknown node '" + e.to.node + "'");
    const NodeSchema& fs = registry.node(from->type)->schema;
    const NodeSchema& ts = registry.node(to->type)->schema;
    const PortSpec* op = fs.output(e.from.port);
    const PortSpec* ip = ts.input(e.to.port);
    if (!op)
      throw InputError(w + ": node '" + from->id + "' (" + from->type + ") has no output port '" + e.from.port +
                       "'; its outputs: " + port_list(fs.outputs));
    if (!ip)
      throw InputError(w + ": node '" + to->id + "' (" + to->type + ") has no input port '" + e.to.port +
                       "'; its inputs: " + port_list(ts.inputs));
    if (!port_types_compatible(op->type, ip->type))
      throw InputError(w + ": port type mismatch: " + from->id + "." + op->name + " gives " + op->type + " but " +
                       to->id + "." + ip->name + " expects " + ip->type);
    if (!op->keys.empty() && !ip->keys.empty()) {
      std::string missing;
      for (const std::string& k : ip->keys)
        if (std::find(op->keys.begin(), op->keys.end(), k) == op->keys.end()) missing += (missing.empty() ? "" : ", ") + k;
      if (!missing.empty()) {
        std::string given;
        for (const std::string& k : op->keys) given += (given.empty() ? "" : ", ") + k;
        throw InputError(w + ": node '" + to->id + "' (" + to->type + ") reads " + missing + " from input '" +
                         ip->name + "', which node '" + from->id + "' (" + from->type + ") does not give on '" +
                         op->name + "' (it gives " + given + ")");
      }
    }
    if (!fed[to->id].insert(ip->name).second)
      throw InputError(w + ": input " + to->id + "." + ip->name + " is fed by more than one edge");
  }
  for (auto& n : spec.nodes) {
    const NodeSchema& s = registry.node(n.type)->schema;
    for (auto& ip : s.inputs)
      if (!ip.optional && !fed[n.id].count(ip.name))
        throw InputError(spec.where_node(n) + ": input port '" + ip.name + "' (" + ip.type + ") is not connected");
  }

  // Cycles through forward edges are errors; a loop must be declared with "back": true.
  std::map<std::string, std::vector<std::pair<std::string, size_t>>> succ;
  for (auto& e : spec.edges) if (!e.back) succ[e.from.node].push_back({e.to.node, e.index});
  // A back edge feeds batch n's output to batch n+1: it must close a loop,
  // its target leading to its source through forward edges.
  for (auto& e : spec.edges) {
    if (!e.back) continue;
    std::set<std::string> seen{e.to.node};
    std::vector<std::string> todo{e.to.node};
    bool closes = e.to.node == e.from.node;
    while (!todo.empty() && !closes) {
      const std::string id = todo.back();
      todo.pop_back();
      for (auto& [n, edge_index] : succ[id]) {
        closes = closes || n == e.from.node;
        if (seen.insert(n).second) todo.push_back(n);
      }
    }
    if (!closes)
      throw InputError(spec.where("$.edges[" + std::to_string(e.index) + "]") + ": back edge " + e.from.node + "." +
                       e.from.port + " -> " + e.to.node + "." + e.to.port + " closes no loop ('" + e.to.node +
                       "' does not lead to '" + e.from.node + "'); make it a plain edge");
  }

  std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
  std::vector<std::string> stack;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    state[id] = 1;
    stack.push_back(id);
    for (auto& [next, edge_index] : succ[id]) {
      if (state[next] == 1) {
        std::string cycle;
        bool on = false;
        for (auto& s : stack) { on = on || s == next; if (on) cycle += s + " -> "; }
        throw InputError(spec.where("$.edges[" + std::to_string(edge_index) + "]") + ": cycle " + cycle + next +
                         "; a loop must be declared on one edge with \"back\": true (it then feeds the next batch)");
      }
      if (state[next] == 0) visit(next);
    }
    stack.pop_back();
    state[id] = 2;
    vg.topo_order.insert(vg.topo_order.begin(), id);
  };
  for (auto it = spec.nodes.rbegin(); it != spec.nodes.rend(); ++it)
    if (state[it->id] == 0) visit(it->id);

  // Something must start a batch: a node no edge feeds, not even a back edge.
  std::map<std::string, std::set<std::string>> connected;  // node -> its wired input ports
  for (auto& e : spec.edges) connected[e.to.node].insert(e.to.port);
  if (connected.size() == ids.size())
    throw InputError(spec.where("$.nodes") + ": no node without inputs, so nothing can start a batch");

  for (auto& n : spec.nodes) {
    const NodeSchema& s = registry.node(n.type)->schema;
    if (!s.preflight) continue;
    NodeContext c;
    c.id = n.id;
    c.type = n.type;
    c.params = vg.node_params.at(n.id);
    c.globals = vg.globals;
    c.graph_file = spec.file;
    c.graph_dir = spec.dir;
    c.dataset = spec.dataset;
    c.graph_json = spec.doc;
    c.connected = connected[n.id];
    c.check_files = options.check_files;
    c.dataset_pending = options.dataset_pending;
    try {
      s.preflight(c);
    } catch (const InputError& e) {
      throw InputError(spec.where_node(n) + ": " + e.what());
    }
  }
  return vg;
}

}  // namespace flowrun
