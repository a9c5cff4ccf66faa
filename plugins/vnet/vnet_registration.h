// Schema and factory of `vnet.model`, declared without torch headers so the
// plugin's entry point compiles in a moment.
#pragma once

#include <memory>

#include "core/node_schema.h"
#include "core/resource.h"

namespace flowrun {

ResourceSchema vnet_model_schema();
std::shared_ptr<Resource> make_vnet_model(const ResourceContext& ctx);

}  // namespace flowrun
