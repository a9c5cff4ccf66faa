// The built-in types without LibTorch: the data and prepare nodes whole, the
// tensor nodes' contracts alone (see plugin_api.h on contracts).
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "nodes/prepare/prepare_nodes.h"

namespace flowrun {

void register_data_nodes(Registry& r) {
  register_prepare_nodes(r);
  register_two_stream_sampler(r);
  register_load_case(r);
  register_rot_flip(r);
  register_random_crop(r);
  register_shift_crop(r);
  register_normalize(r);
}

void register_builtin_contracts(Registry& r) {
  register_data_nodes(r);
  r.add_node(collate_schema(), nullptr);
  r.add_node(to_device_schema(), nullptr);
}

}  // namespace flowrun
