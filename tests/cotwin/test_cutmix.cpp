// Tests of CutMix: Beta(4,4) draws, box masks, partner permutations, and
// that inputs and labels are mixed with the same mask and partner.
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/rng.h"
#include "plugins/cotwin/cutmix.h"

namespace flowrun {
namespace {

TEST(CutMix, BetaFourFourMoments) {
  // Beta(4, 4): mean 1/2, variance ab / ((a+b)^2 (a+b+1)) = 16 / 576 = 1/36.
  Rng rng(1337, 0, "cutmix");
  const int n = 20000;
  double sum = 0.0, sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = sample_beta_int(rng, 4, 4);
    ASSERT_GT(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
    sq += x * x;
  }
  const double mean = sum / n, var = sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 0.005);
  EXPECT_NEAR(var, 1.0 / 36.0, 0.002);
}

TEST(CutMix, MaskIsAFullDepthBox) {
  Rng rng(1, 2, "mask");
  at::Tensor mask = cutmix_box_mask(8, {16, 12, 6}, rng);
  ASSERT_EQ(mask.sizes(), (std::vector<int64_t>{8, 16, 12, 6}));
  EXPECT_TRUE(at::logical_or(mask == 0, mask == 1).all().item<bool>());
  for (int64_t i = 0; i < 8; ++i) {
    at::Tensor m = mask[i];
    // Constant along depth; the (x, y) footprint is a rectangle.
    EXPECT_TRUE(at::equal(m, m.select(2, 0).unsqueeze(2).expand_as(m)));
    at::Tensor plane = m.select(2, 0);
    const int64_t rows = (plane.sum(1) > 0).sum().item<int64_t>();
    const int64_t cols = (plane.sum(0) > 0).sum().item<int64_t>();
    EXPECT_EQ(plane.sum().item<double>(), static_cast<double>(rows * cols));
    EXPECT_LE(rows, 16);
    EXPECT_LE(cols, 12);
  }
  EXPECT_GT(mask.sum().item<double>(), 0.0);  // 8 boxes of area (1 - lam) ~ 1/2 are not all empty
}

TEST(CutMix, SameStreamSameMask) {
  Rng a(5, 3, "mask"), b(5, 3, "mask"), c(5, 4, "mask");
  at::Tensor ma = cutmix_box_mask(4, {16, 16, 4}, a);
  EXPECT_TRUE(at::equal(ma, cutmix_box_mask(4, {16, 16, 4}, b)));
  EXPECT_FALSE(at::equal(ma, cutmix_box_mask(4, {16, 16, 4}, c)));
}

TEST(CutMix, PartnerPermutationHasNoFixedPoint) {
  Rng rng(9, 0, "perm");
  for (int64_t n : {2, 3, 5}) {
    for (int rep = 0; rep < 20; ++rep) {
      at::Tensor p = mix_partner_permutation(n, rng);
      EXPECT_TRUE(at::equal(std::get<0>(p.sort()), at::arange(n, at::kLong)));
      EXPECT_FALSE((p == at::arange(n, at::kLong)).any().item<bool>());
    }
  }
  EXPECT_TRUE(at::equal(mix_partner_permutation(1, rng), at::zeros({1}, at::kLong)));
}

TEST(CutMix, InputAndLabelsTakeThePartnerInsideTheBox) {
  // Sample i is filled with the value i (input) and 10 + i (label), so every
  // mixed voxel says where it came from.
  const int64_t batch = 3;
  at::Tensor x = at::arange(batch, at::kFloat).reshape({batch, 1, 1, 1, 1}).expand({batch, 2, 8, 8, 4}).contiguous();
  at::Tensor labels = (at::arange(batch, at::kLong) + 10).reshape({batch, 1, 1, 1}).expand({batch, 8, 8, 4}).contiguous();
  at::Tensor mask = at::zeros({batch, 8, 8, 4});
  mask.index_put_({0, at::indexing::Slice(2, 5), at::indexing::Slice(1, 7)}, 1.0);
  mask.index_put_({2, at::indexing::Slice(0, 8), at::indexing::Slice(0, 3)}, 1.0);
  at::Tensor perm = at::tensor(std::vector<int64_t>{2, 0, 1}, at::kLong);
  at::Tensor mx = mix_inputs(x, mask, perm);
  at::Tensor ml = mix_labels(labels, mask, perm);
  at::Tensor source = at::where(mask > 0.5, perm.reshape({batch, 1, 1, 1}).expand_as(mask),
                                at::arange(batch, at::kLong).reshape({batch, 1, 1, 1}).expand_as(mask));
  EXPECT_TRUE(at::equal(mx.select(1, 0), source.to(at::kFloat)));
  EXPECT_TRUE(at::equal(mx.select(1, 1), source.to(at::kFloat)));
  EXPECT_TRUE(at::equal(ml, source + 10));
  EXPECT_EQ(mx[0][0][3][2][1].item<float>(), 2.0f);  // inside sample 0's box: from sample 2
  EXPECT_EQ(mx[0][0][0][0][0].item<float>(), 0.0f);  // outside: its own
  EXPECT_EQ(ml[1][4][4][0].item<int64_t>(), 11);     // sample 1 has an empty box
  EXPECT_THROW(mix_inputs(x, mask.narrow(1, 0, 4), perm), RunError);
}

}  // namespace
}  // namespace flowrun
