// The list of built-in node types. Each node file provides its register_*()
// function; this file only calls them, so adding a node is one line here.
#include "nodes/builtin_nodes.h"

#include "core/registry.h"
#include "nodes/prepare/prepare_nodes.h"

namespace flowrun {

void register_builtin_nodes(Registry& r) {
  register_prepare_nodes(r);
  register_two_stream_sampler(r);
  register_load_case(r);
  register_rot_flip(r);
  register_random_crop(r);
  register_shift_crop(r);
  register_normalize(r);
  register_collate(r);
  register_to_device(r);
}

}  // namespace flowrun
