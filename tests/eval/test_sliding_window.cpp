// Sliding-window inference: window placement and counts against a brute-force
// count, padding removed, independence from window_batch, and equality with a
// single full-volume pass for a per-voxel (translation-equivariant) model.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "lib/eval/sliding_window.h"

namespace flowrun {
namespace {

using Size3 = std::array<int64_t, 3>;

// The lineage's loop written out directly: pad to the patch, then starts
// min(stride * i, size - patch) for i in range(ceil((size - patch) / stride) + 1).
at::Tensor brute_counts(const Size3& size, const Size3& patch, const Size3& stride) {
  Size3 padded, left;
  for (int a = 0; a < 3; ++a) {
    const int64_t pad = size[a] < patch[a] ? patch[a] - size[a] : 0;
    left[a] = pad / 2;
    padded[a] = size[a] + pad;
  }
  at::Tensor cnt = at::zeros({padded[0], padded[1], padded[2]}, at::kFloat);
  auto steps = [&](int a) {
    return static_cast<int64_t>(std::ceil(double(padded[a] - patch[a]) / double(stride[a]))) + 1;
  };
  for (int64_t i = 0; i < steps(0); ++i)
    for (int64_t j = 0; j < steps(1); ++j)
      for (int64_t k = 0; k < steps(2); ++k) {
        const int64_t xs = std::min(stride[0] * i, padded[0] - patch[0]);
        const int64_t ys = std::min(stride[1] * j, padded[1] - patch[1]);
        const int64_t zs = std::min(stride[2] * k, padded[2] - patch[2]);
        auto acc = cnt.accessor<float, 3>();
        for (int64_t x = xs; x < xs + patch[0]; ++x)
          for (int64_t y = ys; y < ys + patch[1]; ++y)
            for (int64_t z = zs; z < zs + patch[2]; ++z) acc[x][y][z] += 1.0f;
      }
  return cnt.narrow(0, left[0], size[0]).narrow(1, left[1], size[1]).narrow(2, left[2], size[2]);
}

// A per-voxel model: Conv3d 1x1x1 from 1 channel to 2 classes, fixed weights.
struct VoxelModel {
  torch::nn::Conv3d conv{torch::nn::Conv3dOptions(1, 2, 1)};
  VoxelModel() {
    torch::NoGradGuard g;
    conv->weight.copy_(torch::tensor({1.5f, -0.7f}).view({2, 1, 1, 1, 1}));
    conv->bias.copy_(torch::tensor({0.2f, 0.1f}));
  }
  at::Tensor operator()(const at::Tensor& x) { return conv->forward(x); }
};

at::Tensor random_image(const Size3& s, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn({1, s[0], s[1], s[2]}, torch::kFloat);
}

TEST(SlidingWindow, CountsMatchBruteForceAtOddSizes) {
  const std::vector<std::array<Size3, 3>> cases = {
      // size, patch, stride
      {{{13, 11, 9}, {5, 4, 3}, {3, 2, 2}}},
      {{{17, 7, 10}, {8, 8, 6}, {5, 3, 7}}},  // y smaller than the patch: padded
      {{{5, 6, 3}, {9, 6, 4}, {2, 1, 1}}},    // padded along x and z, odd pads
      {{{21, 20, 19}, {7, 20, 19}, {7, 4, 4}}},  // stride = patch along x: no overlap
  };
  for (const auto& c : cases) {
    SlidingWindowOptions o;
    o.patch = c[1];
    o.stride = c[2];
    const WindowPlan plan = plan_windows(c[0], o);
    const at::Tensor counts = window_counts(plan);
    ASSERT_EQ(counts.sizes(), at::IntArrayRef({c[0][0], c[0][1], c[0][2]}));
    EXPECT_TRUE(at::equal(counts, brute_counts(c[0], c[1], c[2]))) << c[0][0] << "x" << c[0][1] << "x" << c[0][2];
    EXPECT_GE(counts.min().item<float>(), 1.0f);
  }
}

TEST(SlidingWindow, PlanFollowsTheLineage) {
  SlidingWindowOptions o;
  o.patch = {112, 112, 80};
  o.stride = {18, 18, 4};
  const WindowPlan plan = plan_windows({150, 100, 88}, o);
  EXPECT_EQ(plan.starts[0], (std::vector<int64_t>{0, 18, 36, 38}));
  EXPECT_EQ(plan.pad_left[1], 6);  // pad 12 -> 6 left, 6 right
  EXPECT_EQ(plan.pad_right[1], 6);
  EXPECT_EQ(plan.starts[1], (std::vector<int64_t>{0}));
  EXPECT_EQ(plan.starts[2], (std::vector<int64_t>{0, 4, 8}));
  const WindowPlan odd = plan_windows({10, 7, 80}, o);
  EXPECT_EQ(odd.pad_left[1], 52);  // pad 105: 52 left, 53 right
  EXPECT_EQ(odd.pad_right[1], 53);
  EXPECT_EQ(odd.starts[2], (std::vector<int64_t>{0}));
}

TEST(SlidingWindow, EqualsFullVolumePassAndRemovesPadding) {
  VoxelModel model;
  for (const Size3& size : {Size3{13, 11, 9}, Size3{6, 10, 3}}) {
    const at::Tensor image = random_image(size, 42);
    SlidingWindowOptions o;
    o.patch = {5, 8, 4};
    o.stride = {3, 3, 2};
    const at::Tensor probs = sliding_window_probs(image, o, [&](const at::Tensor& x) { return model(x); });
    ASSERT_EQ(probs.sizes(), at::IntArrayRef({2, size[0], size[1], size[2]}));
    at::Tensor full;
    {
      torch::NoGradGuard g;
      full = at::softmax(model(image.unsqueeze(0)), 1).squeeze(0);
    }
    EXPECT_TRUE(at::allclose(probs, full, 0.0, 1e-5)) << (probs - full).abs().max().item<float>();
    EXPECT_TRUE(at::allclose(probs.sum(0), at::ones({size[0], size[1], size[2]}), 0.0, 1e-5));
  }
}

// Windows are summed in the same order whatever the batch size, so with a
// model whose per-window output does not depend on the batch (plain
// element-wise arithmetic) the result is bit-identical. A Conv3d may pick a
// different kernel for another batch size and differ by an ulp, hence the
// tolerance there.
TEST(SlidingWindow, WindowBatchDoesNotChangeTheResult) {
  VoxelModel model;
  const at::Tensor image = random_image({12, 9, 7}, 3);
  SlidingWindowOptions o;
  o.patch = {6, 5, 4};
  o.stride = {4, 2, 3};
  int calls = 0;
  auto elementwise = [&](const at::Tensor& x) {
    ++calls;
    return at::cat({x * 1.5 + 0.2, x * -0.7 + 0.1}, 1);
  };
  auto conv = [&](const at::Tensor& x) { return model(x); };
  o.window_batch = 1;
  const at::Tensor one = sliding_window_probs(image, o, elementwise);
  const at::Tensor one_conv = sliding_window_probs(image, o, conv);
  const int windows = static_cast<int>(plan_windows({12, 9, 7}, o).windows());
  EXPECT_EQ(calls, windows);
  for (int64_t b : {2, 5, 64}) {
    calls = 0;
    o.window_batch = b;
    const at::Tensor many = sliding_window_probs(image, o, elementwise);
    EXPECT_EQ(calls, (windows + b - 1) / b);
    EXPECT_TRUE(at::equal(one, many)) << b << " max diff " << (one - many).abs().max().item<double>();
    EXPECT_TRUE(at::allclose(one_conv, sliding_window_probs(image, o, conv), 0.0, 1e-6)) << b;
  }
}

// A stop request is seen between window batches: the pass ends with
// Cancelled after the batch in progress, not after the whole volume.
TEST(SlidingWindow, StopsBetweenWindowsWhenAsked) {
  const at::Tensor image = random_image({12, 9, 7}, 3);
  SlidingWindowOptions o;
  o.patch = {6, 5, 4};
  o.stride = {2, 2, 1};
  o.window_batch = 2;
  int calls = 0;
  auto logits = [&](const at::Tensor& x) {
    ++calls;
    return at::cat({x, -x}, 1);
  };
  ASSERT_GT(plan_windows({12, 9, 7}, o).windows(), 20);
  o.should_stop = [&] { return calls >= 3; };
  EXPECT_THROW(sliding_window_probs(image, o, logits), Cancelled);
  EXPECT_EQ(calls, 3);
  o.should_stop = [] { return false; };
  EXPECT_NO_THROW(sliding_window_probs(image, o, logits));
}

// Averaging is really over overlapping windows: a model whose output depends
// on the window position gives per-voxel means of the window outputs.
TEST(SlidingWindow, AveragesOverlappingWindows) {
  const at::Tensor image = at::zeros({1, 5, 1, 1});
  SlidingWindowOptions o;
  o.patch = {3, 1, 1};
  o.stride = {2, 1, 1};  // windows start at 0 and 2: voxel 2 is in both
  int call = 0;
  // Window 0 is sure of class 0, window 1 sure of class 1 (huge logits).
  auto fn = [&](const at::Tensor& x) {
    at::Tensor logits = at::zeros({x.size(0), 2, 3, 1, 1});
    logits.select(1, call == 0 ? 0 : 1).fill_(100.0);
    ++call;
    return logits;
  };
  const at::Tensor p = sliding_window_probs(image, o, fn).select(2, 0).select(2, 0);  // [2, 5]
  const at::Tensor expected_class1 = at::tensor({0.0f, 0.0f, 0.5f, 1.0f, 1.0f});
  EXPECT_TRUE(at::allclose(p[1], expected_class1, 0.0, 1e-6)) << p;
}

TEST(SlidingWindow, PatchLargerThanVolumeWithoutPaddingIsAnInputError) {
  SlidingWindowOptions o;
  o.patch = {8, 8, 8};
  o.stride = {4, 4, 4};
  o.pad = false;
  try {
    plan_windows({10, 6, 12}, o);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("8x8x8"), std::string::npos) << what;
    EXPECT_NE(what.find("10x6x12"), std::string::npos) << what;
  }
  o.pad = true;
  EXPECT_NO_THROW(plan_windows({10, 6, 12}, o));
}

TEST(SlidingWindow, BadArgumentsAreRejected) {
  VoxelModel model;
  auto fn = [&](const at::Tensor& x) { return model(x); };
  SlidingWindowOptions o;
  o.patch = {4, 4, 4};
  o.stride = {2, 2, 2};
  EXPECT_THROW(sliding_window_probs(at::zeros({4, 4, 4}), o, fn), InputError);
  EXPECT_THROW(sliding_window_probs(at::zeros({1, 4, 4, 4}, at::kLong), o, fn), InputError);
  o.window_batch = 0;
  EXPECT_THROW(sliding_window_probs(at::zeros({1, 4, 4, 4}), o, fn), InputError);
  o.window_batch = 1;
  o.stride = {0, 2, 2};
  EXPECT_THROW(sliding_window_probs(at::zeros({1, 4, 4, 4}), o, fn), InputError);
  o.stride = {5, 2, 2};  // a stride beyond the patch would leave voxels uncovered
  EXPECT_THROW(sliding_window_probs(at::zeros({1, 9, 4, 4}), o, fn), InputError);
  o.stride = {2, 2, 2};
  auto wrong = [](const at::Tensor& x) { return at::zeros({x.size(0), 2, 3, 3, 3}); };
  EXPECT_THROW(sliding_window_probs(at::zeros({1, 4, 4, 4}), o, wrong), RunError);
}

TEST(ArgmaxLabels, PicksTheLargestClassFirstOnTies) {
  at::Tensor probs = at::zeros({3, 2, 1, 1});
  probs.index_put_({1, 0, 0, 0}, 0.7f);
  probs.index_put_({0, 0, 0, 0}, 0.3f);
  probs.index_put_({0, 1, 0, 0}, 0.4f);
  probs.index_put_({2, 1, 0, 0}, 0.4f);  // tie between 0 and 2 -> 0
  const at::Tensor labels = argmax_labels(probs);
  EXPECT_EQ(labels.scalar_type(), at::kByte);
  ASSERT_EQ(labels.sizes(), at::IntArrayRef({2, 1, 1}));
  EXPECT_EQ(labels[0][0][0].item<int>(), 1);
  EXPECT_EQ(labels[1][0][0].item<int>(), 0);
  EXPECT_THROW(argmax_labels(at::zeros({2, 2, 2})), InputError);
  EXPECT_THROW(argmax_labels(at::zeros({300, 1, 1, 1})), InputError);
}

}  // namespace
}  // namespace flowrun
