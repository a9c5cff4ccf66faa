// Verbs that introspect types: nodes (list) and describe (one type), in the
// spirit of gst-inspect.
#include <iomanip>
#include <iostream>

#include "core/error.h"
#include "core/param_schema.h"
#include "runner/session.h"
#include "runner/verbs.h"

namespace flowrun {

using nlohmann::json;

namespace {

void print_params(const ParamSchema& params) {
  std::cout << "Parameters:\n";
  if (params.empty()) std::cout << "  (none)\n";
  for (auto& p : params) {
    std::cout << "  " << p.name << " : " << to_string(p.type);
    if (p.required) std::cout << ", required";
    else std::cout << " = " << p.default_value.dump();
    std::cout << "\n      " << p.doc << "\n      accepts " << p.expectation() << "\n";
  }
}

void print_ports(const char* title, const std::vector<PortSpec>& ports) {
  std::cout << title << ":\n";
  if (ports.empty()) std::cout << "  (none)\n";
  for (auto& p : ports)
    std::cout << "  " << p.name << " : " << p.type << (p.optional ? " (optional)" : "") << "  " << p.doc << "\n";
}

}  // namespace

void add_nodes_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("nodes", "list every node and resource type, built-in and from plugins");
  auto as_json = std::make_shared<bool>(false);
  sub->add_flag("--json", *as_json, "print JSON");
  sub->callback([as_json] {
    Session s;
    std::vector<std::string> errors;
    s.load_all_plugins(&errors);
    if (*as_json) {
      json out = {{"nodes", json::array()}, {"resources", json::array()}, {"plugin_errors", errors}};
      for (auto* t : s.registry->nodes())
        out["nodes"].push_back({{"type", t->schema.type}, {"doc", t->schema.doc}, {"origin", t->origin}});
      for (auto* t : s.registry->resources())
        out["resources"].push_back({{"type", t->schema.type}, {"doc", t->schema.doc}, {"origin", t->origin}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    size_t w = 10;
    for (auto* t : s.registry->nodes()) w = std::max(w, t->schema.type.size());
    for (auto* t : s.registry->resources()) w = std::max(w, t->schema.type.size());
    std::cout << "Node types:\n";
    for (auto* t : s.registry->nodes())
      std::cout << "  " << std::left << std::setw(int(w)) << t->schema.type << "  " << t->schema.doc << "  ["
                << t->origin << "]\n";
    std::cout << "Resource types:\n";
    for (auto* t : s.registry->resources())
      std::cout << "  " << std::left << std::setw(int(w)) << t->schema.type << "  " << t->schema.doc << "  ["
                << t->origin << "]\n";
    for (auto& e : errors) std::cerr << "flowrun: warning: " << e << "\n";
  });
}

void add_describe_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("describe", "print a node or resource type's ports and parameters");
  auto type = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  sub->add_option("type", *type, "type name, e.g. cotwin.loss")->required();
  sub->add_flag("--json", *as_json, "print JSON");
  sub->callback([type, as_json] {
    Session s;
    std::vector<std::string> errors;
    s.load_all_plugins(&errors);
    if (const NodeType* t = s.registry->node(*type)) {
      if (*as_json) {
        json j = t->schema.to_json();
        j["origin"] = t->origin;
        std::cout << j.dump(2) << "\n";
        return;
      }
      std::cout << t->schema.type << " (node, " << t->origin << ")\n  " << t->schema.doc << "\n";
      if (t->schema.serial) std::cout << "  serial: sees one batch at a time, in batch order\n";
      print_ports("Inputs", t->schema.inputs);
      print_ports("Outputs", t->schema.outputs);
      print_params(t->schema.params);
      return;
    }
    if (const ResourceType* t = s.registry->resource(*type)) {
      if (*as_json) {
        json j = t->schema.to_json();
        j["origin"] = t->origin;
        std::cout << j.dump(2) << "\n";
        return;
      }
      std::cout << t->schema.type << " (resource, " << t->origin << ")\n  " << t->schema.doc << "\n";
      print_params(t->schema.params);
      return;
    }
    s.registry->require_node(*type, "describe");  // throws with close names
  });
}

}  // namespace flowrun
