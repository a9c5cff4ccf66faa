// Plugin discovery and loading with Boost.DLL, with the ABI version check.
#include "core/plugin_loader.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "core/error.h"
#include "core/plugin_api.h"

namespace fs = std::filesystem;

namespace flowrun {

PluginLoader::PluginLoader(Registry& registry, Mode mode) : registry_(registry), mode_(mode) {}

std::string PluginLoader::executable_dir() {
  boost::system::error_code ec;
  auto p = boost::dll::program_location(ec);
  if (ec) return ".";
  return p.parent_path().string();
}

std::vector<std::string> PluginLoader::search_path() const {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("FLOWRUN_PLUGIN_PATH")) {
    std::string s = env;
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) dirs.push_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  const std::string exe = executable_dir();
  dirs.push_back(exe);
  dirs.push_back((fs::path(exe) / ".." / "lib" / "flowrun" / "plugins").lexically_normal().string());
  dirs.push_back((fs::path(exe) / ".." / "plugins").lexically_normal().string());
#ifdef FLOWRUN_BUILD_PLUGIN_DIR
  dirs.push_back(FLOWRUN_BUILD_PLUGIN_DIR);
#endif
  return dirs;
}

static std::string library_file_name(const std::string& name) { return "libflowrun_" + name + ".so"; }

// libflowrun_<name>.so -> libflowrun_<name>.contract.so beside it; "" for a
// file not named like a plugin.
static std::string contract_file_of(const std::string& plugin_file) {
  if (plugin_file.size() < 3 || plugin_file.compare(plugin_file.size() - 3, 3, ".so") != 0) return "";
  return plugin_file.substr(0, plugin_file.size() - 3) + ".contract.so";
}

std::string PluginLoader::find(const std::string& name) const {
  for (auto& d : search_path()) {
    fs::path p = fs::path(d) / library_file_name(name);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p).string();
  }
  return "";
}

const LoadedPlugin& PluginLoader::load(const std::string& name_or_file, const std::string& where) {
  const std::string prefix = where.empty() ? "" : where + ": ";
  std::string file;
  const bool is_path = name_or_file.find('/') != std::string::npos ||
                       (name_or_file.size() > 3 && name_or_file.substr(name_or_file.size() - 3) == ".so");
  if (is_path) {
    std::error_code ec;
    if (!fs::is_regular_file(name_or_file, ec))
      throw InputError(prefix + "plugin file '" + name_or_file + "' not found");
    file = fs::weakly_canonical(name_or_file).string();
  } else {
    file = find(name_or_file);
    if (file.empty()) {
      std::string msg = prefix + "plugin '" + name_or_file + "' not found: no " + library_file_name(name_or_file) +
                        " in";
      for (auto& d : search_path()) msg += " " + d + ";";
      msg += " set FLOWRUN_PLUGIN_PATH to the folder that holds it";
      throw InputError(msg);
    }
  }
  for (auto& p : loaded_) if (p.file == file) return p;

  // In contract mode the code comes from the contract library, and any
  // trouble with it sends the verb to flowrun-torch (whose full load reports
  // the real problem); every message and origin names the plugin file.
  const bool contracts = mode_ == Mode::contracts;
  const auto refuse = [&](const std::string& message) -> const LoadedPlugin& {
    if (contracts) throw ContractUnavailable{file};
    throw InputError(prefix + message);
  };
  const std::string code_file = contracts ? contract_file_of(file) : file;
  const char* entry = contracts ? "flowrun_plugin_contract" : "flowrun_plugin";
  std::error_code fec;
  if (code_file.empty() || !fs::is_regular_file(code_file, fec)) return refuse("plugin file '" + file + "' not found");
  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::system::error_code ec;
  lib->load(code_file, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_global, ec);
  if (ec) return refuse("cannot load plugin file '" + file + "': " + ec.message());
  if (!lib->has(entry)) return refuse("'" + file + "' is not a flowrun plugin: it exports no 'flowrun_plugin' entry point");
  const PluginDescriptor* d = lib->get_alias<PluginEntry>(entry)();
  if (!d) return refuse("plugin '" + file + "' returned no descriptor");
  if (d->abi_version != FLOWRUN_ABI_VERSION)
    return refuse("plugin '" + file + "' was built for flowrun plugin ABI version " + std::to_string(d->abi_version) +
                  " but this flowrun has ABI version " + std::to_string(FLOWRUN_ABI_VERSION) +
                  "; rebuild the plugin against this flowrun");
  if (!d->register_types) return refuse("plugin '" + file + "' has no register function in its descriptor");
  registry_.set_current_origin(file, lib);
  try {
    d->register_types(registry_);
  } catch (const std::exception& e) {
    registry_.set_current_origin("built-in", nullptr);
    throw InputError(prefix + "plugin '" + file + "' failed while registering its types: " + e.what());
  } catch (...) {
    registry_.set_current_origin("built-in", nullptr);
    throw InputError(prefix + "plugin '" + file + "' failed while registering its types");
  }
  registry_.set_current_origin("built-in", nullptr);
  loaded_.push_back({d->name ? d->name : "", file, d->version ? d->version : ""});
  return loaded_.back();
}

void PluginLoader::load_all(std::vector<std::string>* errors) {
  std::set<std::string> seen;
  for (auto& d : search_path()) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (auto& e : fs::directory_iterator(d, ec)) {
      const std::string fn = e.path().filename().string();
      if (fn.rfind("libflowrun_", 0) != 0 || e.path().extension() != ".so") continue;
      const std::string name = fn.substr(11, fn.size() - 14);
      // Contract libraries (name.contract) are loaded through their plugin.
      if (name == "core" || name.find('.') != std::string::npos || !seen.insert(name).second) continue;
      try {
        load(e.path().string());  // first on the path wins
      } catch (const std::exception& ex) {
        if (errors) errors->push_back(ex.what());
      }
    }
  }
}

}  // namespace flowrun
