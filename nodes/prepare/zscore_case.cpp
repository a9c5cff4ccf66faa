// prepare.zscore: the last intensity step of every recipe, so networks see
// unit-variance inputs whatever the scanner. BraTS takes the statistics over
// brain voxels only: the zero background would otherwise dominate them.
#include "core/registry.h"
#include "lib/ops/normalize.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"

namespace flowrun {
namespace {

class ZscoreCase : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    const std::string over = ctx.params["over"];
    const bool zero_outside = ctx.params["zero_outside"];
    if (over == "all") {
      for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(zscore(*ch, c.id));
    } else if (over == "nonzero") {
      for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(zscore_nonzero(*ch, zero_outside, c.id));
    } else {
      // "brain": one mask for all channels, so every modality is normalised
      // over the same voxels even where one of them happens to read 0.
      LabelVolume mask(c.channels[0]->size, 0);
      for (auto& ch : c.channels)
        for (size_t i = 0; i < mask.data.size(); ++i) mask.data[i] |= ch->data[i] != 0.0f;
      for (auto& ch : c.channels) ch = std::make_shared<ImageVolume>(zscore_masked(*ch, mask, zero_outside, c.id));
    }
    c.log.push_back({{"step", "zscore"}, {"over", over}, {"zero_outside", zero_outside}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_zscore(Registry& r) {
  NodeSchema s;
  s.type = "prepare.zscore";
  s.doc = "z-scores each channel over all voxels, its nonzero voxels, or the brain (nonzero in any channel)";
  s.inputs = {{"in", kCasePort, ""}};
  s.outputs = {{"out", kCasePort, ""}};
  s.params = {ParamSpec::choice("over", "all", {"all", "nonzero", "brain"}, "voxels the mean and std are taken over"),
              ParamSpec::boolean("zero_outside", true, "with nonzero/brain: voxels outside become 0 (else get the same transform)")};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<ZscoreCase>(); });
}

}  // namespace flowrun
