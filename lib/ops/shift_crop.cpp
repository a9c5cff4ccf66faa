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

nlohmann::json overlap_to_json(const Box& in_a, const Box& in_b) {
  return {{"a", {in_a.lo, in_a.hi}}, {"b", {in_b.lo, in_b.hi}}};
}

void overlap_from_json(const nlohmann::json& j, const Index3& patch, Box* in_a, Box* in_b, const std::string& where) {
  auto corner = [&](const nlohmann::json& v, Index3* out) {
    if (!v.is_array() || v.size() != 3) return false;
    for (int a = 0; a < 3; ++a) {
      if (!v[a].is_number_integer()) return false;
      (*out)[a] = v[a].get<int64_t>();
    }
    return true;
  };
  bool ok = j.is_object() && j.contains("a") && j.contains("b");
  for (const char* k : {"a", "b"}) {
    Box* box = *k == 'a' ? in_a : in_b;
    ok = ok && j[k].is_array() && j[k].size() == 2 && corner(j[k][0], &box->lo) && corner(j[k][1], &box->hi);
  }
  for (int a = 0; ok && a < 3; ++a)
    ok = 0 <= in_a->lo[a] && in_a->lo[a] <= in_a->hi[a] && in_a->hi[a] <= patch[a] && 0 <= in_b->lo[a] &&
         in_b->lo[a] <= in_b->hi[a] && in_b->hi[a] <= patch[a] &&
         in_a->hi[a] - in_a->lo[a] == in_b->hi[a] - in_b->lo[a];
  if (!ok)
    throw RunError(where + ": an overlap must be {\"a\": [[lo], [hi]], \"b\": [[lo], [hi]]} of equal extent inside "
                   "the patch, got " + j.dump());
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
