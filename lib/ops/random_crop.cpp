// Crop origin draw shared by the random crop and the DPLG shift crop.
#include "lib/ops/random_crop.h"

#include "core/error.h"
#include "lib/ops/case_text.h"
#include "lib/volume/volume.h"

namespace flowrun {

void check_patch_fits(const Index3& size, const Index3& patch, const std::string& case_id) {
  for (int a = 0; a < 3; ++a) {
    if (patch[a] <= 0 || patch[a] > size[a])
      throw InputError(case_prefix(case_id) + "patch " + shape_string(patch) +
                       " does not fit the padded volume " + shape_string(size) +
                       " (every patch side must be in 1..volume side)");
  }
}

Index3 draw_crop_origin(Rng& rng, const Index3& size, const Index3& patch, const std::string& case_id) {
  check_patch_fits(size, patch, case_id);
  Index3 o;
  for (int a = 0; a < 3; ++a) o[a] = rng.uniform_int(0, size[a] - patch[a]);
  return o;
}

}  // namespace flowrun
