// Lineage zero padding before a random crop: an axis no larger than the patch
// is padded on both sides by (P - s) // 2 + 3.
//
// The lineage pads when size <= patch (not <), so a volume exactly the patch
// size still gets a 3-voxel border and the crop origin varies. Its numpy code
// also applies the formula, floored at 0, to the other axes whenever any axis
// is padded; flowrun pads only the axes that need it, as docs/method.md states.
#pragma once

#include "lib/ops/box.h"
#include "lib/volume/volume.h"

namespace flowrun {

struct Padding {
  Index3 before{0, 0, 0};
  Index3 after{0, 0, 0};
  bool any() const {
    for (int a = 0; a < 3; ++a)
      if (before[a] != 0 || after[a] != 0) return true;
    return false;
  }
};

Padding padding_for_patch(const Index3& size, const Index3& patch);

// Pads with `fill` (0 for images and labels in the lineage); geometry shifts
// so the original voxels keep their world positions.
template <class T>
Volume<T> apply_padding(const Volume<T>& v, const Padding& p, T fill = T{});

// padding_for_patch + apply_padding; the padding used is written to *applied.
template <class T>
Volume<T> pad_for_patch(const Volume<T>& v, const Index3& patch, Padding* applied = nullptr);

}  // namespace flowrun
