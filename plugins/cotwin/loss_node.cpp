// cotwin.loss: the CoTwin objective of both networks for one batch (METHOD
// section 4), with the ramp-up weight w(t) at t = the batch id.
#include <torch/torch.h>

#include "lib/packets/loss_packet.h"
#include "lib/packets/pseudo_packet.h"
#include "plugins/cotwin/cotwin_loss.h"
#include "plugins/cotwin/cotwin_nodes.h"
#include "plugins/cotwin/losses.h"
#include "plugins/cotwin/rampup.h"

namespace flowrun {
namespace {

class CoTwinLoss : public Node {
 public:
  void open(NodeContext& ctx) override {
    const nlohmann::json& p = ctx.params;
    alpha_ = p.at("alpha").get<double>();
    beta_ = p.at("beta").get<double>();
    unsup_dice_ = p.at("unsup_dice").get<bool>();
    sup_dice_ = p.at("sup_dice").get<bool>();
    dynamic_ = p.at("dynamic").get<bool>();
    ramp_.shape = parse_ramp_shape(p.at("rampup").get<std::string>());
    ramp_.unit = parse_ramp_unit(p.at("rampup_unit").get<std::string>());
    ramp_.length = p.at("rampup_length").get<double>();
    ramp_.iters_per_epoch = p.at("rampup_iters_per_epoch").get<int64_t>();
    ramp_.max_weight = p.at("unsup_weight").get<double>();
    try {
      validate(ramp_);
    } catch (const InputError& e) {
      throw InputError("node '" + ctx.id + "': " + e.what());
    }
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& in = io.input("in");
    const BatchCounts n = batch_counts(in, ctx.id);
    if (n.labeled == 0)
      throw RunError("node '" + ctx.id + "': batch " + std::to_string(io.id()) +
                     " has no labelled sample; the supervised terms need at least one");
    const double w = rampup_weight(ramp_, io.id(), ctx.last_batch + 1);
    const at::Tensor& logits1 = in.get<at::Tensor>(forward_packet::kLogits1);
    const at::Tensor& logits2 = in.get<at::Tensor>(forward_packet::kLogits2);
    const at::Tensor labels = in.get<at::Tensor>(batch_packet::kLabel).to(logits1.device());
    const at::Tensor l1 = logits1.slice(0, 0, n.labeled), l2 = logits2.slice(0, 0, n.labeled);

    CoTwinLossTerms t;
    if (n.unlabeled == 0) {
      // Supervised-only baseline: nothing to cross-supervise.
      t.sup1 = supervised_loss(l1, labels, sup_dice_);
      t.sup2 = supervised_loss(l2, labels, sup_dice_);
      const at::Tensor zero = at::zeros({}, t.sup1.options());
      t.fix1 = t.fix2 = t.dyn1 = t.dyn2 = zero;
      t.total1 = alpha_ * t.sup1;
      t.total2 = alpha_ * t.sup2;
      t.total = t.total1 + t.total2;
    } else {
      const at::Tensor u1 = logits1.slice(0, n.labeled), u2 = logits2.slice(0, n.labeled);
      // CPS (dynamic false) drops the dynamic terms: beta 0 removes them from
      // the totals and they are reported as 0.
      const CoTwinLossInputs inputs{labels,
                                    {l1, u1},
                                    {l2, u2},
                                    {in.get<at::Tensor>(pseudo_packet::kFixFrom1), in.get<at::Tensor>(pseudo_packet::kDynFrom1)},
                                    {in.get<at::Tensor>(pseudo_packet::kFixFrom2), in.get<at::Tensor>(pseudo_packet::kDynFrom2)}};
      t = cotwin_loss(inputs, {alpha_, dynamic_ ? beta_ : 0.0, w, unsup_dice_, sup_dice_});
      if (!dynamic_) t.dyn1 = t.dyn2 = at::zeros({}, t.total.options());
    }

    Packet out;
    out.meta = in.meta;
    auto num = [](const at::Tensor& x) { return x.detach().item<double>(); };
    out.meta["terms"] = {{"sup1", num(t.sup1)},     {"sup2", num(t.sup2)},     {"fix1", num(t.fix1)},
                         {"fix2", num(t.fix2)},     {"dyn1", num(t.dyn1)},     {"dyn2", num(t.dyn2)},
                         {"total1", num(t.total1)}, {"total2", num(t.total2)}, {"total", num(t.total)},
                         {"w", w}};
    out.set(loss_packet::kLoss, t.total);
    io.emit("out", std::move(out));
  }

 private:
  double alpha_ = 0.5, beta_ = 0.1;
  bool unsup_dice_ = false, sup_dice_ = true, dynamic_ = true;
  RampUpOptions ramp_;
};

std::unique_ptr<Node> make_cotwin_loss(const NodeContext&) { return std::make_unique<CoTwinLoss>(); }

}  // namespace

void register_cotwin_loss(Registry& r) { r.add_node(cotwin_loss_schema(), &make_cotwin_loss); }

}  // namespace flowrun
