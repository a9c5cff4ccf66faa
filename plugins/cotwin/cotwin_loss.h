// The CoTwin objective of both networks (docs/method.md, section 2):
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

// One network's logits: on the labelled patches [Bl, K, ...] and on the
// unlabelled crops A [Bu, K, ...].
struct NetLogits {
  at::Tensor labeled;
  at::Tensor unlabeled;
};

// The pseudo-labels one network makes for the other [Bu, ...] (long).
struct PseudoLabelPair {
  at::Tensor fixed;
  at::Tensor dynamic;
};

struct CoTwinLossInputs {
  at::Tensor labels;        // [Bl, ...] of the labelled patches
  NetLogits net1, net2;     // the students
  PseudoLabelPair from1;      // made by net1: they supervise net2
  PseudoLabelPair from2;      // made by net2: they supervise net1
};

struct CoTwinLossWeights {
  double alpha = 0.5;       // supervised terms
  double beta = 0.1;        // dynamic terms
  double w = 1.0;           // w(t), this iteration's unsupervised weight
  bool unsup_dice = false;  // add soft Dice to the fixed and dynamic terms
  bool sup_dice = true;     // soft Dice in the supervised terms (false: cross-entropy alone)
};

// One backward of `total` trains both networks; the labels carry no gradient.
CoTwinLossTerms cotwin_loss(const CoTwinLossInputs& in, const CoTwinLossWeights& weights);

}  // namespace flowrun
