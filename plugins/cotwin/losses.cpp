// Cross-entropy and soft Dice losses (SSL4MIS semantics).
#include "plugins/cotwin/losses.h"

#include <sstream>

#include "core/error.h"

namespace flowrun {
namespace {

// The target must be the prediction's shape without the class axis.
void check_pair(const char* what, const at::Tensor& scores, const at::Tensor& target) {
  bool ok = scores.dim() >= 2 && target.dim() == scores.dim() - 1 &&
            target.size(0) == scores.size(0);
  for (int64_t d = 2; ok && d < scores.dim(); ++d) ok = target.size(d - 1) == scores.size(d);
  if (!ok || target.scalar_type() != at::kLong) {
    std::ostringstream os;
    os << what << ": expected scores [B, K, ...] and int64 target [B, ...], got scores "
       << scores.sizes() << " and target " << target.sizes() << " of type "
       << target.scalar_type();
    throw RunError(os.str());
  }
}

}  // namespace

at::Tensor soft_dice_loss(const at::Tensor& probs, const at::Tensor& target, double eps) {
  check_pair("soft_dice_loss", probs, target);
  const int64_t k = probs.size(1);
  // one_hot appends the class axis; move it next to the batch axis.
  at::Tensor g = at::one_hot(target, k).movedim(-1, 1).to(probs.scalar_type());
  std::vector<int64_t> reduce{0};
  for (int64_t d = 2; d < probs.dim(); ++d) reduce.push_back(d);
  at::Tensor intersect = (probs * g).sum(reduce);
  at::Tensor p_sum = (probs * probs).sum(reduce);
  at::Tensor g_sum = (g * g).sum(reduce);
  at::Tensor per_class = 1.0 - (2.0 * intersect + eps) / (p_sum + g_sum + eps);
  return per_class.mean();
}

at::Tensor cross_entropy(const at::Tensor& logits, const at::Tensor& target) {
  check_pair("cross_entropy", logits, target);
  return at::cross_entropy_loss(logits, target);
}

at::Tensor supervised_loss(const at::Tensor& logits, const at::Tensor& target, bool with_dice) {
  if (!with_dice) return cross_entropy(logits, target);
  return cross_entropy(logits, target) + soft_dice_loss(at::softmax(logits, 1), target);
}

at::Tensor unsupervised_loss(const at::Tensor& logits, const at::Tensor& hard_labels, bool with_dice) {
  at::Tensor loss = cross_entropy(logits, hard_labels);
  if (with_dice) loss = loss + soft_dice_loss(at::softmax(logits, 1), hard_labels);
  return loss;
}

}  // namespace flowrun
