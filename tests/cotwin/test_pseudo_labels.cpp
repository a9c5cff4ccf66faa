// Tests of overlap boxes and fixed / dynamic pseudo-labels on hand-made
// softmax maps whose labels are known for every combine mode.
#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"
#include "plugins/cotwin/pseudo_labels.h"

namespace flowrun {
namespace {

using Box3 = std::array<int64_t, 3>;

TEST(Overlap, FromShift) {
  OverlapBox b = overlap_from_shift({4, 4, 4}, {1, 0, -1});
  EXPECT_EQ(b.a.lo, (Box3{1, 0, 0}));
  EXPECT_EQ(b.a.hi, (Box3{4, 4, 3}));
  EXPECT_EQ(b.b.lo, (Box3{0, 0, 1}));
  EXPECT_EQ(b.b.hi, (Box3{3, 4, 4}));
  EXPECT_FALSE(b.empty());
  b = overlap_from_shift({8, 6, 5}, {-2, 3, 0});
  EXPECT_EQ(b.a.lo, (Box3{0, 3, 0}));
  EXPECT_EQ(b.a.hi, (Box3{6, 6, 5}));
  EXPECT_EQ(b.b.lo, (Box3{2, 0, 0}));
  EXPECT_EQ(b.b.hi, (Box3{8, 3, 5}));
  EXPECT_TRUE(overlap_from_shift({4, 4, 4}, {0, 5, 0}).empty());
  EXPECT_THROW(overlap_from_shift({0, 4, 4}, {0, 0, 0}), InputError);
}

TEST(Combine, Parse) {
  EXPECT_EQ(parse_combine("mean"), Combine::mean);
  EXPECT_EQ(parse_combine("replace"), Combine::replace);
  EXPECT_EQ(parse_combine("max"), Combine::max);
  EXPECT_EQ(to_string(Combine::max), "max");
  EXPECT_THROW(parse_combine("avg"), InputError);
}

// Logits whose softmax is exactly `probs` at every voxel of [B, K, 4, 4, 4].
at::Tensor uniform_logits(int64_t batch, const std::vector<float>& probs) {
  const auto k = static_cast<int64_t>(probs.size());
  return at::tensor(probs).log().reshape({1, k, 1, 1, 1}).expand({batch, k, 4, 4, 4}).contiguous();
}

// Teacher on B: voxel b gets distribution types[pattern(b)], a pattern with
// no symmetry, so a box read from the wrong place gives wrong labels.
int pattern(int64_t b0, int64_t b1, int64_t b2) { return static_cast<int>((b0 + 2 * b1 + 3 * b2) % 3); }

at::Tensor patterned_logits(int64_t batch, const std::vector<std::vector<float>>& types) {
  const auto k = static_cast<int64_t>(types[0].size());
  at::Tensor out = at::empty({batch, k, 4, 4, 4});
  auto acc = out.accessor<float, 5>();
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j)
        for (int64_t l = 0; l < 4; ++l)
          for (int64_t c = 0; c < k; ++c) acc[s][c][i][j][l] = std::log(types[pattern(i, j, l)][c]);
  return out;
}

// Expected dynamic label at A voxel a: the fixed label outside the overlap,
// else the label that `by_type` gives for B's distribution at b = a - d.
int64_t expected(const Box3& a, const Box3& d, int64_t fixed, const std::array<int64_t, 3>& by_type) {
  Box3 b{};
  for (int i = 0; i < 3; ++i) {
    b[i] = a[i] - d[i];
    if (b[i] < 0 || b[i] >= 4) return fixed;
  }
  return by_type[pattern(b[0], b[1], b[2])];
}

void expect_labels(const at::Tensor& labels, int64_t sample, const Box3& d, int64_t fixed,
                   const std::array<int64_t, 3>& by_type, const char* mode) {
  auto acc = labels.accessor<int64_t, 4>();
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t l = 0; l < 4; ++l)
        ASSERT_EQ(acc[sample][i][j][l], expected({i, j, l}, d, fixed, by_type))
            << mode << " sample " << sample << " voxel " << i << "," << j << "," << l;
}

