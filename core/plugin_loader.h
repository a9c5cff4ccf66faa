// Finds and loads plugins (shared libraries named libflowrun_<name>.so) with
// Boost.DLL and lets them register their types.
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

class PluginLoader {
 public:
  explicit PluginLoader(Registry& registry);

  std::vector<std::string> search_path() const;
  // `name_or_file` is a plugin name ("vnet") or a path to a .so. Loading the
  // same file twice is a no-op. Throws InputError naming `where` when the
  // plugin is missing, is not a flowrun plugin, or has another ABI version.
  const LoadedPlugin& load(const std::string& name_or_file, const std::string& where = "");
  // Loads every libflowrun_*.so on the search path (for `flowrun nodes`).
  // Plugins that fail to load are reported in `errors`, not thrown.
  void load_all(std::vector<std::string>* errors);
  const std::vector<LoadedPlugin>& loaded() const { return loaded_; }

  static std::string executable_dir();

 private:
  std::string find(const std::string& name) const;
  Registry& registry_;
  std::vector<LoadedPlugin> loaded_;
};

}  // namespace flowrun
