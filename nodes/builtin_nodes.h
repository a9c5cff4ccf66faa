// Registers the node types built into flowrun (data loading, augmentation,
// cropping, normalisation, collation, device transfer).
#pragma once

namespace flowrun {

class Registry;
void register_builtin_nodes(Registry& registry);

}  // namespace flowrun
