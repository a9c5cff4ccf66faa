// data.random_crop: the lineage RandomCrop - zero padding when the volume is
// not larger than the patch, then one uniform patch, the same box for every
// channel and the label.
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "nodes/crop_common.h"
#include "lib/ops/random_crop.h"
#include "nodes/samples_io.h"

namespace flowrun {
namespace {

class RandomCropNode : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const Index3 patch = index3_param(ctx, "patch");
    const bool pad = ctx.params["pad"];
    Rng rng = ctx.rng(io.id());
    map_samples(io, [&](const Sample& s) {
      if (!s.channels_b.empty()) throw RunError("case '" + s.id + "': the sample is already shift-cropped");
      const PaddedView v(s, patch, pad);
      Sample t = sample_without_voxels(s);
      crop_a(v, draw_crop_origin(rng, v.size, patch, s.id), patch, &t);
      return t;
    });
  }
};

}  // namespace

void register_random_crop(Registry& r) {
  NodeSchema s;
  s.type = "data.random_crop";
  s.doc = "lineage RandomCrop: zero-pad axes not larger than the patch by (P - s) // 2 + 3, then a uniform patch";
  s.inputs = {{"in", "samples", ""}};
  s.outputs = {{"out", "samples", "patch-sized samples, origin_a set"}};
  s.params = {
      patch_param_spec(),
      pad_param_spec(),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<RandomCropNode>(); });
}

}  // namespace flowrun
