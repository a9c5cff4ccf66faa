// Exact squared Euclidean distance transform on a 3D grid with anisotropic
// spacing, the building block of the surface-distance metrics.
//
// Separable algorithm: nearest feature along x by two sweeps, then
// Felzenszwalb & Huttenlocher's lower envelope of parabolas along y and z. It is exact, not an approximation such as chamfer
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

// The distance (not squared) to the nearest feature voxel at each voxel where
// `query` is non-zero, in C order: sqrt(squared_edt) gathered at the queries.
// Cheaper than that, because the last pass runs only on the z lines holding a
// query, which for a surface query is a small part of the volume.
std::vector<double> edt_at(const uint8_t* feature, const uint8_t* query, const std::array<int64_t, 3>& size,
                           const std::array<double, 3>& spacing);

}  // namespace flowrun
