// DPLG shift crop: two patches of one augmented volume, B displaced from A by
// a small random shift, plus the boxes where they see the same voxels.
//
// The overlap boxes are what lets the dynamic pseudo-label map f(B) back into
// A's coordinates voxel for voxel (docs/method.md, section 2).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "lib/ops/box.h"
#include "lib/volume/volume.h"

namespace flowrun {

struct ShiftCropPlan {
  Index3 origin_a{0, 0, 0};
  Index3 origin_b{0, 0, 0};  // origin_a + shift
  Index3 shift{0, 0, 0};     // after clamping B into the volume
  Box overlap_a;             // in A's patch coordinates
  Box overlap_b;             // in B's patch coordinates, same extent
};

// Overlap boxes for a shift d: axis i, in A [max(0, d), P - max(0, -d)),
// in B [max(0, -d), P - max(0, d)); empty (lo == hi) when |d| >= P.
void overlap_boxes(const Index3& patch, const Index3& shift, Box* in_a, Box* in_b);

// The overlap boxes as a batch's meta "overlaps" carries them, one per
// shifted sample, so the pseudo-label node uses the boxes the crop node cut
// instead of recomputing them: {"a": [[lo], [hi]], "b": [[lo], [hi]]}.
nlohmann::json overlap_to_json(const Box& in_a, const Box& in_b);
// The inverse; RunError naming `where` when the entry is malformed, leaves
// the patch, or its two boxes differ in extent.
void overlap_from_json(const nlohmann::json& j, const Index3& patch, Box* in_a, Box* in_b, const std::string& where);

// Draws A's origin as draw_crop_origin does, then d_i uniform in
// [-sigma, sigma] per axis; B's origin is clamped into [0, size - patch],
// and the reported shift is the clamped one.
ShiftCropPlan draw_shift_crop(Rng& rng, const Index3& size, const Index3& patch, int64_t sigma,
                              const std::string& case_id = {});

template <class T>
struct ShiftCrops {
  Volume<T> a;
  Volume<T> b;
};

template <class T>
ShiftCrops<T> apply_shift_crop(const Volume<T>& v, const Index3& patch, const ShiftCropPlan& plan,
                               const std::string& case_id = {});

}  // namespace flowrun
