// Entry point of libflowrun_cotwin.so: registers CoTwin's node types.
#include "core/plugin_api.h"
#include "plugins/cotwin/cotwin_nodes.h"

namespace {

void register_cotwin(flowrun::Registry& r) {
  flowrun::register_twin_forward(r);
  flowrun::register_pseudo_labels(r);
  flowrun::register_cotwin_loss(r);
}

}  // namespace

FLOWRUN_PLUGIN("cotwin", "1.0", register_cotwin)
