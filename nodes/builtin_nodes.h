// Registers the node types built into flowrun (data loading, augmentation,
// cropping, normalisation, collation, device transfer). Each register_*()
// lives in the node's own file.
#pragma once

#include "core/node_schema.h"

namespace flowrun {

class Registry;
// Every built-in type, whole (flowrun_nodes, with LibTorch).
void register_builtin_nodes(Registry& registry);
// Without LibTorch (flowrun_data_nodes): the data and prepare nodes whole,
// data.collate and data.to_device as contracts only.
void register_builtin_contracts(Registry& registry);
void register_data_nodes(Registry& registry);  // the torch-free ones, whole
NodeSchema collate_schema();                   // tensor_node_schemas.cpp
NodeSchema to_device_schema();

void register_two_stream_sampler(Registry& registry);  // data.two_stream_sampler
void register_load_case(Registry& registry);           // data.load_case
void register_rot_flip(Registry& registry);            // data.rot_flip
void register_random_crop(Registry& registry);         // data.random_crop
void register_shift_crop(Registry& registry);          // data.shift_crop
void register_normalize(Registry& registry);           // data.normalize
void register_collate(Registry& registry);             // data.collate
void register_to_device(Registry& registry);           // data.to_device

}  // namespace flowrun
