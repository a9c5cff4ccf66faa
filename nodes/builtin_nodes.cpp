// The list of built-in node types. Each node file provides its register_*()
// function; this file and builtin_contracts.cpp only call them, so adding a
// node is one line there.
#include "nodes/builtin_nodes.h"

#include "core/registry.h"

namespace flowrun {

void register_builtin_nodes(Registry& r) {
  register_data_nodes(r);
  register_collate(r);
  register_to_device(r);
}

}  // namespace flowrun
