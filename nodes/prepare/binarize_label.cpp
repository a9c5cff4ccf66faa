// prepare.binarize_label: one foreground class, as the method trains binary
// segmentation (BraTS whole tumour = label > 0; LA endocardium = 255).
#include "core/registry.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "nodes/prepare/prepare_ops.h"

namespace flowrun {
namespace {

class BinarizeLabel : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    PrepCase c = input_case(io);
    const std::vector<int64_t> fg = ctx.params["foreground"];
    c.label = std::make_shared<LabelVolume>(binarize(require_label(c, "binarize_label"), fg));
    c.log.push_back({{"step", "binarize_label"}, {"foreground", fg.empty() ? nlohmann::json("> 0") : nlohmann::json(fg)}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_binarize_label(Registry& r) {
  NodeSchema s;
  s.type = "prepare.binarize_label";
  s.doc = "label -> 1 where it holds a foreground value, else 0";
  s.inputs = {{"in", kCasePort, "needs a label"}};
  s.outputs = {{"out", kCasePort, ""}};
  s.params = {ParamSpec::int_list("foreground", {}, "label values that become 1; empty = every value > 0")};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<BinarizeLabel>(); });
}

}  // namespace flowrun
