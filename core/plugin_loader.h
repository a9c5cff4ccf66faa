// Finds and loads plugins (shared libraries named libflowrun_<name>.so) with
// Boost.DLL and lets them register their types.
//
// In Mode::contracts it loads each plugin's contract library instead
// (libflowrun_<name>.contract.so beside it, see plugin_api.h), recording the
// plugin file as the origin so every listing reads the same; a plugin without
// one throws ContractUnavailable, and the caller runs the verb in full mode.
//
// Search order: FLOWRUN_PLUGIN_PATH (colon-separated), the executable's
// folder, <exe>/../lib/flowrun/plugins (install tree), <exe>/../plugins and
// the build tree's plugin folder.
#pragma once

#include <string>
#include <vector>

#include "core/registry.h"

namespace flowrun {

struct LoadedPlugin {
  std::string name;
  std::string file;
  std::string version;
};

// Not a std::exception: no verb reports it; the front end catches it and
// hands the command line to flowrun-torch.
struct ContractUnavailable {
  std::string plugin_file;
};

class PluginLoader {
 public:
  enum class Mode { full, contracts };
  explicit PluginLoader(Registry& registry, Mode mode = Mode::full);

  std::vector<std::string> search_path() const;
  // `name_or_file` is a plugin name ("vnet") or a path to a .so. Loading the
  // same file twice is a no-op. Throws InputError naming `where` when the
  // plugin is missing, is not a flowrun plugin, or has another ABI version.
  const LoadedPlugin& load(const std::string& name_or_file, const std::string& where = "");
  // Loads every libflowrun_*.so on the search path (for `flowrun nodes`).
  // Plugins that fail to load are reported in `errors`, not thrown
  // (ContractUnavailable is thrown).
  void load_all(std::vector<std::string>* errors);
  const std::vector<LoadedPlugin>& loaded() const { return loaded_; }

  static std::string executable_dir();

 private:
  std::string find(const std::string& name) const;
  Registry& registry_;
  Mode mode_;
  std::vector<LoadedPlugin> loaded_;
};

}  // namespace flowrun
