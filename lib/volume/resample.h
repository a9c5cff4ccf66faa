// Resampling volumes to a new voxel spacing (e.g. Pancreas-CT to 1 mm
// isotropic in its prepare graph). Direction is kept; the output grid is
// corner-aligned with the input (same physical box), size =
// round(size * old_spacing / new_spacing), origin moved by half the spacing change.
#pragma once

#include <array>

#include "lib/volume/volume.h"

namespace flowrun {

// order: 0 nearest, 1 linear, 2..5 B-spline of that order (3 for images).
// The volume's spacing must be known; spacing must be positive.
ImageVolume resample_image(const ImageVolume& v, const std::array<double, 3>& spacing, int order = 3);

// Nearest-neighbour, so label values are never blended.
LabelVolume resample_label(const LabelVolume& v, const std::array<double, 3>& spacing);

// The output size resample_* produce for `v` at `spacing`.
std::array<int64_t, 3> resampled_size(const std::array<int64_t, 3>& size, const std::array<double, 3>& from,
                                      const std::array<double, 3>& to);

}  // namespace flowrun
