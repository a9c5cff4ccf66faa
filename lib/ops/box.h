// Axis-aligned voxel boxes and the geometry bookkeeping of cutting or padding.
//
// Crops, pads and bounding boxes all speak in half-open index ranges
// [lo, hi) per axis (x, y, z); keeping one type for them lets a prepare graph
// chain bounding box -> margin -> crop without converting conventions.
#pragma once

#include <array>
#include <cstdint>

#include "lib/volume/volume.h"

namespace flowrun {

using Index3 = std::array<int64_t, 3>;

struct Box {
  Index3 lo{0, 0, 0};
  Index3 hi{0, 0, 0};  // exclusive

  Index3 extent() const { return {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}; }
  bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  bool operator==(const Box& o) const { return lo == o.lo && hi == o.hi; }
  bool operator!=(const Box& o) const { return !(*this == o); }
};

// Geometry of a sub-volume whose voxel (0,0,0) is voxel `offset` of `g`
// (offset may be negative for padding): the physical origin moves so that
// world coordinates of every kept voxel stay the same.
inline Geometry offset_geometry(const Geometry& g, const Index3& offset) {
  Geometry out = g;
  for (int row = 0; row < 3; ++row) {
    double shift = 0.0;
    for (int axis = 0; axis < 3; ++axis)
      shift += g.direction[row * 3 + axis] * g.spacing[axis] * static_cast<double>(offset[axis]);
    out.origin[row] = g.origin[row] + shift;
  }
  return out;
}

}  // namespace flowrun
