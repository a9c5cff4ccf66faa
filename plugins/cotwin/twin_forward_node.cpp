// cotwin.twin_forward: both networks' forward passes of one training batch.
//
// Students (with autograd): each net on all crops A, labelled and unlabelled
// in one pass, so BatchNorm sees the whole batch as in the lineage. Teachers
// on crops B (no autograd): the views the dynamic pseudo-labels need. The
// teachers' view of A is the students' output detached (pseudo_labels does
// that), so A is not run twice.
//
// cutmix (TraCoCo recipe, METHOD section 3 step 4): the unlabelled students'
// inputs are mixed with a per-sample box mask and partner permutation; the
// teachers then need A unmixed, so one extra no-grad pass per net on the
// unlabelled A gives logits1_a / logits2_a, and the mask and permutation are
// passed on (cutmix_mask, cutmix_perm) for pseudo_labels to mix the labels
// the same way.
#include <sstream>

#include <torch/torch.h>

#include "core/rng.h"
#include "lib/torch/segmentation_model.h"
#include "lib/torch/torch_compat.h"
#include "lib/packets/forward_packet.h"
#include "plugins/cotwin/cotwin_nodes.h"
#include "plugins/cotwin/cutmix.h"

namespace flowrun {
namespace {

std::string shape_of(const at::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

class TwinForward : public Node {
 public:
  void open(NodeContext& ctx) override {
    check_twin_forward_configuration(ctx);
    const auto names = ctx.params.at("nets").get<std::vector<std::string>>();
    net1_ = ctx.resource<SegmentationModel>(names[0]);
    net2_ = ctx.resource<SegmentationModel>(names[1]);
    if (net1_->device() != net2_->device())
      throw InputError("node '" + ctx.id + "': models '" + names[0] + "' and '" + names[1] +
                       "' live on different devices");
    cutmix_ = ctx.params.at("cutmix").get<bool>();
    bf16_ = ctx.params.at("bf16").get<bool>();
    if (bf16_ && !net1_->device().is_cuda() && !cpu_has_bf16_dot())
      std::cerr << "flowrun: note: node '" << ctx.id << "': bf16 on a CPU without bf16 dot products (AVX512_BF16, "
                << "AMX) is emulated and slower than fp32\n";
    teacher_b_mode_ = ctx.params.at("teacher_b_mode").get<std::string>();
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const Bf16Autocast autocast(bf16_, /*cuda=*/net1_->device().is_cuda());
    try {
      forward_all(ctx, io, autocast.active());
    } catch (const c10::OutOfMemoryError&) {
      throw out_of_memory(ctx, io);
    } catch (const c10::Error& e) {
      // cuDNN reports a failed workspace allocation as its own error.
      const std::string m = e.what();
      if (m.find("out of memory") != std::string::npos || m.find("ALLOC_FAILED") != std::string::npos)
        throw out_of_memory(ctx, io);
      throw;
    }
  }

 private:
  // The teachers' no-grad pass on crops B (teacher_b_mode): "train" as the
  // students (batch statistics, dropout, running statistics updated a second
  // time per step), "eval" (running statistics, no dropout), or
  // "train_fixed_stats" (batch statistics and dropout, running statistics left
  // as the students' pass set them).
  template <class Forward>
  at::Tensor teacher_forward(SegmentationModel& net, const at::Tensor& x, Forward&& forward) const {
    torch::nn::Module& m = net.module();
    if (teacher_b_mode_ == "eval") {
      m.eval();
      at::Tensor y = forward(net, x);
      m.train();
      return y;
    }
    if (teacher_b_mode_ == "train_fixed_stats") {
      // Momentum 0 makes BatchNorm's own update write back the same running
      // statistics (r * 1 + batch * 0). Copying saved values back instead
      // would bump the version of tensors the students' pass saved for the
      // backward, and reordering the passes would change the dropout draws.
      std::vector<std::pair<c10::optional<double>*, c10::optional<double>>> momenta;
      std::vector<std::pair<at::Tensor, at::Tensor>> counters;
      for (const auto& item : m.named_modules()) {
        c10::optional<double>* momentum = batch_norm_momentum(*item.value());
        if (momentum == nullptr) {
          for (const auto& b : item.value()->named_buffers(/*recurse=*/false))
            if (b.key().rfind("running_", 0) == 0)
              throw RunError("node cotwin.twin_forward: teacher_b_mode train_fixed_stats handles BatchNorm layers "
                             "only; module '" + item.key() + "' keeps running statistics of another kind");
          continue;
        }
        momenta.emplace_back(momentum, *momentum);
        *momentum = 0.0;
        for (const auto& b : item.value()->named_buffers(/*recurse=*/false))
          if (b.key() == "num_batches_tracked") counters.emplace_back(b.value(), b.value().clone());
      }
      at::Tensor y;
      try {
        y = forward(net, x);
      } catch (...) {
        for (auto& [live, saved] : momenta) *live = saved;
        throw;
      }
      for (auto& [live, saved] : momenta) *live = saved;
      // Read only when momentum is unset (cumulative averages); kept exact anyway.
      for (auto& [live, saved] : counters) live.copy_(saved);
      return y;
    }
    return forward(net, x);
  }

  // The momentum option of a BatchNorm layer of any rank; null for other modules.
  static c10::optional<double>* batch_norm_momentum(torch::nn::Module& m) {
    if (auto* bn = m.as<torch::nn::BatchNorm3d>()) return &bn->options.momentum();
    if (auto* bn = m.as<torch::nn::BatchNorm2d>()) return &bn->options.momentum();
    if (auto* bn = m.as<torch::nn::BatchNorm1d>()) return &bn->options.momentum();
    return nullptr;
  }

  RunError out_of_memory(const NodeContext& ctx, const BatchIO& io) const {
    return RunError("node '" + ctx.id + "': out of memory on " + net1_->device().str() + " for batch " +
                    std::to_string(io.id()) +
                    "; use a smaller batch (the sampler's labeled_batch / unlabeled_batch), a smaller patch "
                    "(the crop node's patch), fewer filters (resources.netN.n_filters) or bf16 (nodes." + ctx.id +
                    ".bf16=true)");
  }

  void forward_all(NodeContext& ctx, BatchIO& io, bool autocast) {
    // Under bf16 autocast the losses still get fp32 logits: log-softmax and
    // soft Dice in bf16 would lose the small differences they train on.
    auto forward = [autocast](SegmentationModel& net, const at::Tensor& x) {
      at::Tensor y = net.forward(x);
      return autocast ? y.to(at::kFloat) : y;
    };
    const Packet& in = io.input("in");
    const BatchCounts n = batch_counts(in, ctx.id);
    const at::Device device = net1_->device();
    const at::Tensor image = in.get<at::Tensor>(batch_packet::kImage).to(device);
    if (image.dim() != 5 || image.size(0) != n.labeled + n.unlabeled)
      throw RunError("node '" + ctx.id + "': image " + shape_of(image) + " does not hold labeled_count + unlabeled_count = " +
                     std::to_string(n.labeled + n.unlabeled) + " samples [B, C, X, Y, Z]");

    // Dropout draws from LibTorch's global generator; seeding it from
    // (seed, batch, node) makes a run with this node at concurrency 1
    // reproducible.
    torch::manual_seed(stream_key(ctx.seed(), io.id(), ctx.dist.stream_id(ctx.id)));
    net1_->module().train();
    net2_->module().train();

    Packet out = in;  // shares the batch's tensors and meta
    at::Tensor student_input = image;
    if (cutmix_ && n.unlabeled > 0) {
      Rng rng = ctx.rng(io.id());
      const at::Tensor unlabeled = image.slice(0, n.labeled);
      const at::Tensor mask = cutmix_box_mask(n.unlabeled, {image.size(2), image.size(3), image.size(4)}, rng).to(device);
      const at::Tensor perm = mix_partner_permutation(n.unlabeled, rng).to(device);
      student_input = at::cat({image.slice(0, 0, n.labeled), mix_inputs(unlabeled, mask, perm)}, 0);
      at::NoGradGuard no_grad;
      out.set(forward_packet::kLogits1A, forward(*net1_, unlabeled));
      out.set(forward_packet::kLogits2A, forward(*net2_, unlabeled));
      out.set(forward_packet::kCutmixMask, mask);
      out.set(forward_packet::kCutmixPerm, perm);
    }
    out.set(forward_packet::kLogits1, forward(*net1_, student_input));
    out.set(forward_packet::kLogits2, forward(*net2_, student_input));

    if (n.unlabeled > 0 && in.has(batch_packet::kImageB)) {
      const at::Tensor image_b = in.get<at::Tensor>(batch_packet::kImageB).to(device);
      if (image_b.dim() != 5 || image_b.size(0) != n.unlabeled || image_b.sizes().slice(1) != image.sizes().slice(1))
        throw RunError("node '" + ctx.id + "': image_b " + shape_of(image_b) + " must be [" +
                       std::to_string(n.unlabeled) + ", C, X, Y, Z] like the unlabelled part of image " +
                       shape_of(image));
      at::NoGradGuard no_grad;
      out.set(forward_packet::kLogits1B, teacher_forward(*net1_, image_b, forward));
      out.set(forward_packet::kLogits2B, teacher_forward(*net2_, image_b, forward));
    }
    io.emit("out", std::move(out));
  }

 private:
  std::shared_ptr<SegmentationModel> net1_, net2_;
  bool cutmix_ = false;
  bool bf16_ = false;
  std::string teacher_b_mode_ = "train";
};

std::unique_ptr<Node> make_twin_forward(const NodeContext&) { return std::make_unique<TwinForward>(); }

}  // namespace

void register_twin_forward(Registry& r) { r.add_node(twin_forward_schema(), &make_twin_forward); }

}  // namespace flowrun
