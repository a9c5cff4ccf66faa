// Registration of `vnet.model`, declared without torch headers so the
// plugin's entry point compiles in a moment.
#pragma once

#include <memory>

#include "core/node_schema.h"
#include "core/registry.h"
#include "core/resource.h"

namespace flowrun {

// Adds the resource type (schema and factory) to the registry.
void register_vnet_model(Registry& r);
// Its parameters (vnet_schema.cpp, shared with the contract library).
ResourceSchema vnet_model_schema();

}  // namespace flowrun
