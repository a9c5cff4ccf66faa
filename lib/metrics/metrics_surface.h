// Surface voxels of binary masks and the distances between two surfaces, the
// way medpy's hd95 / asd define them (medpy.metric.binary.__surface_distances).
//
// Surface = mask XOR erosion(mask, 6-connected cross), where voxels outside
// the array count as background (scipy's binary_erosion, border_value 0), so
// a mask touching the array border has a surface there.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace flowrun {

// Mask of the surface voxels (0/1) of a 0/1 mask of `size` (x, y, z; z fastest).
std::vector<uint8_t> surface_of(const uint8_t* mask, const std::array<int64_t, 3>& size);

struct SurfaceDistances {
  std::vector<double> a_to_b;  // per surface voxel of a, in C order: distance to b's surface
  std::vector<double> b_to_a;  // per surface voxel of b, in C order: distance to a's surface
};

// Both directed surface-distance sets of two non-empty 0/1 masks, in physical
// units of `spacing`. Works on the bounding box of both masks only; the
// distances are unchanged by that, because every surface voxel lies inside it
// and voxels outside it are background anyway. Each surface's EDT is computed
// once. Throws InputError when a mask is empty (distances are undefined).
SurfaceDistances surface_distances(const uint8_t* a, const uint8_t* b, const std::array<int64_t, 3>& size,
                                   const std::array<double, 3>& spacing);

}  // namespace flowrun
