// Entry point of libflowrun_train.contract.so: the train plugin's contracts
// with no factories, for the verbs that never run a node (see plugin_api.h).
#include "core/plugin_api.h"
#include "plugins/train/train_nodes.h"

namespace {

void register_contract(flowrun::Registry& r) {
  r.add_resource(flowrun::train_optimizer_schema(), nullptr);
  r.add_node(flowrun::sgd_step_schema(), nullptr);
  r.add_node(flowrun::checkpoint_schema(), nullptr);
  r.add_node(flowrun::log_schema(), nullptr);
}

}  // namespace

FLOWRUN_PLUGIN_CONTRACT("train", "1.0", register_contract)
