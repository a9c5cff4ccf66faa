// data.normalize: per-case intensity normalisation of every image channel.
// LA ships z-scored, so the default is "none"; Pancreas uses the soft-tissue
// HU window. Data-dependent modes must run before the shift crop: normalising
// A and B with their own statistics would break their voxel correspondence.
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/ops/normalize.h"
#include "nodes/samples_io.h"

namespace flowrun {
namespace {

class NormalizeNode : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const std::string mode = ctx.params["mode"];
    if (mode == "none") {
      io.forward("in", "out");
      return;
    }
    const auto window = ctx.params["window"].get<std::vector<double>>();
    const bool rescale = ctx.params["rescale"];
    auto apply = [&](const ImageVolume& v, const std::string& id) {
      if (mode == "zscore") return zscore(v, id);
      if (mode == "minmax") return minmax(v, id);
      return hu_window(v, static_cast<float>(window[0]), static_cast<float>(window[1]), rescale, id);
    };
    map_samples(io, [&](const Sample& s) {
      if (!s.channels_b.empty() && mode != "hu_window")
        throw RunError("case '" + s.id + "': data.normalize mode '" + mode +
                       "' must come before the shift crop (crops A and B would get different statistics)");
      Sample t = sample_without_voxels(s);
      t.label = s.label;
      for (const auto& ch : s.channels) t.channels.push_back(apply(ch, s.id));
      for (const auto& ch : s.channels_b) t.channels_b.push_back(apply(ch, s.id));
      return t;
    });
  }
};

}  // namespace

void register_normalize(Registry& r) {
  NodeSchema s;
  s.type = "data.normalize";
  s.doc = "intensity normalisation per case and channel: none | zscore | minmax | hu_window";
  s.inputs = {{"in", "samples", ""}};
  s.outputs = {{"out", "samples", "normalised samples (labels untouched)"}};
  s.params = {
      ParamSpec::choice("mode", "none", {"none", "zscore", "minmax", "hu_window"},
                        "none (LA is pre-normalised) | zscore | minmax | hu_window (clip to window)"),
      ParamSpec::float_list("window", {-120.0, 240.0}, "hu_window: [lo, hi] in HU", 2),
      ParamSpec::boolean("rescale", true, "hu_window: rescale the window to [0, 1]"),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<NormalizeNode>(); });
}

}  // namespace flowrun
