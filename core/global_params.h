// The graph's global parameters (`params` at the top level): seed, iteration
// budget, device, prefetch depth, thread counts. Validated like node params.
#pragma once

#include "core/param_schema.h"

namespace flowrun {

const ParamSchema& global_param_schema();

}  // namespace flowrun
