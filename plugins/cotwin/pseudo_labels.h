// CoTwin's fixed and dynamic pseudo-labels (METHOD section 3, DPLG).
//
// Crop A is cut at origin o and crop B at o + d of the same augmented volume,
// both of patch size P. Axis i of the boxes is tensor axis 2 + i of the
// [B, K, P0, P1, P2] logits, and d must be given in that same order.
// Teacher tensors are only read: everything here runs under NoGrad and
// returns detached int64 labels [B, P0, P1, P2].
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "lib/ops/box.h"

namespace flowrun {

// The A/B overlap of one sample: the same voxels as a box in A's patch
// coordinates and one in B's (lib/ops/box.h). Voxel a of A is voxel a - d of B.
struct OverlapBox {
  Box a, b;
  bool empty() const { return a.empty(); }
};

// Axis i: A [max(0, d_i), P_i - max(0, -d_i)), B [max(0, -d_i), P_i - max(0, d_i)).
// |d_i| >= P_i gives an empty box (clamped so lo <= hi), i.e. no overlap.
// InputError if a patch size is < 1.
// (lib/ops overlap_boxes, the one implementation, as an OverlapBox.)
OverlapBox overlap_from_shift(std::array<int64_t, 3> patch, std::array<int64_t, 3> d);

// How the teacher's view of B updates q = softmax(f(A)) inside the overlap.
//   mean:    q = (q_A + q_B) / 2  (default)
//   replace: q = q_B
//   max:     per voxel, whichever of q_A, q_B has the larger maximum
//            probability (its confidence) is kept whole; ties keep q_A.
//            With two classes this gives the same labels as mean.
enum class Combine { mean, replace, max };

// "mean" | "replace" | "max"; InputError otherwise.
Combine parse_combine(const std::string& name);
std::string to_string(Combine combine);

// argmax over classes of softmax(teacher_logits_a) (= argmax of the logits).
at::Tensor fixed_pseudo_label(const at::Tensor& teacher_logits_a);

// argmax of q, q = softmax(A) combined with softmax(B) inside each sample's
// overlap; outside it the label equals the fixed one. teacher_logits_a and
// teacher_logits_b: [B, K, P0, P1, P2] of the same shape; boxes: one per
// sample. RunError on mismatched shapes or boxes outside the patch.
at::Tensor dynamic_pseudo_label(const at::Tensor& teacher_logits_a,
                                const at::Tensor& teacher_logits_b,
                                const std::vector<OverlapBox>& boxes, Combine combine);

}  // namespace flowrun
