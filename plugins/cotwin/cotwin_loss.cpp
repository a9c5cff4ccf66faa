// Assembles the CoTwin loss of both networks from the loss terms.
#include "plugins/cotwin/cotwin_loss.h"

#include "plugins/cotwin/losses.h"

namespace flowrun {

CoTwinLossTerms cotwin_loss(const at::Tensor& logits1_l, const at::Tensor& logits2_l,
                            const at::Tensor& labels, const at::Tensor& logits1_a_u,
                            const at::Tensor& logits2_a_u, const at::Tensor& fix_from2,
                            const at::Tensor& dyn_from2, const at::Tensor& fix_from1,
                            const at::Tensor& dyn_from1, double alpha, double beta, double w,
                            bool unsup_dice) {
  CoTwinLossTerms t;
  t.sup1 = supervised_loss(logits1_l, labels);
  t.sup2 = supervised_loss(logits2_l, labels);
  // Labels are detached defensively: a caller that built them with grad on
  // must still not push the student's loss into the teacher.
  t.fix1 = unsupervised_loss(logits1_a_u, fix_from2.detach(), unsup_dice);
  t.dyn1 = unsupervised_loss(logits1_a_u, dyn_from2.detach(), unsup_dice);
  t.fix2 = unsupervised_loss(logits2_a_u, fix_from1.detach(), unsup_dice);
  t.dyn2 = unsupervised_loss(logits2_a_u, dyn_from1.detach(), unsup_dice);
  t.total1 = alpha * t.sup1 + w * (t.fix1 + beta * t.dyn1);
  t.total2 = alpha * t.sup2 + w * (t.fix2 + beta * t.dyn2);
  t.total = t.total1 + t.total2;
  return t;
}

}  // namespace flowrun
