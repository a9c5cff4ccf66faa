// prepare.resample: brings a case to one voxel spacing (Pancreas-CT: 1 mm
// isotropic), images by B-spline, the label by nearest neighbour so no new
// label values appear.
#include "core/registry.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "lib/volume/resample.h"

namespace flowrun {
namespace {

class ResampleCase : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    const auto spacing = ctx.params["spacing"].get<std::array<double, 3>>();
    const int order = ctx.params["order"];
    for (auto& ch : c.channels) {
      if (!ch->geometry.spacing_known)
        throw InputError(case_where(c.id) + "cannot resample: the image file carries no spacing");
      ch = std::make_shared<ImageVolume>(resample_image(*ch, spacing, order));
    }
    if (c.label) c.label = std::make_shared<LabelVolume>(resample_label(*c.label, spacing));
    c.log.push_back({{"step", "resample"}, {"spacing", spacing}, {"order", order}, {"size", c.channels[0]->size}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_resample(Registry& r) {
  NodeSchema s;
  s.type = "prepare.resample";
  s.doc = "resamples every channel (B-spline) and the label (nearest) to a new voxel spacing";
  s.inputs = {{"in", kCasePort, ""}};
  s.outputs = {{"out", kCasePort, ""}};
  auto sp = ParamSpec::float_list("spacing", {1.0, 1.0, 1.0}, "target spacing (x, y, z) in mm", 3);
  sp.min = 1e-3;
  s.params = {sp, ParamSpec::integer("order", 3, "image interpolation: 0 nearest, 1 linear, 2..5 B-spline", 0, 5)};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<ResampleCase>(); });
}

}  // namespace flowrun
