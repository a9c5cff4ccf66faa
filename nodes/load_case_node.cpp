// data.load_case: reads the cases of a batch (see load_case_node.h).
#include "nodes/load_case_node.h"

#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "nodes/samples_io.h"
#include "lib/volume/graph_dataset.h"

namespace flowrun {

void LoadCaseNode::open(NodeContext& ctx) {
  desc_ = graph_dataset(ctx);
  cache_ = std::make_unique<CaseCache>(static_cast<size_t>(ctx.params["cache_mb"].get<int64_t>()) << 20);
}

void LoadCaseNode::process(NodeContext&, BatchIO& io) {
  const Packet& in = io.input("in");
  const nlohmann::json& cases = in.meta.at("cases");
  const nlohmann::json& labeled = in.meta.at("labeled");
  if (!cases.is_array() || !labeled.is_array() || cases.size() != labeled.size())
    throw RunError("batch " + std::to_string(io.id()) + ": meta 'cases' and 'labeled' must be lists of one length");

  SampleList out;
  out.reserve(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    Sample s;
    s.id = cases[i].get<std::string>();
    s.labeled = labeled[i].get<bool>();
    // Labelled and unlabelled reads of one case differ (with / without the
    // label file), so they are cached apart.
    const std::string key = s.id + (s.labeled ? "\n+label" : "");
    const CasePtr c = cache_->get(key, [&] { return desc_->load_case(s.id, s.labeled); });
    s.channels = c->channels;
    if (s.labeled) s.label = c->label;
    out.push_back(std::move(s));
  }
  emit_samples(io, std::move(out));
}

void register_load_case(Registry& r) {
  NodeSchema s;
  s.type = "data.load_case";
  s.doc = "loads each case of the batch (all channels, the label when labelled) through a shared LRU cache";
  s.inputs = {{"in", "cases", "case ids and labeled flags"}};
  s.outputs = {{"out", "samples", "one sample per case, in the input's order"}};
  s.params = {
      ParamSpec::integer("cache_mb", 2048, "cache bound in MiB (LRU by bytes); 0 = no cache", 0, 1 << 24),
  };
  // The description must parse: the cases it reads are the sampler's to check.
  s.preflight = [](const NodeContext& ctx) { preflight_dataset(ctx); };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<LoadCaseNode>(); });
}

}  // namespace flowrun
