// Entry point of libflowrun_eval.so: registers eval.validate, eval.evaluate
// and eval.infer.
#include "core/plugin_api.h"
#include "plugins/eval/eval_nodes.h"

namespace {

void register_eval_types(flowrun::Registry& r) {
  flowrun::register_validate(r);
  flowrun::register_evaluate(r);
  flowrun::register_infer(r);
}

}  // namespace

FLOWRUN_PLUGIN("eval", "1.0", register_eval_types)
