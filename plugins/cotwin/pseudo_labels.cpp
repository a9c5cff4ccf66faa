// Fixed and dynamic (shift-combined) pseudo-labels from a teacher's logits.
#include "plugins/cotwin/pseudo_labels.h"

#include <algorithm>
#include <sstream>

#include <ATen/core/grad_mode.h>

#include "core/error.h"
#include "lib/ops/shift_crop.h"
#include "lib/torch/channel_argmax.h"

namespace flowrun {
namespace {

using at::indexing::Slice;

void check_logits(const at::Tensor& a, const at::Tensor& b, size_t n_boxes) {
  if (a.dim() != 5 || !a.sizes().equals(b.sizes()) || static_cast<size_t>(a.size(0)) != n_boxes) {
    std::ostringstream os;
    os << "dynamic_pseudo_label: expected two [B, K, P0, P1, P2] logits of equal shape and B "
          "overlap boxes, got "
       << a.sizes() << ", " << b.sizes() << " and " << n_boxes << " boxes";
    throw RunError(os.str());
  }
}

void check_box(const OverlapBox& box, const at::Tensor& logits, size_t sample) {
  for (int i = 0; i < 3; ++i) {
    const int64_t p = logits.size(2 + i);
    const bool ok = 0 <= box.a.lo[i] && box.a.lo[i] <= box.a.hi[i] && box.a.hi[i] <= p &&
                    0 <= box.b.lo[i] && box.b.lo[i] <= box.b.hi[i] && box.b.hi[i] <= p &&
                    box.a.hi[i] - box.a.lo[i] == box.b.hi[i] - box.b.lo[i];
    if (!ok)
      throw RunError("dynamic_pseudo_label: overlap box of sample " + std::to_string(sample) +
                     " does not fit the patch on axis " + std::to_string(i));
  }
}

// The box's region of one sample's [K, P0, P1, P2] map.
at::Tensor region(const at::Tensor& map, const std::array<int64_t, 3>& lo,
                  const std::array<int64_t, 3>& hi) {
  return map.index({Slice(), Slice(lo[0], hi[0]), Slice(lo[1], hi[1]), Slice(lo[2], hi[2])});
}

}  // namespace

OverlapBox overlap_from_shift(std::array<int64_t, 3> patch, std::array<int64_t, 3> d) {
  for (int i = 0; i < 3; ++i)
    if (patch[i] < 1) throw InputError("overlap_from_shift: patch sizes must be >= 1");
  OverlapBox box;
  overlap_boxes(patch, d, &box.a, &box.b);
  return box;
}

Combine parse_combine(const std::string& name) {
  if (name == "mean") return Combine::mean;
  if (name == "replace") return Combine::replace;
  if (name == "max") return Combine::max;
  throw InputError("pseudo labels: combine must be one of mean|replace|max, got '" + name + "'");
}

std::string to_string(Combine combine) {
  switch (combine) {
    case Combine::mean: return "mean";
    case Combine::replace: return "replace";
    case Combine::max: return "max";
  }
  return "?";
}

at::Tensor fixed_pseudo_label(const at::Tensor& teacher_logits_a) {
  at::NoGradGuard no_grad;
  // softmax is monotone per voxel, so its argmax is the logits' argmax.
  return channel_argmax(teacher_logits_a.detach(), 1);
}

at::Tensor dynamic_pseudo_label(const at::Tensor& teacher_logits_a,
                                const at::Tensor& teacher_logits_b,
                                const std::vector<OverlapBox>& boxes, Combine combine) {
  check_logits(teacher_logits_a, teacher_logits_b, boxes.size());
  at::NoGradGuard no_grad;
  at::Tensor q = at::softmax(teacher_logits_a.detach(), 1);
  const at::Tensor qb_all = at::softmax(teacher_logits_b.detach(), 1);
  for (size_t s = 0; s < boxes.size(); ++s) {
    const OverlapBox& box = boxes[s];
    check_box(box, teacher_logits_a, s);
    if (box.empty()) continue;
    at::Tensor qa = region(q[s], box.a.lo, box.a.hi);  // a view: writes land in q
    const at::Tensor qb = region(qb_all[s], box.b.lo, box.b.hi);
    switch (combine) {
      case Combine::mean:
        qa.add_(qb).mul_(0.5);
        break;
      case Combine::replace:
        qa.copy_(qb);
        break;
      case Combine::max: {
        const at::Tensor take_b = std::get<0>(qb.max(0)) > std::get<0>(qa.max(0));
        qa.copy_(at::where(take_b.unsqueeze(0), qb, qa));
        break;
      }
    }
  }
  return channel_argmax(q, 1);
}

}  // namespace flowrun
