// The contract a node type declares: typed input and output ports, typed
// parameters, and how it may be scheduled. Checked before the graph runs and
// printed by `flowrun describe`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/param_schema.h"

namespace flowrun {

class NodeContext;

// Port types are names ("batch", "volume", "cases", ...). "any" connects to anything.
struct PortSpec {
  std::string name;
  std::string type = "any";
  std::string doc;
  // An optional input may stay unconnected; the node then runs without it
  // (NodeContext::connected tells the node which inputs are wired).
  bool optional = false;
  // Packet value keys: on an output, the keys every packet carries; on an
  // input, the keys the node reads. validate_graph checks each edge whose
  // ends both declare keys (lib/packets/ holds the shipped port types' keys).
  std::vector<std::string> keys;
};

// A parameter that must hold the same value as a parameter of every other
// node of a given type in the same graph (e.g. cotwin.pseudo_labels.dynamic
// and cotwin.loss.dynamic): checked by validate_graph, after defaults.
struct ParamAgreement {
  std::string param;
  std::string other_type;
  std::string other_param;
  std::string why;  // one clause, shown in the error
};

struct NodeSchema {
  std::string type;  // registry name, "<plugin>.<name>" by convention, e.g. "cotwin.loss"
  std::string doc;   // one line
  std::vector<PortSpec> inputs;
  std::vector<PortSpec> outputs;
  ParamSchema params;
  // The node keeps state across batches and must see them one at a time, in
  // batch order (optimizer steps, loggers). The graph cannot make it parallel.
  bool serial = false;
  std::vector<ParamAgreement> agreements;
  // What `run` would reject beyond the params, checked by validate_graph so
  // `flowrun validate` rejects it too: the node's dataset splits and files,
  // its wiring against the globals. The context has id, type, params,
  // globals, graph paths, dataset and connected inputs, but no resources and
  // no output folder. Throws InputError. open() should call the same check.
  std::function<void(const NodeContext&)> preflight;

  const PortSpec* input(const std::string& name) const;
  const PortSpec* output(const std::string& name) const;
  const ParamSpec* param(const std::string& name) const;
  nlohmann::json to_json() const;
};

// Resource types (long-lived shared objects such as models) have a schema
// without ports.
struct ResourceSchema {
  std::string type;
  std::string doc;
  ParamSchema params;
  nlohmann::json to_json() const;
};

bool port_types_compatible(const std::string& from, const std::string& to);

}  // namespace flowrun
