// prepare.crop_to_label: keeps the region around the labelled organ, so the
// training crops of a small organ in a large scan mostly see its surroundings.
// Two rules: "patch" (Pancreas: bbox plus margin, grown until every cropped
// side reaches the patch) and "lineage" (UA-MT's LA rule, random margins).
#include "core/registry.h"
#include "lib/ops/bounding_box.h"
#include "lib/ops/crop.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "nodes/prepare/prepare_ops.h"

namespace flowrun {
namespace {

class CropToLabel : public Node {
 public:
  void open(NodeContext& ctx) override {
    const std::string where = "node '" + ctx.id + "'";
    axes_ = parse_axes(ctx.params["axes"], where);
    patch_ = ctx.params["patch"].get<Index3>();
    margin_ = ctx.params["margin"].get<Index3>();
    jitter_ = ctx.params["jitter"].get<Index3>();
    rule_ = ctx.params["rule"];
    if (rule_ == "patch" && jitter_ != Index3{0, 0, 0})
      throw InputError(where + ": jitter is only used by rule \"lineage\"; set it to [0, 0, 0] for rule \"patch\"");
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    const LabelVolume& label = require_label(c, "crop_to_label");
    Box box;
    if (rule_ == "patch") {
      LabelCropOptions o;
      o.patch = patch_;
      o.margin = margin_;
      o.axes = axes_;
      box = label_crop_box(label, o, c.id);
    } else {
      // Drawn from the batch's stream, so a rerun crops every case the same way.
      Rng rng = ctx.rng(io.id());
      Index3 lo{0, 0, 0}, hi{0, 0, 0};
      for (int a = 0; a < 3; ++a) {
        if (jitter_[a] <= 0) continue;
        lo[a] = rng.uniform_int(0, jitter_[a] - 1);
        hi[a] = rng.uniform_int(0, jitter_[a] - 1);
      }
      box = lineage_crop_box(label, patch_, margin_, lo, hi, axes_, c.id);
    }
    for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(crop(*ch, box, c.id));
    c.label = std::make_shared<LabelVolume>(crop(label, box, c.id));
    c.log.push_back({{"step", "crop_to_label"}, {"rule", rule_}, {"box_lo", box.lo}, {"box_hi", box.hi},
                     {"size", c.label->size}});
    emit_case(io, std::move(c));
  }

 private:
  std::array<bool, 3> axes_{};
  Index3 patch_{}, margin_{}, jitter_{};
  std::string rule_;
};

}  // namespace

void register_prepare_crop_to_label(Registry& r) {
  NodeSchema s;
  s.type = "prepare.crop_to_label";
  s.doc = "crops the case around the label's foreground (rule patch: Pancreas; rule lineage: UA-MT's LA crop)";
  s.inputs = {{"in", kCasePort, "needs a label"}};
  s.outputs = {{"out", kCasePort, ""}};
  s.params = {
      ParamSpec::choice("rule", "patch", {"patch", "lineage"},
                        "patch: bbox + margin grown to reach the patch, slid inside; lineage: bbox + margin + jitter + "
                        "half the patch deficit per side, clipped"),
      ParamSpec::int_list("patch", {96, 96, 96}, "training patch (x, y, z) the crop must reach", 3, 1, 1024),
      ParamSpec::int_list("margin", {25, 25, 0}, "voxels kept beyond the label on each side", 3, 0),
      ParamSpec::int_list("jitter", {0, 0, 0}, "lineage rule: a random 0..jitter-1 more voxels per side", 3, 0),
      ParamSpec::string("axes", "xy", "the axes cropped (letters x, y, z); the others stay whole"),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<CropToLabel>(); });
}

}  // namespace flowrun
