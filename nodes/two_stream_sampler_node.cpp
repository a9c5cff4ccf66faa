// data.two_stream_sampler: the source of a training graph. Reads the graph's
// dataset description once and emits, per batch, the case ids of the lineage
// two-stream sampler (labelled first), as a pure function of (seed, batch id,
// node id) so batches can be produced in any order on any thread. In a
// data-parallel run the stream is that of one process at world_size times the
// batch sizes, and rank r takes the r-th share of each part: the ranks' draws
// are disjoint and together are the single-process stream.
#include <optional>

#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/ops/two_stream_sampler.h"
#include "lib/volume/graph_dataset.h"

namespace flowrun {
namespace {

std::vector<int64_t> indices(size_t n) {
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int64_t>(i);
  return v;
}

// The labelled and unlabelled lists and the sampler over them; InputError
// for a missing split, a labelled subset larger than it, or batch sizes the
// lists cannot fill. `flowrun validate` runs it too (preflight).
struct SamplerSetup {
  std::vector<std::string> labeled, unlabeled, used;
  std::optional<TwoStreamSampler> sampler;
};

SamplerSetup sampler_setup(const NodeContext& ctx, const DatasetDescription& desc, int world_size = 1) {
  // The labelled-subset rule is "first N of the list"; applying it to
  // another split reuses the description's rule on that split's list.
  DatasetDescription d = desc;
  const std::string split = ctx.params["split"];
  d.splits["train"] = desc.split(split);
  std::optional<double> fraction;
  std::optional<int> count;
  if (!ctx.params["labeled_fraction"].is_null()) fraction = ctx.params["labeled_fraction"].get<double>();
  if (!ctx.params["labeled_count"].is_null()) count = ctx.params["labeled_count"].get<int>();
  SamplerSetup s;
  s.labeled = d.labeled_ids(fraction, count);
  s.unlabeled = d.unlabeled_ids(fraction, count);

  TwoStreamOptions o;
  o.labeled_batch = ctx.params["labeled_batch"].get<int64_t>() * world_size;
  o.unlabeled_batch = ctx.params["unlabeled_batch"].get<int64_t>() * world_size;
  o.seed = ctx.seed();
  o.node_id = ctx.id;
  o.unlabeled_stream =
      ctx.params["unlabeled_stream"] == "per_epoch" ? UnlabeledStream::per_epoch : UnlabeledStream::endless;
  s.sampler.emplace(indices(s.labeled.size()), indices(s.unlabeled.size()), o);

  s.used = s.labeled;
  if (o.unlabeled_batch > 0) s.used.insert(s.used.end(), s.unlabeled.begin(), s.unlabeled.end());
  return s;
}

void preflight_sampler(const NodeContext& ctx) {
  const std::optional<DatasetDescription> desc = preflight_dataset(ctx);
  if (!desc) return;
  const SamplerSetup s = sampler_setup(ctx, *desc);
  if (ctx.check_files) desc->check_cases(s.used);
}

class TwoStreamSamplerNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    const DatasetDescription desc = graph_dataset(ctx);
    world_ = ctx.dist.world_size;
    rank_ = ctx.dist.rank;
    SamplerSetup s;
    try {
      s = sampler_setup(ctx, desc, world_);
    } catch (const InputError& e) {
      if (world_ == 1) throw;
      throw InputError(std::string(e.what()) + " (a data-parallel run of " + std::to_string(world_) +
                       " workers draws world_size x labeled_batch and x unlabeled_batch per iteration)");
    }
    desc.check_cases(s.used);
    labeled_ = std::move(s.labeled);
    unlabeled_ = std::move(s.unlabeled);
    sampler_ = std::move(s.sampler);
  }

  void process(NodeContext&, BatchIO& io) override {
    const std::vector<int64_t> picks = sampler_->batch(io.id());
    const int64_t nl = sampler_->options().labeled_batch, nu = sampler_->options().unlabeled_batch;
    // This rank's share: [r * nl / W, (r + 1) * nl / W) of the labelled part, the same of the unlabelled.
    const int64_t l0 = rank_ * nl / world_, l1 = (rank_ + 1) * nl / world_;
    const int64_t u0 = nl + rank_ * nu / world_, u1 = nl + (rank_ + 1) * nu / world_;
    Packet p;
    p.meta["cases"] = nlohmann::json::array();
    p.meta["labeled"] = nlohmann::json::array();
    for (int64_t i = 0; i < static_cast<int64_t>(picks.size()); ++i) {
      const bool lab = i < nl;
      if (!(lab ? (i >= l0 && i < l1) : (i >= u0 && i < u1))) continue;
      const auto& ids = lab ? labeled_ : unlabeled_;
      p.meta["cases"].push_back(ids[static_cast<size_t>(picks[static_cast<size_t>(i)])]);
      p.meta["labeled"].push_back(lab);
    }
    io.emit("out", std::move(p));
  }

 private:
  std::vector<std::string> labeled_, unlabeled_;
  std::optional<TwoStreamSampler> sampler_;
  int world_ = 1, rank_ = 0;
};

}  // namespace

void register_two_stream_sampler(Registry& r) {
  NodeSchema s;
  s.type = "data.two_stream_sampler";
  s.doc = "per batch, labelled then unlabelled case ids of the graph's dataset (lineage TwoStreamBatchSampler)";
  s.outputs = {{"out", "cases", "meta cases (labelled first) and labeled flags"}};
  s.params = {
      ParamSpec::string("split", "train", "split of the dataset description to sample from"),
      ParamSpec::integer("labeled_batch", 2, "labelled cases per batch", 0, 1024),
      ParamSpec::integer("unlabeled_batch", 2, "unlabelled cases per batch; 0 = supervised only", 0, 1024),
      ParamSpec::real("labeled_fraction", 0, "labelled subset = first round(f * n) of the split; "
                      "null = the description's default", 0, 1).optional_value(),
      ParamSpec::integer("labeled_count", 0, "labelled subset = first N of the split; "
                         "null = the description's default", 1, 1e9).optional_value(),
      ParamSpec::choice("unlabeled_stream", "endless", {"endless", "per_epoch"},
                        "endless: one stream of fresh permutations for the run; per_epoch: restarted each "
                        "labelled epoch (lineage)"),
  };
  s.preflight = &preflight_sampler;
  r.add_node(s, [](const NodeContext&) { return std::make_unique<TwoStreamSamplerNode>(); });
}

}  // namespace flowrun
