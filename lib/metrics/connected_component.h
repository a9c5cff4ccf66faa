// Largest connected component of a segmentation, the lineage's optional
// post-processing that drops small spurious blobs before the metrics.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "lib/volume/volume.h"

namespace flowrun {

// Keeps the largest 26-connected component of the non-zero voxels (26, as
// skimage.measure.label's default full connectivity in 3D that the lineage's
// getLargestCC uses; it also keeps thin diagonal structures joined). Values
// are kept; every other voxel becomes 0. Ties go to the component whose first
// voxel comes first in C order. An all-zero mask is returned unchanged.
std::vector<uint8_t> largest_connected_component(const uint8_t* mask, const std::array<int64_t, 3>& size);
LabelVolume largest_connected_component(const LabelVolume& mask);

}  // namespace flowrun
