// eval.evaluate and eval.infer: one-batch nodes that load a checkpoint into
// the graph's model resources and score a split (eval.evaluate) or segment
// one volume (eval.infer). `flowrun eval` and `flowrun infer` run them. Also
// the parameter and model helpers every eval node shares.
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

void add_inference_params(ParamSchema& p) {
  p.push_back(ParamSpec::resource_list("nets", {"net1", "net2"}, "the two model resources (net1, net2)"));
  p.push_back(ParamSpec::choice("network", "net1", {"net1", "net2", "ensemble"},
                                "which network segments; ensemble = mean of both softmax maps"));
  p.push_back(ParamSpec::int_list("patch", {112, 112, 80}, "sliding-window patch (x, y, z)", 3, 1, 1024));
  p.push_back(ParamSpec::int_list("stride", {18, 18, 4}, "sliding-window stride (x, y, z)", 3, 1, 1024));
  p.push_back(ParamSpec::integer("window_batch", 4, "windows per forward call (results do not depend on it)", 1, 256));
  p.push_back(ParamSpec::boolean("lcc", false, "keep only the largest connected component"));
  p.push_back(ParamSpec::choice("normalize", "none", {"none", "zscore", "zscore_nonzero", "minmax", "hu_window"},
                                "intensity normalisation per channel; must match the training graph's "
                                "data.normalize (the shipped datasets are normalised on disk: none)"));
  p.push_back(ParamSpec::float_list("window", {-120.0, 240.0}, "hu_window: [lo, hi]", 2));
  p.push_back(ParamSpec::boolean("rescale", true, "hu_window: rescale the window to [0, 1]"));
  p.push_back(ParamSpec::integer("label", 0, "foreground class; 0 = every non-zero class", 0, 255));
}

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
  if (params.contains("voxel_metrics")) o.voxel_metrics = params.at("voxel_metrics").get<bool>();
  return o;
}

std::vector<std::string> selected_names(const NodeContext& ctx) {
  const auto nets = ctx.params.at("nets").get<std::vector<std::string>>();
  const std::string network = ctx.params.at("network").get<std::string>();
  std::vector<std::string> pick;
  const size_t need = network == "net1" ? 1 : 2;
  if (nets.size() < need)
    throw InputError("node '" + ctx.id + "': network '" + network + "' needs " + std::to_string(need) +
                     " entries in nets, got " + std::to_string(nets.size()));
  if (network == "net1") pick = {nets[0]};
  else if (network == "net2") pick = {nets[1]};
  else pick = {nets[0], nets[1]};
  return pick;
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

void add_checkpoint_params(ParamSchema& p) {
  p.push_back(ParamSpec::string("checkpoint", "", "a run folder or a .pt checkpoint file").require());
  p.push_back(ParamSpec::choice("which", "best", {"best", "last"}, "for a run folder: checkpoints/<which>.pt"));
}

// The .pt file params.checkpoint and params.which name; InputError when
// there is none.
std::string checkpoint_file(const NodeContext& ctx) {
  return resolve_checkpoint(ctx.resolve_path(ctx.params.at("checkpoint").get<std::string>()),
                            ctx.params.at("which").get<std::string>());
}

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

// The cases eval.evaluate scores; InputError when the split is missing,
// empty or unlabelled.
std::vector<std::string> cases_to_score(const NodeContext& ctx, const DatasetDescription& dataset) {
  const std::string where = "node '" + ctx.id + "'";
  const std::string split = ctx.params.at("split").get<std::string>();
  std::vector<std::string> ids = dataset.split(split);
  const int64_t max_cases = ctx.params.at("max_cases").get<int64_t>();
  if (max_cases > 0 && static_cast<int64_t>(ids.size()) > max_cases) ids.resize(max_cases);
  if (ids.empty()) throw InputError(where + ": " + dataset.where() + "split '" + split + "' lists no case");
  if (!dataset.has_labels()) throw InputError(where + ": " + dataset.where() + "the dataset has no labels");
  return ids;
}

void preflight_evaluate(const NodeContext& ctx) {
  selected_names(ctx);
  checkpoint_file(ctx);
  const std::optional<DatasetDescription> dataset = preflight_dataset(ctx);
  if (!dataset) return;
  const std::vector<std::string> ids = cases_to_score(ctx, *dataset);
  if (ctx.check_files) dataset->check_cases(ids);
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

void preflight_infer(const NodeContext& ctx) {
  selected_names(ctx);
  checkpoint_file(ctx);
  const auto inputs = ctx.params.at("input").get<std::vector<std::string>>();
  if (inputs.empty()) throw InputError("node '" + ctx.id + "': no input volume");
  std::error_code ec;
  for (auto& in : inputs) {
    const std::string file = parse_volume_path(ctx.resolve_path(in)).file;
    if (ctx.check_files && !fs::is_regular_file(file, ec))
      throw InputError("node '" + ctx.id + "': input volume '" + file + "' not found");
  }
}

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

NodeSchema evaluate_node_schema() {
  NodeSchema s;
  s.type = "eval.evaluate";
  s.doc = "loads a checkpoint into the model resources and scores a split: OUT/summary.json, OUT/<split>_metrics.csv";
  s.serial = true;
  add_checkpoint_params(s.params);
  add_inference_params(s.params);
  s.params.push_back(ParamSpec::string("split", "test", "split to score"));
  s.params.push_back(ParamSpec::integer("max_cases", 0, "score the first N cases; 0 = all", 0));
  s.params.push_back(ParamSpec::boolean("voxel_metrics", true,
                                        "HD95/ASD in voxels (the lineage's tables); false = units of the spacing"));
  s.params.push_back(ParamSpec::boolean("save_predictions", false, "write the masks to OUT/predictions/<case>.nii.gz"));
  s.preflight = &preflight_evaluate;
  return s;
}

std::unique_ptr<Node> make_evaluate_node(const NodeContext&) { return std::make_unique<EvaluateNode>(); }

NodeSchema infer_node_schema() {
  NodeSchema s;
  s.type = "eval.infer";
  s.doc = "loads a checkpoint into the model resources and segments one volume into a mask file";
  s.serial = true;
  add_checkpoint_params(s.params);
  add_inference_params(s.params);
  s.params.push_back(ParamSpec::string_list("input", {}, "image file(s), one per channel (file.h5:key for HDF5)").require());
  s.params.push_back(ParamSpec::string("output", "", "mask file to write (.nii.gz, .nrrd, .mha)").require());
  s.preflight = &preflight_infer;
  return s;
}

std::unique_ptr<Node> make_infer_node(const NodeContext&) { return std::make_unique<InferNode>(); }

}  // namespace

void register_evaluate(Registry& r) { r.add_node(evaluate_node_schema(), &make_evaluate_node); }
void register_infer(Registry& r) { r.add_node(infer_node_schema(), &make_infer_node); }

}  // namespace flowrun
