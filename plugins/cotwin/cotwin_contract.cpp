// Entry point of libflowrun_cotwin.contract.so: CoTwin's node contracts with
// no factories, for the verbs that never run a node (see plugin_api.h).
#include "core/plugin_api.h"
#include "plugins/cotwin/cotwin_nodes.h"

namespace {

void register_contract(flowrun::Registry& r) {
  r.add_node(flowrun::twin_forward_schema(), nullptr);
  r.add_node(flowrun::pseudo_labels_schema(), nullptr);
  r.add_node(flowrun::cotwin_loss_schema(), nullptr);
}

}  // namespace

FLOWRUN_PLUGIN_CONTRACT("cotwin", "1.0", register_contract)
