// eval.evaluate and eval.infer: one-batch nodes that load a checkpoint into
// the graph's model resources and score a split (eval.evaluate) or segment
// one volume (eval.infer). `flowrun eval` and `flowrun infer` run them. Also
// the option and model helpers every eval node shares (their schemas and
// preflights are in eval_schemas.cpp).
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>

#include "core/error.h"
#include "lib/volume/volume_io.h"
#include "lib/torch/checkpoint.h"
#include "plugins/eval/eval_nodes.h"

namespace fs = std::filesystem;

namespace flowrun {

EvalOptions eval_options(const nlohmann::json& params) {
  EvalOptions o;
  const auto patch = params.at("patch").get<std::vector<int64_t>>();
  const auto stride = params.at("stride").get<std::vector<int64_t>>();
  for (int a = 0; a < 3; ++a) {
    o.window.patch[a] = patch.at(a);
    o.window.stride[a] = stride.at(a);
  }
  o.window.window_batch = params.at("window_batch").get<int64_t>();
  o.lcc = params.at("lcc").get<bool>();
  o.normalize = params.at("normalize").get<std::string>();
  const auto window = params.at("window").get<std::vector<double>>();
  o.hu_window = {static_cast<float>(window.at(0)), static_cast<float>(window.at(1))};
  o.rescale = params.at("rescale").get<bool>();
  o.label = params.at("label").get<int>();
  if (params.contains("voxel_metrics")) {
    const nlohmann::json& v = params.at("voxel_metrics");
    o.voxel_metrics = v.is_null() ? std::nullopt : std::optional<bool>(v.get<bool>());
  }
  return o;
}

std::vector<std::shared_ptr<SegmentationModel>> selected_models(const NodeContext& ctx,
                                                                 std::vector<std::string>* names) {
  const std::vector<std::string> pick = selected_names(ctx);
  std::vector<std::shared_ptr<SegmentationModel>> models;
  for (auto& n : pick) models.push_back(ctx.resource<SegmentationModel>(n));
  if (names) *names = pick;
  return models;
}

std::vector<SegmentationModel*> raw(const std::vector<std::shared_ptr<SegmentationModel>>& models) {
  std::vector<SegmentationModel*> r;
  for (auto& m : models) r.push_back(m.get());
  return r;
}

namespace {

// Loads the selected networks' weights; the checkpoint's own architecture
// check names the resource and keys when they do not match.
nlohmann::json load_weights(const NodeContext& ctx, const std::vector<std::shared_ptr<SegmentationModel>>& models,
                            const std::vector<std::string>& names, std::string* file) {
  *file = checkpoint_file(ctx);
  std::map<std::string, SegmentationModel*> by_name;
  for (size_t i = 0; i < models.size(); ++i) by_name[names[i]] = models[i].get();
  return load_checkpoint(*file, by_name, nullptr);
}

// How the evaluated weights were chosen: best.pt by its validation metric (and
// on which split), anything else as the weights of one iteration.
nlohmann::json selection_of(const std::string& checkpoint, const nlohmann::json& meta) {
  const bool best = fs::path(checkpoint).filename() == "best.pt";
  if (best && meta.contains("best")) {
    nlohmann::json s = meta["best"];
    s["rule"] = "best validation " + s.value("metric", std::string("?"));
    s["on_test_split"] = s.value("split", std::string()) == "test";
    return s;
  }
  return {{"rule", "the weights after iteration " + meta.value("iteration", nlohmann::json()).dump()}};
}

class EvaluateNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    const std::string where = "node '" + ctx.id + "'";
    models_ = selected_models(ctx, &names_);
    meta_ = load_weights(ctx, models_, names_, &checkpoint_);
    options_ = eval_options(ctx.params);
    dataset_ = graph_dataset(ctx);
    split_ = ctx.params.at("split").get<std::string>();
    ids_ = cases_to_score(ctx, dataset_);
    check_models(raw(models_), options_, static_cast<int64_t>(dataset_.channels.size()), where);
    dataset_.check_cases(ids_);
  }

