// Entry point of libflowrun_train.so: optimizer resource, step, checkpoint and log nodes.
#include "core/plugin_api.h"
#include "plugins/train/train_nodes.h"

namespace {

void register_types(flowrun::Registry& r) {
  flowrun::register_train_state(r);
  flowrun::register_sgd_step(r);
  flowrun::register_checkpoint(r);
  flowrun::register_log(r);
}

}  // namespace

FLOWRUN_PLUGIN("train", "1.0", register_types)
