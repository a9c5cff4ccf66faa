// rot90 / flip on Volume, instantiated for image and label voxel types.
#include "lib/ops/rot_flip.h"

#include <utility>

#include "core/error.h"

namespace flowrun {

RotFlip draw_rot_flip(Rng& rng) {
  RotFlip rf;
  rf.k = static_cast<int>(rng.uniform_int(0, 3));
  rf.flip_axis = static_cast<int>(rng.uniform_int(0, 1));
  return rf;
}

template <class T>
Volume<T> rot90_xy(const Volume<T>& v, int k) {
  k = ((k % 4) + 4) % 4;
  const int64_t nx = v.size[0], ny = v.size[1], nz = v.size[2];
  const bool swap = (k % 2) == 1;
  Volume<T> out(swap ? std::array<int64_t, 3>{ny, nx, nz} : v.size);
  out.geometry = v.geometry;
  if (swap) std::swap(out.geometry.spacing[0], out.geometry.spacing[1]);
  for (int64_t i = 0; i < out.size[0]; ++i)
    for (int64_t j = 0; j < out.size[1]; ++j) {
      int64_t sx = i, sy = j;
      if (k == 1) { sx = j; sy = ny - 1 - i; }
      else if (k == 2) { sx = nx - 1 - i; sy = ny - 1 - j; }
      else if (k == 3) { sx = nx - 1 - j; sy = i; }
      for (int64_t z = 0; z < nz; ++z) out.at(i, j, z) = v.at(sx, sy, z);
    }
  return out;
}

template <class T>
Volume<T> flip_axis(const Volume<T>& v, int axis) {
  if (axis != 0 && axis != 1)
    throw InputError("flip axis must be 0 (x) or 1 (y), got " + std::to_string(axis));
  Volume<T> out(v.size);
  out.geometry = v.geometry;
  const int64_t nx = v.size[0], ny = v.size[1], nz = v.size[2];
  for (int64_t i = 0; i < nx; ++i)
    for (int64_t j = 0; j < ny; ++j) {
      const int64_t sx = axis == 0 ? nx - 1 - i : i;
      const int64_t sy = axis == 1 ? ny - 1 - j : j;
      for (int64_t z = 0; z < nz; ++z) out.at(i, j, z) = v.at(sx, sy, z);
    }
  return out;
}

template <class T>
Volume<T> apply_rot_flip(const Volume<T>& v, RotFlip rf) {
  return flip_axis(rot90_xy(v, rf.k), rf.flip_axis);
}

#define FLOWRUN_ROT_FLIP_INSTANTIATE(T)                 \
  template Volume<T> rot90_xy(const Volume<T>&, int);   \
  template Volume<T> flip_axis(const Volume<T>&, int);  \
  template Volume<T> apply_rot_flip(const Volume<T>&, RotFlip);
FLOWRUN_ROT_FLIP_INSTANTIATE(float)
FLOWRUN_ROT_FLIP_INSTANTIATE(uint8_t)
#undef FLOWRUN_ROT_FLIP_INSTANTIATE

}  // namespace flowrun
