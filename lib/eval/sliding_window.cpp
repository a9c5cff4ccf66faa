// Sliding-window inference. See sliding_window.h.
#include "lib/eval/sliding_window.h"

#include <torch/torch.h>

#include <string>

#include "core/error.h"

namespace flowrun {
namespace {

std::string triple(const std::array<int64_t, 3>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

std::string sizes_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

// Per-axis window counts over the padded axis; the 3D count is their product
// because the windows form a grid.
at::Tensor axis_counts(const std::vector<int64_t>& starts, int64_t padded, int64_t patch) {
  at::Tensor c = at::zeros({padded}, at::kFloat);
  for (int64_t s : starts) c.narrow(0, s, patch).add_(1.0);
  return c;
}

at::Tensor padded_counts(const WindowPlan& plan) {
  const auto& patch = plan.patch;
  const at::Tensor cx = axis_counts(plan.starts[0], plan.padded[0], patch[0]);
  const at::Tensor cy = axis_counts(plan.starts[1], plan.padded[1], patch[1]);
  const at::Tensor cz = axis_counts(plan.starts[2], plan.padded[2], patch[2]);
  return cx.view({-1, 1, 1}) * cy.view({1, -1, 1}) * cz.view({1, 1, -1});
}

at::Tensor crop_padding(const at::Tensor& t, const WindowPlan& plan) {
  const int64_t first = t.dim() - 3;
  at::Tensor out = t;
  for (int a = 0; a < 3; ++a) out = out.narrow(first + a, plan.pad_left[a], plan.size[a]);
  return out;
}

}  // namespace

WindowPlan plan_windows(const std::array<int64_t, 3>& size, const SlidingWindowOptions& o) {
  static const char* axis = "xyz";
  for (int a = 0; a < 3; ++a) {
    if (o.patch[a] <= 0 || o.stride[a] <= 0)
      throw InputError("sliding window patch and stride must be positive, got patch " + triple(o.patch) +
                       ", stride " + triple(o.stride));
    if (size[a] <= 0) throw InputError("sliding window needs a non-empty volume, got " + triple(size));
  }
  if (o.window_batch <= 0)
    throw InputError("sliding window window_batch must be >= 1, got " + std::to_string(o.window_batch));
  WindowPlan plan;
  plan.size = size;
  plan.patch = o.patch;
  for (int a = 0; a < 3; ++a) {
    const int64_t pad = std::max<int64_t>(0, o.patch[a] - size[a]);
    if (pad > 0 && !o.pad)
      throw InputError(std::string("sliding window patch ") + triple(o.patch) + " is larger than the volume " +
                       triple(size) + " along " + axis[a] + " and padding is disabled");
    plan.pad_left[a] = pad / 2;
    plan.pad_right[a] = pad - pad / 2;
    plan.padded[a] = size[a] + pad;
    const int64_t span = plan.padded[a] - o.patch[a];
    const int64_t steps = (span + o.stride[a] - 1) / o.stride[a];  // ceil(span / stride)
    for (int64_t i = 0; i <= steps; ++i) plan.starts[a].push_back(std::min(o.stride[a] * i, span));
    // A stride beyond the patch can leave gaps between windows, and a voxel no
    // window covers would be 0 / 0.
    for (size_t i = 1; i < plan.starts[a].size(); ++i)
      if (plan.starts[a][i] - plan.starts[a][i - 1] > o.patch[a])
        throw InputError("sliding window stride " + triple(o.stride) + " with patch " + triple(o.patch) +
                         " leaves voxels of the volume " + triple(size) + " uncovered along " + axis[a] +
                         "; expected a stride no larger than the patch");
  }
  return plan;
}

at::Tensor window_counts(const WindowPlan& plan) {
  return crop_padding(padded_counts(plan), plan).contiguous();
}

at::Tensor sliding_window_probs(const at::Tensor& image, const SlidingWindowOptions& o, const LogitsFn& logits_fn) {
  if (!image.defined() || image.dim() != 4 || !at::isFloatingType(image.scalar_type()))
    throw InputError("sliding window expects a floating image [C, X, Y, Z], got " +
                     (image.defined() ? sizes_of(image) + " " + std::string(c10::toString(image.scalar_type()))
                                      : std::string("an undefined tensor")));
  torch::NoGradGuard no_grad;
  const WindowPlan plan = plan_windows({image.size(1), image.size(2), image.size(3)}, o);
  const auto& p = o.patch;
  at::Tensor padded = image;
  if (plan.padded != plan.size)
    padded = at::constant_pad_nd(image, {plan.pad_left[2], plan.pad_right[2], plan.pad_left[1], plan.pad_right[1],
                                         plan.pad_left[0], plan.pad_right[0]},
                                 0.0);

  at::Tensor score;  // allocated once the first logits tell K
  std::vector<std::array<int64_t, 3>> batch;
  std::vector<at::Tensor> inputs;
  auto flush = [&] {
    if (batch.empty()) return;
    if (o.should_stop && o.should_stop()) throw Cancelled("sliding window stopped");
    inputs.clear();
    for (const auto& s : batch)
      inputs.push_back(padded.narrow(1, s[0], p[0]).narrow(2, s[1], p[1]).narrow(3, s[2], p[2]));
    const at::Tensor logits = logits_fn(at::stack(inputs));
    const auto B = static_cast<int64_t>(batch.size());
    if (!logits.defined() || logits.dim() != 5 || logits.size(0) != B || logits.size(2) != p[0] ||
        logits.size(3) != p[1] || logits.size(4) != p[2] || (score.defined() && logits.size(1) != score.size(0)))
      throw RunError("sliding window model returned logits " + (logits.defined() ? sizes_of(logits) : "undefined") +
                     "; expected [" + std::to_string(B) + ", K, " + std::to_string(p[0]) + ", " +
                     std::to_string(p[1]) + ", " + std::to_string(p[2]) + "]");
    const at::Tensor probs = at::softmax(logits, 1).to(padded.device(), at::kFloat);
    if (!score.defined())
      score = at::zeros({probs.size(1), plan.padded[0], plan.padded[1], plan.padded[2]},
                        padded.options().dtype(at::kFloat));
    for (int64_t b = 0; b < B; ++b) {
      const auto& s = batch[b];
      score.narrow(1, s[0], p[0]).narrow(2, s[1], p[1]).narrow(3, s[2], p[2]).add_(probs[b]);
    }
    batch.clear();
  };
  for (int64_t xs : plan.starts[0])
    for (int64_t ys : plan.starts[1])
      for (int64_t zs : plan.starts[2]) {
        batch.push_back({xs, ys, zs});
        if (static_cast<int64_t>(batch.size()) == o.window_batch) flush();
      }
  flush();
  score.div_(padded_counts(plan).to(score.device()).unsqueeze(0));
  if (plan.padded == plan.size) return score;
  return crop_padding(score, plan).contiguous();
}

at::Tensor argmax_labels(const at::Tensor& probs) {
  if (!probs.defined() || probs.dim() != 4)
    throw InputError("argmax_labels expects probabilities [K, X, Y, Z], got " +
                     (probs.defined() ? sizes_of(probs) : std::string("an undefined tensor")));
  if (probs.size(0) < 1 || probs.size(0) > 256)
    throw InputError("argmax_labels needs 1 to 256 classes to fit uint8 labels, got " +
                     std::to_string(probs.size(0)));
  return at::argmax(probs, 0).to(at::kByte);
}

}  // namespace flowrun
