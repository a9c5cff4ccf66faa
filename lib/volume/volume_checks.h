// Value checks shared by every reader: images must be finite, labels must be
// small non-negative integers. Kept apart from the readers so ITK and HDF5
// paths reject bad data with the same messages.
#pragma once

#include <string>

#include "lib/volume/volume.h"

namespace flowrun::detail {

// Throws InputError naming `name` and the first voxel holding a NaN or Inf.
void require_finite(const ImageVolume& v, const std::string& name);

// Converts a label read at full precision to uint8; throws InputError naming
// `name` and the voxel when a value is not an integer in 0..255.
LabelVolume to_label_volume(const Volume<double>& v, const std::string& name);

// Throws InputError naming `name` when a voxel size the file declares is
// zero, negative or not finite: distances, resampling and HD95 in mm would
// silently divide by it.
void require_valid_spacing(const Geometry& g, const std::string& name);

std::string voxel_string(const std::array<int64_t, 3>& size, int64_t flat_index);

}  // namespace flowrun::detail
