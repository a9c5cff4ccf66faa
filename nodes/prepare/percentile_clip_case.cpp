// prepare.percentile_clip: clips each channel at intensity percentiles (BraTS:
// the 99.9th over brain voxels), taming the few hot voxels MRI scanners give.
#include "core/registry.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "lib/ops/normalize.h"

namespace flowrun {
namespace {

class PercentileClipCase : public Node {
 public:
  void open(NodeContext& ctx) override {
    if (ctx.params["lower"].get<double>() > ctx.params["upper"].get<double>())
      throw InputError("node '" + ctx.id + "': lower percentile above upper");
  }
  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    const double lo = ctx.params["lower"], hi = ctx.params["upper"];
    const bool nz = ctx.params["nonzero_only"];
    for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(percentile_clip(*ch, lo, hi, nz, c.id));
    c.log.push_back({{"step", "percentile_clip"}, {"percentiles", {lo, hi}}, {"nonzero_only", nz}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_percentile_clip(Registry& r) {
  NodeSchema s;
  s.type = "prepare.percentile_clip";
  s.doc = "clips each channel to its [lower, upper] percentiles (numpy linear); nonzero_only keeps zero voxels at 0";
  s.inputs = {{"in", kCasePort, ""}};
  s.outputs = {{"out", kCasePort, ""}};
  s.params = {ParamSpec::real("lower", 0.0, "lower percentile", 0, 100),
              ParamSpec::real("upper", 99.9, "upper percentile", 0, 100),
              ParamSpec::boolean("nonzero_only", true, "percentiles over nonzero voxels, which alone are clipped")};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<PercentileClipCase>(); });
}

}  // namespace flowrun
