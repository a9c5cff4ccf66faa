// data.shift_crop: the DPLG crop pair (docs/method.md, section 2). Crop A at a
// random origin, crop B of the same padded volume at A's origin plus a
// clamped shift in [-sigma, sigma]^3, and the overlap boxes where A and B hold
// the same voxels. Samples it does not shift get a plain random crop A.
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "nodes/crop_common.h"
#include "lib/ops/random_crop.h"
#include "lib/ops/shift_crop.h"
#include "nodes/samples_io.h"

namespace flowrun {
namespace {

class ShiftCropNode : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const Index3 patch = index3_param(ctx, "patch");
    const int64_t sigma = ctx.params["sigma"];
    const bool all = ctx.params["apply_to"] == "all";
    const bool pad = ctx.params["pad"];
    Rng rng = ctx.rng(io.id());
    map_samples(io, [&](const Sample& s) {
      if (!s.channels_b.empty()) throw RunError("case '" + s.id + "': the sample is already shift-cropped");
      const PaddedView v(s, patch, pad);
      Sample t = sample_without_voxels(s);
      if (all || !s.labeled) {
        const ShiftCropPlan plan = draw_shift_crop(rng, v.size, patch, sigma, s.id);
        crop_a(v, plan.origin_a, patch, &t);
        t.channels_b = crop_channels(*v.channels, box_at(plan.origin_b, patch), s.id);
        t.shift = plan.shift;
        t.overlap_a = plan.overlap_a;
        t.overlap_b = plan.overlap_b;
      } else {
        crop_a(v, draw_crop_origin(rng, v.size, patch, s.id), patch, &t);
        t.shift = {0, 0, 0};
        t.overlap_a = t.overlap_b = Box{};
      }
      return t;
    });
  }
};

}  // namespace

void register_shift_crop(Registry& r) {
  NodeSchema s;
  s.type = "data.shift_crop";
  s.doc = "DPLG crop pair: crop A, crop B at A's origin + a shift in [-sigma, sigma]^3, and their overlap boxes";
  s.inputs = {{"in", "samples", ""}};
  s.outputs = {{"out", "samples", "crop A in channels/label; channels_b, shift, overlap boxes for shifted samples"}};
  s.params = {
      patch_param_spec(),
      ParamSpec::integer("sigma", 5, "largest shift per axis, in voxels", 0),
      ParamSpec::choice("apply_to", "unlabeled", {"unlabeled", "all"},
                        "which samples get crop B; the others get a plain random crop A"),
      pad_param_spec(),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<ShiftCropNode>(); });
}

}  // namespace flowrun
