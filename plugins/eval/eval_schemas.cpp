// The eval plugin's contracts (eval.validate, eval.evaluate, eval.infer:
// parameters, agreements, preflights) and the parameter helpers they share,
// without torch headers: compiled into the plugin and into its contract
// library (libflowrun_eval.contract.so), so `flowrun validate` checks
// checkpoints, splits and files without loading LibTorch.
#include <filesystem>

#include "core/error.h"
#include "lib/eval/eval_choices.h"
#include "lib/volume/graph_dataset.h"
#include "lib/volume/volume_io.h"
#include "plugins/eval/eval_contracts.h"

namespace fs = std::filesystem;

namespace flowrun {

namespace {

// null (the default): mm when the cases' spacing is known and anisotropic
// (1.5 x 1.5 x 10 mm cardiac MRI: a voxel is not a distance there), voxels
// otherwise, as the lineage's isotropic tables.
ParamSpec voxel_metrics_param_spec() {
  return ParamSpec::boolean("voxel_metrics", true,
                            "HD95/ASD in voxels (true, the lineage's tables) or in the spacing's units (false); "
                            "null = mm when the cases' spacing is known and anisotropic (coarsest axis >= 3 x the finest), "
                            "voxels otherwise")
      .optional_value();
}

}  // namespace

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

void add_checkpoint_params(ParamSchema& p) {
  p.push_back(ParamSpec::string("checkpoint", "", "a run folder or a .pt checkpoint file").require());
  p.push_back(ParamSpec::choice("which", "best", {"best", "last"}, "for a run folder: checkpoints/<which>.pt"));
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

// The .pt file params.checkpoint and params.which name; InputError when
// there is none.
std::string checkpoint_file(const NodeContext& ctx) {
  return resolve_checkpoint(ctx.resolve_path(ctx.params.at("checkpoint").get<std::string>()),
                            ctx.params.at("which").get<std::string>());
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

ValidationCases validation_cases(const NodeContext& ctx, const DatasetDescription& dataset) {
  const std::string where = "node '" + ctx.id + "'";
  ValidationCases c;
  c.split = validation_split(dataset, ctx.params["split"].get<std::string>(), ctx.params["test_split"].get<std::string>(),
                             ctx.params["select_on_test"].get<bool>(), ctx.id);
  c.val_ids = dataset.split(c.split);
  const int64_t max_cases = ctx.params["max_cases"].get<int64_t>();
  if (max_cases > 0 && static_cast<int64_t>(c.val_ids.size()) > max_cases) c.val_ids.resize(max_cases);
  if (c.val_ids.empty())
    throw InputError(where + ": " + dataset.where() + "split '" + c.split + "' lists no case to validate on");
  if (ctx.params["test_at_end"].get<bool>()) {
    const std::string test = ctx.params["test_split"].get<std::string>();
    if (!dataset.has_split(test))
      throw InputError(where + ": " + dataset.where() + "no split '" + test +
                       "' to test on at the end (set test_at_end false or name another test_split)");
    c.test_ids = dataset.split(test);
    if (c.test_ids.empty())
      throw InputError(where + ": " + dataset.where() + "split '" + test + "' lists no case to test on at the end");
    c.test_split = test;
  }
  if (!dataset.has_labels()) throw InputError(where + ": " + dataset.where() + "the dataset has no labels");
  return c;
}

void preflight_validate(const NodeContext& ctx) {
  selected_names(ctx);
  const std::optional<DatasetDescription> dataset = preflight_dataset(ctx);
  if (!dataset) return;
  const ValidationCases c = validation_cases(ctx, *dataset);
  if (!ctx.check_files) return;
  dataset->check_cases(c.val_ids);
  dataset->check_cases(c.test_ids);
}

void preflight_evaluate(const NodeContext& ctx) {
  selected_names(ctx);
  checkpoint_file(ctx);
  const std::optional<DatasetDescription> dataset = preflight_dataset(ctx);
  if (!dataset) return;
  const std::vector<std::string> ids = cases_to_score(ctx, *dataset);
  if (ctx.check_files) dataset->check_cases(ids);
}

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

NodeSchema validate_node_schema() {
  NodeSchema s;
  s.type = "eval.validate";
  s.doc = "every N iterations: mean Dice on the val split into meta.val; at the end: test metrics, summary.json, "
          "test_metrics.csv (switches the nets to eval mode meanwhile, so no forward may run concurrently)";
  s.inputs = {{"in", "step", "the training step's packet"}};
  s.outputs = {{"out", "step", "the same packet, plus meta.val on validation iterations"}};
  s.serial = true;
  add_inference_params(s.params);
  s.params.push_back(ParamSpec::integer("every", 200, "validate after every N iterations (and at the last)", 1));
  s.params.push_back(ParamSpec::string("split", "val", "split to validate on (and to pick best.pt by)"));
  s.params.push_back(ParamSpec::boolean(
      "select_on_test", false,
      "allow validating on the test split (named, or when the dataset has no val split): best.pt is then chosen on "
      "the test cases and its test metrics are optimistic"));
  s.params.push_back(ParamSpec::integer("max_cases", 0, "validate on the first N cases of the split; 0 = all", 0));
  s.params.push_back(ParamSpec::string("test_split", "test", "split scored at the end"));
  s.params.push_back(ParamSpec::boolean("test_at_end", true, "score the test split after the last batch"));
  s.params.push_back(voxel_metrics_param_spec());
  s.params.push_back(ParamSpec::boolean("save_predictions", false, "write the test masks to OUT/predictions/"));
  // A graph that normalises its training cases must validate and test on
  // the same intensities (no data.normalize node: nothing to agree with).
  const char* why = "validation and test must see the intensities training saw";
  s.agreements = {{"normalize", "data.normalize", "mode", why},
                  {"window", "data.normalize", "window", why},
                  {"rescale", "data.normalize", "rescale", why}};
  s.preflight = &preflight_validate;
  return s;
}

NodeSchema evaluate_node_schema() {
  NodeSchema s;
  s.type = "eval.evaluate";
  s.doc = "loads a checkpoint into the model resources and scores a split: OUT/summary.json, OUT/<split>_metrics.csv";
  s.serial = true;
  add_checkpoint_params(s.params);
  add_inference_params(s.params);
  s.params.push_back(ParamSpec::string("split", "test", "split to score"));
  s.params.push_back(ParamSpec::integer("max_cases", 0, "score the first N cases; 0 = all", 0));
  s.params.push_back(voxel_metrics_param_spec());
  s.params.push_back(ParamSpec::boolean("save_predictions", false, "write the masks to OUT/predictions/<case>.nii.gz"));
  s.preflight = &preflight_evaluate;
  return s;
}

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

}  // namespace flowrun
