// `train.sgd_step`: one optimizer step per batch on the loss packet, with the
// learning-rate schedule; refuses non-finite losses before touching weights.
#include <cmath>

#include <torch/optim/sgd.h>

#include "lib/packets/loss_packet.h"
#include "lib/torch/gradient_sync.h"
#include "plugins/train/train_state.h"

using nlohmann::json;

namespace flowrun {

namespace {

class SgdStep : public Node {
 public:
  void open(NodeContext& ctx) override {
    state_ = ctx.resource<TrainState>(ctx.params["optimizer"].get<std::string>());
    state_->bind(ctx);
    schedule_ = ctx.params["schedule"].get<std::string>();
    power_ = ctx.params["power"].get<double>();
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& in = io.input("in");
    const at::Tensor& loss = in.get<at::Tensor>(loss_packet::kLoss);
    const int64_t it = io.id();
    const json terms = in.meta.contains("terms") ? in.meta["terms"] : json::object();
    // A NaN step would poison both networks and every later checkpoint; stop
    // here, with the weights still those of the previous iteration.
    for (auto& [name, v] : terms.items())
      if (v.is_number_float() && !std::isfinite(v.get<double>())) refuse(it, name, v.get<double>());
    if (loss.numel() != 1) throw RunError("iteration " + std::to_string(it) + ": the loss is not a scalar");
    const double value = loss.item<double>();
    if (!std::isfinite(value)) refuse(it, "loss", value);
    if (!loss.requires_grad())
      throw RunError("iteration " + std::to_string(it) + ": the loss has no autograd graph (nothing to optimize)");

    const double lr = scheduled_lr(schedule_, state_->base_lr(), it, ctx.last_batch + 1, power_);
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      auto& sgd = state_->sgd();
      for (auto& group : sgd.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      sgd.zero_grad();
      GradientSync* sync = state_->gradient_sync();
      if (sync) sync->begin(it);
      loss.backward();
      if (sync) sync->finish();  // every rank's .grad is now the mean over all ranks
      sgd.step();
      state_->last_stepped = it;
      state_->rng_after_step = capture_rng_state();
    }
    Packet out;
    out.meta["iteration"] = it;
    out.meta["lr"] = lr;
    out.meta["terms"] = terms;
    io.emit("out", std::move(out));
  }

 private:
  [[noreturn]] void refuse(int64_t it, const std::string& term, double v) {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->poisoned = true;
    }
    throw RunError("iteration " + std::to_string(it) + ": loss term '" + term + "' is " +
                   (std::isnan(v) ? "NaN" : "Inf") + " (the last checkpoint is kept; lower the lr or check the data)");
  }

  std::shared_ptr<TrainState> state_;
  std::string schedule_;
  double power_ = 0.9;
};

}  // namespace

void register_sgd_step(Registry& r) { r.add_node(sgd_step_schema(), [](const NodeContext&) { return std::make_unique<SgdStep>(); }); }

}  // namespace flowrun
