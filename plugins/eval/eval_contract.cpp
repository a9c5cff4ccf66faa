// Entry point of libflowrun_eval.contract.so: the eval nodes' contracts with
// no factories, for the verbs that never run a node (see plugin_api.h).
#include "core/plugin_api.h"
#include "plugins/eval/eval_contracts.h"

namespace {

void register_contract(flowrun::Registry& r) {
  r.add_node(flowrun::validate_node_schema(), nullptr);
  r.add_node(flowrun::evaluate_node_schema(), nullptr);
  r.add_node(flowrun::infer_node_schema(), nullptr);
}

}  // namespace

FLOWRUN_PLUGIN_CONTRACT("eval", "1.0", register_contract)
