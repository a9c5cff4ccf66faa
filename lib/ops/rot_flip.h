// Lineage augmentation for LA and BraTS: rot90 in the (x, y) plane, then one
// flip along x or y.
//
// The draw is separate from the application so every channel and the label
// of a case get the same transform, and so tests can pin exact voxels.
#pragma once

#include "core/rng.h"
#include "lib/volume/volume.h"

namespace flowrun {

struct RotFlip {
  int k = 0;          // quarter turns, as np.rot90(image, k) on axes (0, 1)
  int flip_axis = 0;  // 0 = x, 1 = y; the lineage always flips once
};

// Draws k in 0..3, then the flip axis in 0..1 (the lineage's order).
RotFlip draw_rot_flip(Rng& rng);

// np.rot90(m, k, axes=(0, 1)): out[i, j] = m[j, ny-1-i] for k = 1. Odd k
// swaps the x and y sizes and spacings; origin and direction are kept, since
// augmented patches only feed the network.
template <class T>
Volume<T> rot90_xy(const Volume<T>& v, int k);

// np.flip(m, axis) for axis 0 (x) or 1 (y).
template <class T>
Volume<T> flip_axis(const Volume<T>& v, int axis);

// rot90_xy then flip_axis, as the lineage's RandomRotFlip.
template <class T>
Volume<T> apply_rot_flip(const Volume<T>& v, RotFlip rf);

}  // namespace flowrun
