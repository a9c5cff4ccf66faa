// prepare.crop_to_foreground: crops BraTS volumes to the brain, the box of
// voxels nonzero in any channel, dropping the empty air around the skull.
#include "core/registry.h"
#include "lib/ops/bounding_box.h"
#include "lib/ops/crop.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "nodes/prepare/prepare_ops.h"

namespace flowrun {
namespace {

class CropToForeground : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    std::vector<const ImageVolume*> chans;
    for (auto& ch : c.channels) chans.push_back(ch.get());
    const std::optional<Box> fg = foreground_box(chans);
    if (!fg) throw InputError(case_where(c.id) + "every image voxel is 0; no foreground to crop to (" + c.image_files.at(0) + ")");
    const Box box = expand_box(*fg, ctx.params["margin"].get<Index3>(), c.channels[0]->size);
    for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(crop(*ch, box, c.id));
    if (c.label) c.label = std::make_shared<LabelVolume>(crop(*c.label, box, c.id));
    c.log.push_back({{"step", "crop_to_foreground"}, {"box_lo", box.lo}, {"box_hi", box.hi}, {"size", box.extent()}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_crop_to_foreground(Registry& r) {
  NodeSchema s;
  s.type = "prepare.crop_to_foreground";
  s.doc = "crops the case to the bounding box of voxels nonzero in any channel (BraTS: the brain)";
  s.inputs = {{"in", kCasePort, ""}};
  s.outputs = {{"out", kCasePort, ""}};
  s.params = {ParamSpec::int_list("margin", {0, 0, 0}, "voxels kept beyond the box on each side (clipped to the volume)", 3, 0)};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<CropToForeground>(); });
}

}  // namespace flowrun
