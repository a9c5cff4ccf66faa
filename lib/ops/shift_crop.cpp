// DPLG shift crop plan and application.
#include "lib/ops/shift_crop.h"

#include <algorithm>

#include "core/error.h"
#include "lib/ops/case_text.h"
#include "lib/ops/crop.h"
#include "lib/ops/random_crop.h"

namespace flowrun {

void overlap_boxes(const Index3& patch, const Index3& shift, Box* in_a, Box* in_b) {
  for (int a = 0; a < 3; ++a) {
    const int64_t pos = std::max<int64_t>(0, shift[a]);
    const int64_t neg = std::max<int64_t>(0, -shift[a]);
    in_a->lo[a] = std::min(pos, patch[a]);
    in_a->hi[a] = std::max(in_a->lo[a], patch[a] - neg);
    in_b->lo[a] = std::min(neg, patch[a]);
    in_b->hi[a] = std::max(in_b->lo[a], patch[a] - pos);
  }
}

ShiftCropPlan draw_shift_crop(Rng& rng, const Index3& size, const Index3& patch, int64_t sigma,
                              const std::string& case_id) {
  if (sigma < 0)
    throw InputError(case_prefix(case_id) + "shift sigma must be >= 0, got " + std::to_string(sigma));
  ShiftCropPlan plan;
  plan.origin_a = draw_crop_origin(rng, size, patch, case_id);
  for (int a = 0; a < 3; ++a) {
    const int64_t d = rng.uniform_int(-sigma, sigma);
    plan.origin_b[a] = std::clamp<int64_t>(plan.origin_a[a] + d, 0, size[a] - patch[a]);
    plan.shift[a] = plan.origin_b[a] - plan.origin_a[a];
  }
  overlap_boxes(patch, plan.shift, &plan.overlap_a, &plan.overlap_b);
  return plan;
}

template <class T>
ShiftCrops<T> apply_shift_crop(const Volume<T>& v, const Index3& patch, const ShiftCropPlan& plan,
                               const std::string& case_id) {
  return ShiftCrops<T>{crop(v, box_at(plan.origin_a, patch), case_id),
                       crop(v, box_at(plan.origin_b, patch), case_id)};
}

template ShiftCrops<float> apply_shift_crop(const Volume<float>&, const Index3&, const ShiftCropPlan&,
                                            const std::string&);
template ShiftCrops<uint8_t> apply_shift_crop(const Volume<uint8_t>&, const Index3&, const ShiftCropPlan&,
                                              const std::string&);

}  // namespace flowrun
