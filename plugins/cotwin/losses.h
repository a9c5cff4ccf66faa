// Segmentation losses of CoTwin (METHOD section 4): cross-entropy, the
// SSL4MIS soft Dice, and their supervised / unsupervised combinations.
#pragma once

#include <ATen/ATen.h>

namespace flowrun {

// SSL4MIS DiceLoss on probabilities: for each class k, with p = probs[:, k]
// and g = one-hot(target)[:, k], sums run over the batch and all voxels
// together: d_k = 1 - (2 sum p g + eps) / (sum p^2 + sum g^2 + eps); returns
// the mean of d_k over the K classes (every class weighted 1).
// probs [B, K, ...] (already softmaxed), target [B, ...] int64 in [0, K).
at::Tensor soft_dice_loss(const at::Tensor& probs, const at::Tensor& target, double eps = 1e-5);

// Mean cross-entropy over batch and voxels. logits [B, K, ...], target [B, ...] int64.
at::Tensor cross_entropy(const at::Tensor& logits, const at::Tensor& target);

// CE(logits, target) + soft_dice_loss(softmax(logits), target): the lineage's
// supervised loss without its 0.5 factor (that is alpha in cotwin_loss).
at::Tensor supervised_loss(const at::Tensor& logits, const at::Tensor& target, bool with_dice = true);

// Loss against hard pseudo-labels: CE, plus soft Dice when with_dice.
at::Tensor unsupervised_loss(const at::Tensor& logits, const at::Tensor& hard_labels, bool with_dice);

}  // namespace flowrun
