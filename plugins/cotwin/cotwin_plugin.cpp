// Entry point of libflowrun_cotwin.so: registers CoTwin's node types.
#include "core/plugin_api.h"
#include "plugins/cotwin/cotwin_nodes.h"

namespace {

void register_cotwin(flowrun::Registry& r) {
  r.add_node(flowrun::twin_forward_schema(), &flowrun::make_twin_forward);
  r.add_node(flowrun::pseudo_labels_schema(), &flowrun::make_pseudo_labels);
  r.add_node(flowrun::cotwin_loss_schema(), &flowrun::make_cotwin_loss);
}

}  // namespace

FLOWRUN_PLUGIN("cotwin", "1.0", register_cotwin)
