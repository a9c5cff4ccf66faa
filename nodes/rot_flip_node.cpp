// data.rot_flip: the lineage RandomRotFlip (rot90 in x-y, then one flip) on
// every channel and the label of each sample, one draw per sample in sample
// order from the batch's stream so the result is independent of threading.
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/ops/rot_flip.h"
#include "nodes/samples_io.h"

namespace flowrun {
namespace {

class RotFlipNode : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    if (!ctx.params["enabled"].get<bool>()) {
      io.forward("in", "out");
      return;
    }
    const bool only_labeled = ctx.params["only_labeled"];
    Rng rng = ctx.rng(io.id());
    map_samples(io, [&](const Sample& s) {
      // Drawn for every sample, so only_labeled does not change which
      // transform a labelled sample gets.
      const RotFlip rf = draw_rot_flip(rng);
      if (!s.channels_b.empty())
        throw RunError("case '" + s.id + "': data.rot_flip must come before the shift crop (the sample has a crop B)");
      if (only_labeled && !s.labeled) return s;
      Sample t = sample_without_voxels(s);
      for (const auto& ch : s.channels) t.channels.push_back(apply_rot_flip(ch, rf));
      if (s.label) t.label = apply_rot_flip(*s.label, rf);
      return t;
    });
  }
};

}  // namespace

void register_rot_flip(Registry& r) {
  NodeSchema s;
  s.type = "data.rot_flip";
  s.doc = "lineage RandomRotFlip: rot90 k in 0..3 in the x-y plane, then a flip along x or y, per sample";
  s.inputs = {{"in", "samples", ""}};
  s.outputs = {{"out", "samples", "rotated and flipped samples (same order)"}};
  s.params = {
      ParamSpec::boolean("enabled", true, "false passes the samples through unchanged"),
      ParamSpec::boolean("only_labeled", false, "transform only labelled samples"),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<RotFlipNode>(); });
}

}  // namespace flowrun
