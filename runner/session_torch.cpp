// flowrun-torch's sessions: every built-in type whole, plugins whole.
#include "nodes/builtin_nodes.h"
#include "runner/session.h"

namespace flowrun {

void register_session_builtins(Registry& registry) { register_builtin_nodes(registry); }
PluginLoader::Mode session_plugin_mode() { return PluginLoader::Mode::full; }

}  // namespace flowrun
