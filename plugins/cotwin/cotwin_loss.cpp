// Assembles the CoTwin loss of both networks from the loss terms.
#include "plugins/cotwin/cotwin_loss.h"

#include "plugins/cotwin/losses.h"

namespace flowrun {

CoTwinLossTerms cotwin_loss(const CoTwinLossInputs& in, const CoTwinLossWeights& k) {
  CoTwinLossTerms t;
  t.sup1 = supervised_loss(in.net1.labeled, in.labels, k.sup_dice);
  t.sup2 = supervised_loss(in.net2.labeled, in.labels, k.sup_dice);
  // Labels are detached defensively: a caller that built them with grad on
  // must still not push the student's loss into the teacher.
  t.fix1 = unsupervised_loss(in.net1.unlabeled, in.from2.fixed.detach(), k.unsup_dice);
  t.dyn1 = unsupervised_loss(in.net1.unlabeled, in.from2.dynamic.detach(), k.unsup_dice);
  t.fix2 = unsupervised_loss(in.net2.unlabeled, in.from1.fixed.detach(), k.unsup_dice);
  t.dyn2 = unsupervised_loss(in.net2.unlabeled, in.from1.dynamic.detach(), k.unsup_dice);
  t.total1 = k.alpha * t.sup1 + k.w * (t.fix1 + k.beta * t.dyn1);
  t.total2 = k.alpha * t.sup2 + k.w * (t.fix2 + k.beta * t.dyn2);
  t.total = t.total1 + t.total2;
  return t;
}

}  // namespace flowrun
