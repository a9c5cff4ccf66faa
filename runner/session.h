// What every verb that reads a graph does first: a registry with the built-in
// types, the graph's plugins loaded, --set overrides applied, the graph parsed
// and validated.
//
// What a session registers depends on the executable, chosen at link time:
// flowrun-torch links session_torch.cpp (every type whole), the front end
// session_contracts.cpp (the types' contracts: a plugin that ships none makes
// the verb throw ContractUnavailable, and the front end hands the command
// line to flowrun-torch).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/graph_validation.h"
#include "core/overrides.h"
#include "core/plugin_loader.h"
#include "core/registry.h"

namespace flowrun {

// Defined by session_torch.cpp or session_contracts.cpp.
void register_session_builtins(Registry& registry);
PluginLoader::Mode session_plugin_mode();

struct Session {
  std::unique_ptr<Registry> registry;
  std::unique_ptr<PluginLoader> loader;

  Session();
  // Loads every plugin on the search path (for nodes / describe).
  void load_all_plugins(std::vector<std::string>* errors);
  // Read-only verbs (validate, dot) pass generate_dataset = false: they never
  // write data. A generated dataset that does not exist yet is then only
  // noted in `pending_dataset`, and the graph is checked without it.
  // check_files = false skips the nodes' checks that data files exist.
  ValidatedGraph load(const std::string& graph_file, const std::vector<std::string>& set_args,
                      bool generate_dataset = true, bool check_files = true);
  std::string pending_dataset;
};

}  // namespace flowrun
