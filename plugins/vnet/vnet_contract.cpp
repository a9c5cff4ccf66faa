// Entry point of libflowrun_vnet.contract.so: the `vnet.model` schema with no
// factory, for the verbs that never build a network (see plugin_api.h).
#include "core/plugin_api.h"
#include "plugins/vnet/vnet_registration.h"

namespace {

void register_contract(flowrun::Registry& r) { r.add_resource(flowrun::vnet_model_schema(), nullptr); }

}  // namespace

FLOWRUN_PLUGIN_CONTRACT("vnet", "1.0", register_contract)
