// Tests of the CoTwin losses against values worked out by hand and with
// PyTorch 1.13 (Debian python3-torch, F.cross_entropy and SSL4MIS's DiceLoss
// loop written out in Python), and of gradient isolation from the teacher.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"
#include "plugins/cotwin/cotwin_loss.h"
#include "plugins/cotwin/losses.h"
#include "plugins/cotwin/pseudo_labels.h"

namespace flowrun {
namespace {

at::Tensor doubles(std::vector<double> v, at::IntArrayRef shape) {
  return at::tensor(v, at::kDouble).reshape(shape);
}
at::Tensor longs(std::vector<int64_t> v, at::IntArrayRef shape) {
  return at::tensor(v, at::kLong).reshape(shape);
}
double value(const at::Tensor& t) { return t.item<double>(); }

// Two voxels, two classes: logits (0, 0) -> p = (1/2, 1/2), target 0;
// logits (0, ln 3) -> p = (1/4, 3/4), target 1. Layout [B=1, K=2, 1, 1, 2].
struct TwoVoxels {
  at::Tensor logits = doubles({0.0, 0.0, 0.0, std::log(3.0)}, {1, 2, 1, 1, 2});
  at::Tensor target = longs({0, 1}, {1, 1, 1, 2});
};

TEST(Losses, CrossEntropyByHand) {
  TwoVoxels s;
  // (-ln 1/2 - ln 3/4) / 2 = (0.693147 + 0.287682) / 2.
  EXPECT_NEAR(value(cross_entropy(s.logits, s.target)), 0.4904146265058631, 1e-12);
}

TEST(Losses, SoftDiceByHand) {
  TwoVoxels s;
  // class 0: p = (.5, .25), g = (1, 0): 1 - (2*.5 + eps)/(.3125 + 1 + eps) ~ 0.3125/1.3125
  // class 1: p = (.5, .75), g = (0, 1): 1 - (2*.75 + eps)/(.8125 + 1 + eps) ~ 0.3125/1.8125
  // mean = 0.2052531... (exact value with eps = 1e-5 from PyTorch).
  at::Tensor probs = at::softmax(s.logits, 1);
  EXPECT_NEAR(value(soft_dice_loss(probs, s.target)), 0.20525313295514264, 1e-12);
  EXPECT_NEAR(value(soft_dice_loss(probs, s.target, 0.0)),
              0.5 * (0.3125 / 1.3125 + 0.3125 / 1.8125), 1e-12);
  EXPECT_NEAR(value(supervised_loss(s.logits, s.target)), 0.6956677594610057, 1e-12);
}

TEST(Losses, ThreeClassesSumOverBatchAndVoxels) {
  // [B=2, K=3, 1, 2]; values from PyTorch as described at the top.
  at::Tensor logits = doubles({1.0, 0.0, 0.0, 2.0, -1.0, 0.5, 0.2, 0.1, 0.3, -0.4, 0.0, 1.5},
                              {2, 3, 1, 2});
  at::Tensor target = longs({0, 2, 1, 2}, {2, 1, 2});
  EXPECT_NEAR(value(cross_entropy(logits, target)), 0.8801525499218213, 1e-12);
  EXPECT_NEAR(value(soft_dice_loss(at::softmax(logits, 1), target)), 0.355943480718887, 1e-12);
}

TEST(Losses, PerfectPredictionHasZeroDice) {
  at::Tensor target = longs({0, 1, 1, 0, 2, 2, 1, 0}, {1, 2, 2, 2});
  at::Tensor probs = at::one_hot(target, 3).movedim(-1, 1).to(at::kDouble);
  EXPECT_DOUBLE_EQ(value(soft_dice_loss(probs, target)), 0.0);
  // The opposite prediction is as bad as it gets for every present class.
  at::Tensor wrong = at::one_hot((target + 1) % 3, 3).movedim(-1, 1).to(at::kDouble);
  EXPECT_NEAR(value(soft_dice_loss(wrong, target)), 1.0, 1e-5);
}

TEST(Losses, UnsupervisedDiceIsOptional) {
  TwoVoxels s;
  EXPECT_NEAR(value(unsupervised_loss(s.logits, s.target, false)), 0.4904146265058631, 1e-12);
  EXPECT_NEAR(value(unsupervised_loss(s.logits, s.target, true)), 0.6956677594610057, 1e-12);
}

TEST(Losses, RejectsMismatchedShapes) {
  TwoVoxels s;
  EXPECT_THROW(cross_entropy(s.logits, longs({0, 1, 1}, {1, 1, 1, 3})), RunError);
  EXPECT_THROW(soft_dice_loss(at::softmax(s.logits, 1), s.target.to(at::kFloat)), RunError);
}

// Inputs of the cotwin_loss test; [1, 2, 1, 1, 2] logits, [1, 1, 1, 2] labels.
struct Pair {
  at::Tensor l1l = doubles({1.0, -1.0, 0.5, 2.0}, {1, 2, 1, 1, 2});
  at::Tensor l2l = doubles({-0.5, 0.3, 1.2, 0.0}, {1, 2, 1, 1, 2});
  at::Tensor labels = longs({1, 0}, {1, 1, 1, 2});
  at::Tensor l1a = doubles({0.7, -0.2, 0.1, 0.9}, {1, 2, 1, 1, 2});
  at::Tensor l2a = doubles({-1.0, 0.4, 0.6, 0.0}, {1, 2, 1, 1, 2});
  at::Tensor fix2 = longs({0, 1}, {1, 1, 1, 2}), dyn2 = longs({1, 1}, {1, 1, 1, 2});
  at::Tensor fix1 = longs({1, 0}, {1, 1, 1, 2}), dyn1 = longs({0, 0}, {1, 1, 1, 2});
};

TEST(CoTwinLoss, TermsMatchPyTorch) {
  // alpha 0.5, beta 4, w 0.3; expected values from PyTorch (see top).
  Pair p;
  for (bool dice : {false, true}) {
    CoTwinLossTerms t = cotwin_loss({p.labels, {p.l1l, p.l1a}, {p.l2l, p.l2a}, {p.fix1, p.dyn1}, {p.fix2, p.dyn2}},
                                    {0.5, 4.0, 0.3, dice});
    const std::vector<double> want =
        dice ? std::vector<double>{2.793028623609958, 0.49081438384924975, 0.4815845804229238,
                                   1.2515306949543483, 0.467767133304451, 1.827218293397122,
                                   3.042826519877074, 2.5783992839925065, 5.621225803869581}
             : std::vector<double>{2.793028623609958, 0.49081438384924975, 0.3624116378006582,
                                   0.6624116378006581, 0.34845799664414573, 1.1484579966441457,
                                   2.3001317685059663, 1.7280941868908433, 4.02822595539681};
    const std::vector<at::Tensor> got{t.sup1, t.sup2, t.fix1, t.dyn1, t.fix2,
                                      t.dyn2, t.total1, t.total2, t.total};
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(value(got[i]), want[i], 1e-9) << "term " << i << " unsup_dice " << dice;
  }
}

TEST(CoTwinLoss, NoGradientReachesTheTeacher) {
  // Teacher outputs come from leaves that require grad, as a forward pass
  // with grad on would give; only the labels built from them reach the loss.
  Pair p;
  at::Tensor teacher1 = p.l1a.clone().set_requires_grad(true);
  at::Tensor teacher2 = p.l2a.clone().set_requires_grad(true);
  at::Tensor teacher2_b = p.l2a.flip(4).clone().set_requires_grad(true);
  at::Tensor student1 = p.l1a.clone().set_requires_grad(true);
  at::Tensor student2 = p.l2a.clone().set_requires_grad(true);
  const std::vector<OverlapBox> boxes{overlap_from_shift({1, 1, 2}, {0, 0, 1})};
  at::Tensor fix_from2 = fixed_pseudo_label(teacher2 * 2.0);
  at::Tensor dyn_from2 = dynamic_pseudo_label(teacher2 * 2.0, teacher2_b * 2.0, boxes, Combine::mean);
  at::Tensor fix_from1 = fixed_pseudo_label(teacher1 * 2.0);
  at::Tensor dyn_from1 = dynamic_pseudo_label(teacher1 * 2.0, teacher1 * 2.0, boxes, Combine::max);
  for (const at::Tensor& l : {fix_from2, dyn_from2, fix_from1, dyn_from1}) {
    EXPECT_FALSE(l.requires_grad());
    EXPECT_EQ(l.scalar_type(), at::kLong);
  }
  CoTwinLossTerms t = cotwin_loss(
      {p.labels, {p.l1l, student1}, {p.l2l, student2}, {fix_from1, dyn_from1}, {fix_from2, dyn_from2}},
      {0.5, 1.0, 1.0, true});
  t.total.backward();
  EXPECT_TRUE(student1.grad().defined());
  EXPECT_TRUE(student2.grad().defined());
  EXPECT_FALSE(teacher1.grad().defined());
  EXPECT_FALSE(teacher2.grad().defined());
  EXPECT_FALSE(teacher2_b.grad().defined());
}

}  // namespace
}  // namespace flowrun
