// Registry of node and resource types by name. Built-in types register at
// start-up, plugins through their entry point. Each entry records where it
// came from, and entries made by a plugin keep its library loaded for as long
// as the entry or anything created from it is alive.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/node_schema.h"
#include "core/resource.h"

namespace flowrun {

using NodeFactory = std::function<std::unique_ptr<Node>(const NodeContext&)>;
using ResourceFactory = std::function<std::shared_ptr<Resource>(const ResourceContext&)>;

// keepalive is the first member so it is destroyed last: the factory's code
// lives in the plugin and must stay mapped until the factory is gone.
struct NodeType {
  std::shared_ptr<void> keepalive; // the plugin library, when from a plugin
  NodeSchema schema;
  NodeFactory factory;
  std::string origin;              // "built-in" or the plugin file
};

struct ResourceType {
  std::shared_ptr<void> keepalive;
  ResourceSchema schema;
  ResourceFactory factory;
  std::string origin;
};

class Registry {
 public:
  // Throws InputError when the name is taken (naming both origins). An empty
  // factory registers the contract alone (a plugin's contract library, see
  // plugin_api.h): validation and introspection work, create_* throws RunError.
  void add_node(NodeSchema schema, NodeFactory factory);
  void add_resource(ResourceSchema schema, ResourceFactory factory);

  const NodeType* node(const std::string& type) const;
  const ResourceType* resource(const std::string& type) const;
  // Throws InputError "unknown node type 'x' (did you mean ...)" naming `where`.
  const NodeType& require_node(const std::string& type, const std::string& where) const;
  const ResourceType& require_resource(const std::string& type, const std::string& where) const;

  std::vector<const NodeType*> nodes() const;
  std::vector<const ResourceType*> resources() const;

  // Instances hold the plugin library alive through their deleter.
  std::shared_ptr<Node> create_node(const std::string& type, const NodeContext& ctx) const;
  std::shared_ptr<Resource> create_resource(const std::string& type, const ResourceContext& ctx) const;

  // Used by the plugin loader while a plugin registers: new entries get this
  // origin and keepalive.
  void set_current_origin(std::string origin, std::shared_ptr<void> keepalive);

 private:
  std::map<std::string, NodeType> nodes_;
  std::map<std::string, ResourceType> resources_;
  std::string origin_ = "built-in";
  std::shared_ptr<void> keepalive_;
};

}  // namespace flowrun
