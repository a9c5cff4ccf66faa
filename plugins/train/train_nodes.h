// Registration functions of the train plugin's types, one per source file,
// in a header free of LibTorch so the plugin entry point compiles quickly.
#pragma once

#include "core/registry.h"

namespace flowrun {

void register_train_state(Registry& r);  // resource train.optimizer
void register_sgd_step(Registry& r);     // node train.sgd_step
void register_checkpoint(Registry& r);   // node train.checkpoint
void register_log(Registry& r);          // node train.log

// Their contracts (train_schemas.cpp, shared with the contract library).
ResourceSchema train_optimizer_schema();
NodeSchema sgd_step_schema();
NodeSchema checkpoint_schema();
NodeSchema log_schema();

}  // namespace flowrun