  void process(NodeContext& ctx, BatchIO&) override {
    if (ctx.dist.rank != 0) return;  // data-parallel: rank 0 scores, the others have nothing to add
    EvalOptions o = options_;
    if (ctx.params.at("save_predictions").get<bool>() && !ctx.out_dir.empty())
      o.save_dir = (fs::path(ctx.out_dir) / "predictions").string();
    EvalResult r = evaluate_cases(dataset_, ids_, raw(models_), o, [&](const CaseResult& c, size_t i, size_t n) {
      std::cerr << "flowrun: case " << i + 1 << "/" << n << " " << c.id << ": Dice " << std::fixed
                << std::setprecision(4) << c.metrics.dice << ", " << std::setprecision(1) << c.seconds << " s"
                << (c.metrics.empty ? " (empty)" : "") << "\n";
    });
    r.split = split_;
    if (ctx.out_dir.empty()) return;
    nlohmann::json summary = {{split_, result_json(r)},
                              {"split", split_},
                              {"checkpoint", checkpoint_},
                              {"iteration", meta_.value("iteration", nlohmann::json())},
                              {"selection", selection_of(checkpoint_, meta_)},
                              {"network", ctx.params.at("network")},
                              {"nets", names_},
                              {"dataset", ctx.dataset},
                              {"patch", ctx.params.at("patch")},
                              {"stride", ctx.params.at("stride")},
                              {"lcc", ctx.params.at("lcc")}};
    write_json_file(summary, (fs::path(ctx.out_dir) / "summary.json").string());
    write_metrics_csv(r, (fs::path(ctx.out_dir) / (split_ + "_metrics.csv")).string());
  }

  std::optional<int64_t> stream_length(const NodeContext&) const override { return 1; }

 private:
  std::vector<std::shared_ptr<SegmentationModel>> models_;
  std::vector<std::string> names_, ids_;
  nlohmann::json meta_;
  std::string checkpoint_, split_;
  EvalOptions options_;
  DatasetDescription dataset_;
};

class InferNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    models_ = selected_models(ctx, &names_);
    std::string file;
    load_weights(ctx, models_, names_, &file);
    options_ = eval_options(ctx.params);
    inputs_ = ctx.params.at("input").get<std::vector<std::string>>();
    if (inputs_.empty()) throw InputError("node '" + ctx.id + "': no input volume");
    for (auto& in : inputs_) in = ctx.resolve_path(in);
    output_ = ctx.resolve_path(ctx.params.at("output").get<std::string>());
    check_models(raw(models_), options_, static_cast<int64_t>(inputs_.size()), "node '" + ctx.id + "'");
  }

  void process(NodeContext& ctx, BatchIO&) override {
    std::vector<ImageVolume> channels;
    for (auto& in : inputs_) channels.push_back(read_image(in, ReadOptions{"image", {}}));
    LabelVolume labels = segment_case(channels, raw(models_), options_);
    if (ctx.params.at("label").get<int>() != 0) labels = foreground(labels, ctx.params.at("label").get<int>());
    const fs::path out(output_);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    write_label(labels, output_);
    int64_t fg = 0;
    for (uint8_t v : labels.data) fg += v != 0;
    std::cerr << "flowrun: wrote " << output_ << " (" << shape_string(labels.size) << ", " << fg
              << " foreground voxels)\n";
  }

  std::optional<int64_t> stream_length(const NodeContext&) const override { return 1; }

 private:
  std::vector<std::shared_ptr<SegmentationModel>> models_;
  std::vector<std::string> names_, inputs_;
  std::string output_;
  EvalOptions options_;
};

std::unique_ptr<Node> make_evaluate_node(const NodeContext&) { return std::make_unique<EvaluateNode>(); }

std::unique_ptr<Node> make_infer_node(const NodeContext&) { return std::make_unique<InferNode>(); }

}  // namespace

void register_evaluate(Registry& r) { r.add_node(evaluate_node_schema(), &make_evaluate_node); }
void register_infer(Registry& r) { r.add_node(infer_node_schema(), &make_infer_node); }

}  // namespace flowrun
