// Exact squared Euclidean distance transform on a 3D grid with anisotropic
// spacing, the building block of the surface-distance metrics.
//
// Separable algorithm (Felzenszwalb & Huttenlocher's lower envelope of
// parabolas per axis). It is exact, not an approximation such as chamfer
// distances, so results match scipy's distance_transform_edt (which medpy uses)
// up to floating-point rounding.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace flowrun {

// For every voxel of a grid of `size` (x, y, z; z fastest), the squared
// physical distance to the nearest voxel where `feature` is non-zero.
// +infinity everywhere when there is no feature voxel. Lines are processed in
// parallel with TBB.
std::vector<double> squared_edt(const uint8_t* feature, const std::array<int64_t, 3>& size,
                                const std::array<double, 3>& spacing);

}  // namespace flowrun
