// Graphviz dot export of a graph, optionally annotated with a run profile.
#include "core/dot_export.h"

#include <iomanip>
#include <sstream>

namespace flowrun {

using nlohmann::json;

static std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') { o += "\\n"; continue; }
    o += c;
  }
  return o;
}

std::string graph_to_dot(const ValidatedGraph& graph, const Registry& registry, const json& profile) {
  std::ostringstream o;
  o << "digraph \"" << escape(graph.spec.name) << "\" {\n"
    << "  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n"
    << "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  double total_busy = 0;
  if (profile.is_object() && profile.contains("nodes"))
    for (auto& [id, s] : profile["nodes"].items()) total_busy += s.value("busy_seconds", 0.0);
  for (auto& n : graph.spec.nodes) {
    const NodeSchema& schema = registry.node(n.type)->schema;
    std::ostringstream label;
    label << n.id << "\\n" << n.type;
    const json& params = graph.node_params.at(n.id);
    for (auto& p : schema.params) {
      if (params.contains(p.name) && params[p.name] != p.default_value)
        label << "\\n" << escape(p.name) << " = " << escape(params[p.name].dump());
    }
    if (n.concurrency > 1) label << "\\nconcurrency " << n.concurrency;
    if (n.concurrency < 0) label << "\\nconcurrency unlimited";
    std::string fill;
    if (profile.is_object() && profile.contains("nodes") && profile["nodes"].contains(n.id)) {
      const json& s = profile["nodes"][n.id];
      const double busy = s.value("busy_seconds", 0.0);
      label << "\\n" << s.value("calls", 0) << " calls, " << std::fixed << std::setprecision(3) << busy << " s busy ("
            << std::setprecision(1) << s.value("mean_ms", 0.0) << " ms/call)";
      // Redder = more of the run's busy time spent here.
      const double share = total_busy > 0 ? busy / total_busy : 0;
      const int g = static_cast<int>(235 - 150 * share);
      std::ostringstream c;
      c << "#ff" << std::hex << std::setw(2) << std::setfill('0') << g << std::setw(2) << g;
      fill = c.str();
    }
    o << "  \"" << escape(n.id) << "\" [label=\"" << label.str() << "\"" << (schema.serial ? ", peripheries=2" : "")
      << (fill.empty() ? "" : ", fillcolor=\"" + fill + "\"") << "];\n";
  }
  for (auto& r : graph.spec.resources)
    o << "  \"res:" << escape(r.name) << "\" [shape=cylinder, fillcolor=\"#f6f0dc\", label=\"" << escape(r.name)
      << "\\n" << escape(r.type) << "\"];\n";
  for (auto& e : graph.spec.edges) {
    o << "  \"" << escape(e.from.node) << "\" -> \"" << escape(e.to.node) << "\" [label=\"" << escape(e.from.port)
      << " -> " << escape(e.to.port) << "\"" << (e.back ? ", style=dashed, constraint=false" : "") << "];\n";
  }
  // Dotted lines show which nodes use which resources.
  for (auto& n : graph.spec.nodes) {
    const NodeSchema& schema = registry.node(n.type)->schema;
    for (auto& p : schema.params)
      if (p.type == ParamType::Resource && graph.node_params.at(n.id)[p.name].is_string())
        o << "  \"res:" << escape(graph.node_params.at(n.id)[p.name]) << "\" -> \"" << escape(n.id)
          << "\" [style=dotted, arrowhead=none];\n";
  }
  o << "}\n";
  return o.str();
}

}  // namespace flowrun
