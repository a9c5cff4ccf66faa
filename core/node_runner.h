// NodeRunner: runs one node of a registry alone, as the graph would, so any
// node type (built-in or from a plugin) is tested without a graph: validated
// params, globals, resources by name, a dataset, then open, one process call
// per batch with packets per input port, the outputs per port, and close.
// In the spirit of MediaPipe's CalculatorRunner; installed for plugin authors.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/node.h"
#include "core/registry.h"

namespace flowrun {

class NodeRunner {
 public:
  // `params` are validated against the type's schema (InputError as in a
  // graph); globals default to the graph defaults with device "cpu".
  NodeRunner(const Registry& registry, const std::string& type, const nlohmann::json& params = nlohmann::json::object(),
             const std::string& id = "node");
  ~NodeRunner();  // closes the node if it was opened

  // Before the first run: graph-wide parameters (merged over the defaults),
  // the dataset description, a resource created from the registry under
  // `name` (returned, e.g. to inspect a model), the last batch id.
  NodeRunner& globals(const nlohmann::json& globals);
  NodeRunner& dataset(const std::string& description_file);
  std::shared_ptr<Resource> resource(const std::string& name, const std::string& type,
                                     const nlohmann::json& params = nlohmann::json::object());
  NodeRunner& last_batch(int64_t id);
  NodeRunner& out_dir(const std::string& dir);

  // Opens the node with every non-optional input connected. Optional: run()
  // opens it on first use, with the ports fed then as the connected ones.
  void open();
  std::map<std::string, PacketPtr> run(int64_t batch, const std::map<std::string, PacketPtr>& inputs = {});
  // The common case: one packet on "in" (none for a source), the packet on "out".
  PacketPtr run_one(int64_t batch, PacketPtr in = nullptr);
  // A value packet to feed: batch id set, meta and values as given.
  static PacketPtr packet(int64_t batch, Packet p);

  void close(bool failed = false);
  NodeContext& context() { return ctx_; }
  Node& node();

 private:
  void open_with(const std::map<std::string, PacketPtr>& first_inputs);

  const Registry& registry_;
  const NodeType& type_;
  NodeContext ctx_;
  std::map<std::string, std::shared_ptr<Resource>> resources_;
  std::shared_ptr<Node> node_;
  bool open_ = false, closed_ = false;
};

}  // namespace flowrun
