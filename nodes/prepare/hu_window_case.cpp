// prepare.hu_window: CT soft-tissue window (Pancreas: [-120, 240] HU), so air
// and bone do not dominate the later z-score.
#include "core/registry.h"
#include "lib/ops/normalize.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"

namespace flowrun {
namespace {

class HuWindowCase : public Node {
 public:
  void open(NodeContext& ctx) override {
    if (ctx.params["lower"].get<double>() >= ctx.params["upper"].get<double>())
      throw InputError("node '" + ctx.id + "': lower must be below upper");
  }
  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    const float lo = ctx.params["lower"].get<float>(), hi = ctx.params["upper"].get<float>();
    const bool rescale = ctx.params["rescale"];
    for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(hu_window(*ch, lo, hi, rescale, c.id));
    c.log.push_back({{"step", "hu_window"}, {"window", {lo, hi}}, {"rescale", rescale}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_hu_window(Registry& r) {
  NodeSchema s;
  s.type = "prepare.hu_window";
  s.doc = "clips every channel to [lower, upper] (HU) and optionally rescales it to [0, 1]";
  s.inputs = {{"in", kCasePort, ""}};
  s.outputs = {{"out", kCasePort, ""}};
  s.params = {ParamSpec::real("lower", -120.0, "window floor"), ParamSpec::real("upper", 240.0, "window ceiling"),
              ParamSpec::boolean("rescale", true, "map [lower, upper] to [0, 1]")};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<HuWindowCase>(); });
}

}  // namespace flowrun
