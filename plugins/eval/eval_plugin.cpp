// Entry point of libflowrun_eval.so: registers eval.validate, eval.evaluate
// and eval.infer.
#include "core/plugin_api.h"
#include "plugins/eval/eval_nodes.h"

namespace {

void register_eval_types(flowrun::Registry& r) {
  r.add_node(flowrun::validate_node_schema(), &flowrun::make_validate_node);
  r.add_node(flowrun::evaluate_node_schema(), &flowrun::make_evaluate_node);
  r.add_node(flowrun::infer_node_schema(), &flowrun::make_infer_node);
}

}  // namespace

FLOWRUN_PLUGIN("eval", "1.0", register_eval_types)
