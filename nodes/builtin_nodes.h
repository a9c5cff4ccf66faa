// Registers the node types built into flowrun (data loading, augmentation,
// cropping, normalisation, collation, device transfer). Each register_*()
// lives in the node's own file.
#pragma once

namespace flowrun {

class Registry;
void register_builtin_nodes(Registry& registry);

void register_two_stream_sampler(Registry& registry);  // data.two_stream_sampler
void register_load_case(Registry& registry);           // data.load_case
void register_rot_flip(Registry& registry);            // data.rot_flip
void register_random_crop(Registry& registry);         // data.random_crop
void register_shift_crop(Registry& registry);          // data.shift_crop
void register_normalize(Registry& registry);           // data.normalize
void register_collate(Registry& registry);             // data.collate
void register_to_device(Registry& registry);           // data.to_device

}  // namespace flowrun
