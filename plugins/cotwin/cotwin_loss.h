// The CoTwin objective of both networks (METHOD section 4):
//   L_j = alpha * sup_j + w * (fix_j + beta * dyn_j),  total = L_1 + L_2,
// where network j is supervised on A by the other network's pseudo-labels.
#pragma once

#include <ATen/ATen.h>

namespace flowrun {

struct CoTwinLossTerms {
  at::Tensor sup1, sup2;  // supervised_loss on the labelled part
  at::Tensor fix1, fix2;  // unsupervised_loss against the fixed labels of the other net
  at::Tensor dyn1, dyn2;  // unsupervised_loss against the dynamic labels of the other net
  at::Tensor total1, total2, total;
};

// logits*_l: [Bl, K, ...] on labelled patches with `labels` [Bl, ...];
// logits*_a_u: [Bu, K, ...] of each network on the unlabelled crops A;
// fix_from2 / dyn_from2: f2's labels that supervise f1, *_from1 the reverse.
// unsup_dice adds soft Dice to the fixed and dynamic terms. One backward of
// `total` trains both networks; the labels carry no gradient.
CoTwinLossTerms cotwin_loss(const at::Tensor& logits1_l, const at::Tensor& logits2_l,
                            const at::Tensor& labels, const at::Tensor& logits1_a_u,
                            const at::Tensor& logits2_a_u, const at::Tensor& fix_from2,
                            const at::Tensor& dyn_from2, const at::Tensor& fix_from1,
                            const at::Tensor& dyn_from1, double alpha, double beta, double w,
                            bool unsup_dice);

}  // namespace flowrun
