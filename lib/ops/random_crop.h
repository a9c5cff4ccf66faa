// Lineage random crop: a patch-sized box at a uniform origin in the (already
// padded) volume.
#pragma once

#include <string>

#include "core/rng.h"
#include "lib/ops/box.h"
#include "lib/ops/crop.h"

namespace flowrun {

// origin_i uniform in [0, size_i - patch_i], drawn x, y, z in that order.
// InputError naming `case_id` when the patch does not fit.
Index3 draw_crop_origin(Rng& rng, const Index3& size, const Index3& patch,
                        const std::string& case_id = {});

// InputError naming `case_id` unless 0 < patch_i <= size_i on every axis.
void check_patch_fits(const Index3& size, const Index3& patch, const std::string& case_id = {});

// One patch of one volume; for several channels and a label, draw the origin
// once and crop each with crop(v, box_at(origin, patch)).
template <class T>
Volume<T> random_crop(const Volume<T>& v, Rng& rng, const Index3& patch, Index3* origin = nullptr,
                      const std::string& case_id = {}) {
  const Index3 o = draw_crop_origin(rng, v.size, patch, case_id);
  if (origin) *origin = o;
  return crop(v, box_at(o, patch), case_id);
}

}  // namespace flowrun