// Three classes. A: (.5, .4, .1) everywhere, so the fixed label is 0.
// B types, with the label each mode gives there (worked out by hand):
//   H (.05, .40, .55): mean (.275, .40, .325) -> 1; replace -> 2; max: .55 > .5 -> B -> 2
//   L (.30, .25, .45): mean (.40, .325, .275) -> 0; replace -> 2; max: .45 < .5 -> A -> 0
//   M (.10, .70, .20): mean (.30, .55, .15)   -> 1; replace -> 1; max: .70 > .5 -> B -> 1
TEST(PseudoLabels, DynamicThreeClassesEveryMode) {
  const std::vector<std::vector<float>> types{{.05f, .40f, .55f}, {.30f, .25f, .45f}, {.10f, .70f, .20f}};
  at::Tensor a = uniform_logits(2, {.5f, .4f, .1f});
  at::Tensor b = patterned_logits(2, types);
  const Box3 d0{1, 0, -1}, d1{-1, 2, 0};
  const std::vector<OverlapBox> boxes{overlap_from_shift({4, 4, 4}, d0),
                                      overlap_from_shift({4, 4, 4}, d1)};
  at::Tensor fixed = fixed_pseudo_label(a);
  EXPECT_TRUE(at::equal(fixed, at::zeros({2, 4, 4, 4}, at::kLong)));

  const std::vector<std::pair<Combine, std::array<int64_t, 3>>> cases{
      {Combine::mean, {1, 0, 1}}, {Combine::replace, {2, 2, 1}}, {Combine::max, {2, 0, 1}}};
  for (const auto& [mode, by_type] : cases) {
    at::Tensor labels = dynamic_pseudo_label(a, b, boxes, mode);
    ASSERT_EQ(labels.sizes(), (std::vector<int64_t>{2, 4, 4, 4}));
    EXPECT_EQ(labels.scalar_type(), at::kLong);
    EXPECT_FALSE(labels.requires_grad());
    expect_labels(labels, 0, d0, 0, by_type, to_string(mode).c_str());
    expect_labels(labels, 1, d1, 0, by_type, to_string(mode).c_str());
  }
  // Spot checks by hand: A (1,0,0) is B (0,0,1), type H; A (0,0,0) and
  // (3,3,3) lie outside sample 0's overlap.
  at::Tensor mean = dynamic_pseudo_label(a, b, boxes, Combine::mean);
  at::Tensor replace = dynamic_pseudo_label(a, b, boxes, Combine::replace);
  EXPECT_EQ(mean[0][1][0][0].item<int64_t>(), 1);
  EXPECT_EQ(replace[0][1][0][0].item<int64_t>(), 2);
  EXPECT_EQ(replace[0][0][0][0].item<int64_t>(), 0);
  EXPECT_EQ(replace[0][3][3][3].item<int64_t>(), 0);
}

// Two classes, 1x2x4x4x4, d = (1, 0, -1). A: (.4, .6), fixed label 1.
//   (.80, .20): mean (.6, .4) -> 0;    replace -> 0; max: .8 > .6 -> B -> 0
//   (.30, .70): mean (.35, .65) -> 1;  replace -> 1; max: .7 > .6 -> B -> 1
//   (.55, .45): mean (.475, .525) -> 1; replace -> 0; max: .55 < .6 -> A -> 1
// With two classes mean and max always agree (a > 1 - b <=> a + b > 1).
TEST(PseudoLabels, DynamicTwoClasses) {
  const std::vector<std::vector<float>> types{{.80f, .20f}, {.30f, .70f}, {.55f, .45f}};
  at::Tensor a = uniform_logits(1, {.4f, .6f});
  at::Tensor b = patterned_logits(1, types);
  const Box3 d{1, 0, -1};
  const std::vector<OverlapBox> boxes{overlap_from_shift({4, 4, 4}, d)};
  expect_labels(dynamic_pseudo_label(a, b, boxes, Combine::mean), 0, d, 1, {0, 1, 1}, "mean");
  expect_labels(dynamic_pseudo_label(a, b, boxes, Combine::replace), 0, d, 1, {0, 1, 0}, "replace");
  expect_labels(dynamic_pseudo_label(a, b, boxes, Combine::max), 0, d, 1, {0, 1, 1}, "max");
}

TEST(PseudoLabels, EmptyOverlapGivesFixedLabel) {
  at::Tensor a = at::randn({1, 2, 4, 4, 4});
  at::Tensor b = at::randn({1, 2, 4, 4, 4});
  const std::vector<OverlapBox> boxes{overlap_from_shift({4, 4, 4}, {4, 0, 0})};
  EXPECT_TRUE(at::equal(dynamic_pseudo_label(a, b, boxes, Combine::replace), fixed_pseudo_label(a)));
}

TEST(PseudoLabels, RejectsMismatches) {
  at::Tensor a = at::randn({2, 2, 4, 4, 4});
  const OverlapBox box = overlap_from_shift({4, 4, 4}, {1, 1, 1});
  EXPECT_THROW(dynamic_pseudo_label(a, a, {box}, Combine::mean), RunError);  // one box for 2
  EXPECT_THROW(dynamic_pseudo_label(a, a.narrow(4, 0, 2), {box, box}, Combine::mean), RunError);
  const OverlapBox too_big = overlap_from_shift({8, 8, 8}, {1, 1, 1});
  EXPECT_THROW(dynamic_pseudo_label(a, a, {too_big, too_big}, Combine::mean), RunError);
}

}  // namespace
}  // namespace flowrun
