// Loading a graph for a verb: built-ins, plugins, overrides, validation.
#include "runner/session.h"

#include "core/error.h"
#include "core/graph_spec.h"
#include "nodes/builtin_nodes.h"
#include "runner/dataset_generator.h"

namespace flowrun {

Session::Session() : registry(std::make_unique<Registry>()) {
  register_builtin_nodes(*registry);
  loader = std::make_unique<PluginLoader>(*registry);
}

void Session::load_all_plugins(std::vector<std::string>* errors) { loader->load_all(errors); }

ValidatedGraph Session::load(const std::string& graph_file, const std::vector<std::string>& set_args) {
  nlohmann::json doc = read_json_file(graph_file, "graph");
  std::vector<Override> overrides;
  for (auto& s : set_args) overrides.push_back(parse_override(s));
  if (!doc.is_object()) return validate_graph(parse_graph(doc, graph_file), *registry);  // reports the shape
  // Plugins first: overrides are checked against the types they register.
  std::vector<Override> plugin_overrides;
  for (auto& o : overrides) if (o.path.rfind("plugins", 0) == 0) plugin_overrides.push_back(o);
  apply_overrides(doc, plugin_overrides, *registry);
  if (doc.contains("plugins") && doc["plugins"].is_array()) {
    GraphSpec shape = parse_graph(doc, graph_file);  // checks the plugin list's shape
    for (size_t i = 0; i < shape.plugins.size(); ++i)
      loader->load(shape.plugins[i], shape.where("$.plugins[" + std::to_string(i) + "]"));
  }
  apply_overrides(doc, overrides, *registry);
  GraphSpec spec = parse_graph(doc, graph_file);
  ensure_generated_dataset(spec);
  return validate_graph(spec, *registry);
}

}  // namespace flowrun
