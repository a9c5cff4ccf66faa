// Cutting a box out of a volume: the one copy loop every crop op shares.
#pragma once

#include <string>

#include "lib/ops/box.h"
#include "lib/volume/volume.h"

namespace flowrun {

// The voxels of `box`, which must lie inside `v` (InputError naming
// `case_id` otherwise). Geometry is shifted so world positions are kept.
template <class T>
Volume<T> crop(const Volume<T>& v, const Box& box, const std::string& case_id = {});

// A box of size `extent` starting at `origin`.
inline Box box_at(const Index3& origin, const Index3& extent) {
  return Box{origin, {origin[0] + extent[0], origin[1] + extent[1], origin[2] + extent[2]}};
}

}  // namespace flowrun
