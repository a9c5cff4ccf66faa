// Entry point of libflowrun_vnet.so: registers the `vnet.model` resource.
#include "core/plugin_api.h"
#include "plugins/vnet/vnet_registration.h"

namespace {

void register_types(flowrun::Registry& r) { flowrun::register_vnet_model(r); }

}  // namespace

FLOWRUN_PLUGIN("vnet", "1.0", register_types)
