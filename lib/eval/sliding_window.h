// Sliding-window inference over a whole volume, with the lineage's semantics
// (UA-MT test_util.test_single_case): symmetric zero padding of axes smaller
// than the patch, window starts min(stride * i, size - patch) for
// i = 0 .. ceil((size - patch) / stride), softmax of every window summed into a
// score map and divided by the per-voxel window count, padding cropped away.
#pragma once

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace flowrun {

struct SlidingWindowOptions {
  std::array<int64_t, 3> patch{112, 112, 80};  // seed paper, LA
  std::array<int64_t, 3> stride{18, 18, 4};
  int64_t window_batch = 1;  // windows per call of the model; results do not depend on it
  bool pad = true;           // false: a volume smaller than the patch is an InputError
  // Polled between window batches; true abandons the volume with Cancelled
  // (a run being stopped does not wait for a whole validation pass).
  std::function<bool()> should_stop;
};

// Where the windows go for a volume of `size` (x, y, z).
struct WindowPlan {
  std::array<int64_t, 3> size{0, 0, 0};
  std::array<int64_t, 3> patch{0, 0, 0};
  std::array<int64_t, 3> pad_left{0, 0, 0};   // pad // 2, as the lineage
  std::array<int64_t, 3> pad_right{0, 0, 0};  // pad - pad_left
  std::array<int64_t, 3> padded{0, 0, 0};
  std::array<std::vector<int64_t>, 3> starts;  // per axis, in the padded volume
  int64_t windows() const {
    return static_cast<int64_t>(starts[0].size() * starts[1].size() * starts[2].size());
  }
};

// InputError for non-positive patch, stride or window_batch, a stride that
// leaves voxels uncovered (possible when stride > patch), and for a patch
// larger than the volume when padding is off (the message gives both sizes).
WindowPlan plan_windows(const std::array<int64_t, 3>& size, const SlidingWindowOptions& options);

// Number of windows covering each voxel of the (unpadded) volume, float [X, Y, Z].
at::Tensor window_counts(const WindowPlan& plan);

using LogitsFn = std::function<at::Tensor(const at::Tensor& /* [B, C, px, py, pz] */)>;

// Averaged softmax map [K, X, Y, Z] (float32, on the image's device) of a
// float image [C, X, Y, Z]. logits_fn maps a batch of windows to logits
// [B, K, px, py, pz]; it runs without autograd. Windows are visited x, then y,
// then z (the lineage's order) and summed in that order, so the result is the
// same for every window_batch. InputError for a bad image; RunError when
// logits_fn returns another shape; Cancelled when options.should_stop says so.
at::Tensor sliding_window_probs(const at::Tensor& image, const SlidingWindowOptions& options,
                                const LogitsFn& logits_fn);

// Label map [X, Y, Z] uint8 of a probability map [K, X, Y, Z]: argmax over K,
// the first class on ties (as numpy). InputError when K > 256 or dims are wrong.
at::Tensor argmax_labels(const at::Tensor& probs);

}  // namespace flowrun
