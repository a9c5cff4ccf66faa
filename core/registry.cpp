// Registry of node and resource types.
#include "core/registry.h"

#include "core/error.h"
#include "core/param_schema.h"

namespace flowrun {

void Registry::set_current_origin(std::string origin, std::shared_ptr<void> keepalive) {
  origin_ = std::move(origin);
  keepalive_ = std::move(keepalive);
}

void Registry::add_node(NodeSchema schema, NodeFactory factory) {
  auto it = nodes_.find(schema.type);
  if (it != nodes_.end() || resources_.count(schema.type))
    throw InputError("node type '" + schema.type + "' from " + origin_ + " is already registered" +
                     (it != nodes_.end() ? " by " + it->second.origin : std::string(" as a resource type")));
  std::string name = schema.type;
  nodes_.emplace(name, NodeType{keepalive_, std::move(schema), std::move(factory), origin_});
}

void Registry::add_resource(ResourceSchema schema, ResourceFactory factory) {
  auto it = resources_.find(schema.type);
  if (it != resources_.end() || nodes_.count(schema.type))
    throw InputError("resource type '" + schema.type + "' from " + origin_ + " is already registered" +
                     (it != resources_.end() ? " by " + it->second.origin : std::string(" as a node type")));
  std::string name = schema.type;
  resources_.emplace(name, ResourceType{keepalive_, std::move(schema), std::move(factory), origin_});
}

const NodeType* Registry::node(const std::string& type) const {
  auto it = nodes_.find(type);
  return it == nodes_.end() ? nullptr : &it->second;
}

const ResourceType* Registry::resource(const std::string& type) const {
  auto it = resources_.find(type);
  return it == resources_.end() ? nullptr : &it->second;
}

template <class Map>
static std::string unknown_message(const std::string& kind, const std::string& type, const Map& known,
                                   const std::string& where) {
  std::vector<std::string> names;
  for (auto& [k, v] : known) names.push_back(k);
  std::string msg = where + ": unknown " + kind + " type '" + type + "'";
  auto close = close_names(type, names);
  if (!close.empty()) {
    msg += " (did you mean";
    for (size_t i = 0; i < close.size(); ++i) msg += (i ? ", '" : " '") + close[i] + "'";
    msg += "?)";
  } else {
    msg += " (is its plugin listed in \"plugins\"? `flowrun nodes` lists the known types)";
  }
  return msg;
}

const NodeType& Registry::require_node(const std::string& type, const std::string& where) const {
  if (auto* t = node(type)) return *t;
  throw InputError(unknown_message("node", type, nodes_, where));
}

const ResourceType& Registry::require_resource(const std::string& type, const std::string& where) const {
  if (auto* t = resource(type)) return *t;
  throw InputError(unknown_message("resource", type, resources_, where));
}

std::vector<const NodeType*> Registry::nodes() const {
  std::vector<const NodeType*> v;
  for (auto& [k, t] : nodes_) v.push_back(&t);
  return v;
}

std::vector<const ResourceType*> Registry::resources() const {
  std::vector<const ResourceType*> v;
  for (auto& [k, t] : resources_) v.push_back(&t);
  return v;
}

std::shared_ptr<Node> Registry::create_node(const std::string& type, const NodeContext& ctx) const {
  const NodeType& t = require_node(type, "node '" + ctx.id + "'");
  if (!t.factory) throw RunError("node '" + ctx.id + "': type '" + type + "' has only its contract here (" + t.origin +
                                 " registered its schema, not its code)");
  std::unique_ptr<Node> n = t.factory(ctx);
  if (!n) throw RunError("node type '" + type + "' (" + t.origin + ") returned no node");
  auto keep = t.keepalive;
  // The deleter runs the node's destructor while the plugin is still loaded.
  return std::shared_ptr<Node>(n.release(), [keep](Node* p) { delete p; });
}

std::shared_ptr<Resource> Registry::create_resource(const std::string& type, const ResourceContext& ctx) const {
  const ResourceType& t = require_resource(type, "resource '" + ctx.name + "'");
  if (!t.factory) throw RunError("resource '" + ctx.name + "': type '" + type + "' has only its contract here (" +
                                 t.origin + " registered its schema, not its code)");
  std::shared_ptr<Resource> r = t.factory(ctx);
  if (!r) throw RunError("resource type '" + type + "' (" + t.origin + ") returned nothing");
  auto keep = t.keepalive;
  return std::shared_ptr<Resource>(r.get(), [r, keep](Resource*) mutable { r.reset(); });
}

}  // namespace flowrun
