// The front end's sessions: the built-in types without LibTorch and the
// plugins' contract libraries, enough to list, describe, validate and draw.
#include "nodes/builtin_nodes.h"
#include "runner/session.h"

namespace flowrun {

void register_session_builtins(Registry& registry) { register_builtin_contracts(registry); }
PluginLoader::Mode session_plugin_mode() { return PluginLoader::Mode::contracts; }

}  // namespace flowrun
