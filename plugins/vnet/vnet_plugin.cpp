// Entry point of libflowrun_vnet.so: registers the `vnet.model` resource.
#include "core/plugin_api.h"
#include "plugins/vnet/vnet_registration.h"

namespace {

void register_vnet(flowrun::Registry& r) { r.add_resource(flowrun::vnet_model_schema(), &flowrun::make_vnet_model); }

}  // namespace

FLOWRUN_PLUGIN("vnet", "1.0", register_vnet)
