// data.two_stream_sampler: the source of a training graph. Reads the graph's
// dataset description once and emits, per batch, the case ids of the lineage
// two-stream sampler (labelled first), as a pure function of (seed, batch id,
// node id) so batches can be produced in any order on any thread.
#include <optional>

#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/ops/two_stream_sampler.h"
#include "lib/volume/dataset.h"

namespace flowrun {
namespace {

std::vector<int64_t> indices(size_t n) {
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int64_t>(i);
  return v;
}

class TwoStreamSamplerNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    if (ctx.dataset.empty()) throw InputError("node '" + ctx.id + "' needs the graph's \"dataset\"");
    const std::string root = ctx.globals.value("dataset_root", std::string());
    const DatasetDescription desc = DatasetDescription::load(ctx.dataset, root);

    // The labelled-subset rule is "first N of the list"; applying it to
    // another split reuses the description's rule on that split's list.
    DatasetDescription d = desc;
    const std::string split = ctx.params["split"];
    d.splits["train"] = desc.split(split);
    std::optional<double> fraction;
    std::optional<int> count;
    if (!ctx.params["labeled_fraction"].is_null()) fraction = ctx.params["labeled_fraction"].get<double>();
    if (!ctx.params["labeled_count"].is_null()) count = ctx.params["labeled_count"].get<int>();
    labeled_ = d.labeled_ids(fraction, count);
    unlabeled_ = d.unlabeled_ids(fraction, count);

    TwoStreamOptions o;
    o.labeled_batch = ctx.params["labeled_batch"];
    o.unlabeled_batch = ctx.params["unlabeled_batch"];
    o.seed = ctx.seed();
    o.node_id = ctx.id;
    o.unlabeled_stream =
        ctx.params["unlabeled_stream"] == "per_epoch" ? UnlabeledStream::per_epoch : UnlabeledStream::endless;
    sampler_.emplace(indices(labeled_.size()), indices(unlabeled_.size()), o);

    std::vector<std::string> used = labeled_;
    if (o.unlabeled_batch > 0) used.insert(used.end(), unlabeled_.begin(), unlabeled_.end());
    desc.check_cases(used);
  }

  void process(NodeContext&, BatchIO& io) override {
    const std::vector<int64_t> picks = sampler_->batch(io.id());
    const int64_t nl = sampler_->options().labeled_batch;
    Packet p;
    p.meta["cases"] = nlohmann::json::array();
    p.meta["labeled"] = nlohmann::json::array();
    for (size_t i = 0; i < picks.size(); ++i) {
      const bool lab = static_cast<int64_t>(i) < nl;
      const auto& ids = lab ? labeled_ : unlabeled_;
      p.meta["cases"].push_back(ids[static_cast<size_t>(picks[i])]);
      p.meta["labeled"].push_back(lab);
    }
    io.emit("out", std::move(p));
  }

 private:
  std::vector<std::string> labeled_, unlabeled_;
  std::optional<TwoStreamSampler> sampler_;
};

}  // namespace

void register_two_stream_sampler(Registry& r) {
  NodeSchema s;
  s.type = "data.two_stream_sampler";
  s.doc = "per batch, labelled then unlabelled case ids of the graph's dataset (lineage TwoStreamBatchSampler)";
  s.outputs = {{"out", "cases", "meta cases (labelled first) and labeled flags"}};
  s.params = {
      ParamSpec::string("split", "train", "split of the dataset description to sample from"),
      ParamSpec::integer("labeled_batch", 2, "labelled cases per batch", 0),
      ParamSpec::integer("unlabeled_batch", 2, "unlabelled cases per batch; 0 = supervised only", 0),
      ParamSpec::real("labeled_fraction", 0, "labelled subset = first round(f * n) of the split; "
                      "null = the description's default", 0, 1).optional_value(),
      ParamSpec::integer("labeled_count", 0, "labelled subset = first N of the split; "
                         "null = the description's default", 1).optional_value(),
      ParamSpec::choice("unlabeled_stream", "endless", {"endless", "per_epoch"},
                        "endless: one stream of fresh permutations for the run; per_epoch: restarted each "
                        "labelled epoch (lineage)"),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<TwoStreamSamplerNode>(); });
}

}  // namespace flowrun
