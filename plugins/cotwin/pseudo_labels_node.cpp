// cotwin.pseudo_labels: each network's fixed and dynamic pseudo-labels for
// the other network (METHOD section 3, steps 2 to 4), from the forward pass.
#include <torch/torch.h>

#include "lib/ops/shift_crop.h"
#include "lib/packets/pseudo_packet.h"
#include "plugins/cotwin/cotwin_nodes.h"
#include "plugins/cotwin/cutmix.h"
#include "plugins/cotwin/pseudo_labels.h"

namespace flowrun {
namespace {

class PseudoLabels : public Node {
 public:
  void open(NodeContext& ctx) override {
    combine_ = parse_combine(ctx.params.at("combine").get<std::string>());
    dynamic_ = ctx.params.at("dynamic").get<bool>();
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& in = io.input("in");
    const BatchCounts n = batch_counts(in, ctx.id);
    Packet out = in;
    at::NoGradGuard no_grad;
    const at::Tensor& logits1 = in.get<at::Tensor>(forward_packet::kLogits1);
    if (n.unlabeled == 0) {
      // A supervised-only batch: empty labels keep the packet's shape contract.
      std::vector<int64_t> sizes = logits1.sizes().vec();
      sizes.erase(sizes.begin() + 1);
      sizes[0] = 0;
      const at::Tensor none = at::empty(sizes, logits1.options().dtype(at::kLong));
      for (int net : {1, 2}) {
        out.set(pseudo_packet::fixed_from(net), none);
        out.set(pseudo_packet::dynamic_from(net), none);
      }
      io.emit("out", std::move(out));
      return;
    }
    if (dynamic_ && !(in.has(forward_packet::kLogits1B) && in.has(forward_packet::kLogits2B)))
      throw RunError("node '" + ctx.id + "': dynamic pseudo-labels need crops B but batch " +
                     std::to_string(io.id()) +
                     " has no image_b (shift-crop the unlabelled samples, or set dynamic false)");
    const std::vector<OverlapBox> boxes = dynamic_ ? overlap_boxes(in, n, logits1, ctx.id) : std::vector<OverlapBox>{};
    for (int net : {1, 2}) {
      // With CutMix the students saw mixed crops, so the teachers' view of A
      // is the separate unmixed pass; otherwise it is the students' output.
      const at::Tensor teacher_a = in.has(forward_packet::logits_a(net))
                                       ? in.get<at::Tensor>(forward_packet::logits_a(net))
                                       : in.get<at::Tensor>(forward_packet::logits(net)).slice(0, n.labeled).detach();
      at::Tensor fix = fixed_pseudo_label(teacher_a);
      at::Tensor dyn = fix;
      if (dynamic_)
        dyn = dynamic_pseudo_label(teacher_a, in.get<at::Tensor>(forward_packet::logits_b(net)), boxes, combine_);
      if (in.has(forward_packet::kCutmixMask)) {
        const at::Tensor& mask = in.get<at::Tensor>(forward_packet::kCutmixMask);
        const at::Tensor& perm = in.get<at::Tensor>(forward_packet::kCutmixPerm);
        fix = mix_labels(fix, mask, perm);
        dyn = dynamic_ ? mix_labels(dyn, mask, perm) : fix;
      }
      out.set(pseudo_packet::fixed_from(net), fix);
      out.set(pseudo_packet::dynamic_from(net), dyn);
    }
    io.emit("out", std::move(out));
  }

 private:
  // One overlap per unlabelled sample, as the crop node cut it (meta
  // "overlaps", carried by data.collate); the patch must be the logits'
  // spatial size.
  static std::vector<OverlapBox> overlap_boxes(const Packet& in, const BatchCounts& n, const at::Tensor& logits,
                                               const std::string& id) {
    const Index3 patch{logits.size(2), logits.size(3), logits.size(4)};
    if (in.meta.contains(batch_packet::kMetaPatch)) {
      const auto given = in.meta[batch_packet::kMetaPatch].get<std::vector<int64_t>>();
      if (given != std::vector<int64_t>(patch.begin(), patch.end()))
        throw RunError("node '" + id + "': meta patch " + in.meta[batch_packet::kMetaPatch].dump() +
                       " is not the logits' spatial size");
    }
    const nlohmann::json& overlaps = in.meta.value(batch_packet::kMetaOverlaps, nlohmann::json::array());
    if (!overlaps.is_array() || static_cast<int64_t>(overlaps.size()) != n.unlabeled)
      throw RunError("node '" + id + "': meta overlaps must hold one overlap per unlabelled sample (" +
                     std::to_string(n.unlabeled) + "), got " + overlaps.dump());
    std::vector<OverlapBox> boxes(overlaps.size());
    for (size_t i = 0; i < overlaps.size(); ++i)
      overlap_from_json(overlaps[i], patch, &boxes[i].a, &boxes[i].b,
                        "node '" + id + "': overlap of unlabelled sample " + std::to_string(i));
    return boxes;
  }

  Combine combine_ = Combine::mean;
  bool dynamic_ = true;
};

std::unique_ptr<Node> make_pseudo_labels(const NodeContext&) { return std::make_unique<PseudoLabels>(); }

}  // namespace

void register_pseudo_labels(Registry& r) { r.add_node(pseudo_labels_schema(), &make_pseudo_labels); }

}  // namespace flowrun
