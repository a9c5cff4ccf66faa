// Loading a graph for a verb: built-ins, plugins, overrides, validation.
#include "runner/session.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "core/error.h"
#include "core/graph_document.h"
#include "core/graph_spec.h"
#include "lib/volume/dataset.h"
#include "runner/dataset_generator.h"

namespace flowrun {

namespace {

// A model resource whose graph leaves in_channels or n_classes unset takes
// them from the dataset: its channels, and its largest declared label + 1.
// So a 2-channel or 4-label dataset needs no model override. A dataset that
// cannot be read yet (generated later, or broken: validation says why) is
// left alone, and so are types without those parameters.
void fill_model_shapes_from_dataset(GraphSpec& spec, const Registry& registry) {
  if (spec.dataset.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(spec.dataset, ec)) return;
  std::optional<DatasetDescription> d;
  try {
    d = DatasetDescription::load(spec.dataset, spec.params.value("dataset_root", std::string()), /*require_root=*/false);
  } catch (const std::exception&) {
    return;
  }
  int max_label = 1;
  for (const auto& [value, name] : d->labels) max_label = std::max(max_label, value);
  for (ResourceSpec& r : spec.resources) {
    const ResourceType* t = registry.resource(r.type);
    if (!t || !r.params.is_object()) continue;
    const auto has = [&](const char* p) {
      for (const ParamSpec& ps : t->schema.params) if (ps.name == p && ps.type == ParamType::Int) return true;
      return false;
    };
    if (has("in_channels") && !r.params.contains("in_channels") && !d->channels.empty())
      r.params["in_channels"] = int64_t(d->channels.size());
    if (has("n_classes") && !r.params.contains("n_classes")) r.params["n_classes"] = int64_t(max_label) + 1;
  }
}

}  // namespace

Session::Session() : registry(std::make_unique<Registry>()) {
  register_session_builtins(*registry);
  loader = std::make_unique<PluginLoader>(*registry, session_plugin_mode());
}

void Session::load_all_plugins(std::vector<std::string>* errors) { loader->load_all(errors); }

ValidatedGraph Session::load(const std::string& graph_file, const std::vector<std::string>& set_args,
                             bool generate_dataset, bool check_files) {
  ValidateOptions options;
  options.check_files = check_files;
  // Version 2 (extends, chain) becomes version 1 first: --set paths name the
  // nodes of the whole, expanded graph.
  nlohmann::json doc = expand_graph_document(read_json_file(graph_file, "graph"), graph_file);
  std::vector<Override> overrides;
  for (auto& s : set_args) overrides.push_back(parse_override(s));
  if (!doc.is_object()) return validate_graph(parse_graph(doc, graph_file), *registry, options);  // reports the shape
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
  fill_model_shapes_from_dataset(spec, *registry);
  if (generate_dataset) {
    ensure_generated_dataset(spec);
  } else if (spec.doc.contains("dataset_generator") && !spec.dataset.empty() && !std::filesystem::exists(spec.dataset)) {
    pending_dataset = spec.dataset;
    options.dataset_pending = true;
  }
  return validate_graph(spec, *registry, options);
}

}  // namespace flowrun
