// Verbs that score or apply trained models: `eval` (a split, from a
// checkpoint) and `infer` (one volume); `metrics` (two masks, no model) is in
// verb_metrics.cpp.
//
// The runner does not link the eval plugin: `eval` and `infer` build a
// one-node graph around eval.evaluate / eval.infer, with the checkpoint's own
// model resources and plugins, and run it like any graph.
#include <filesystem>
#include <iostream>
#include <set>

#include "core/error.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "lib/eval/eval_choices.h"
#include "lib/volume/volume_io.h"
#include "lib/torch/checkpoint.h"
#include "lib/metrics/eval_report.h"
#include "runner/session.h"
#include "runner/torch_threads.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {

namespace {

// What the training graph says about inference: its data.normalize settings
// (images must reach the model as they did in training), then its
// eval.validate params when it has one, else the patch of any node that crops.
json inference_defaults(const json& graph) {
  json d = json::object();
  if (!graph.contains("nodes") || !graph["nodes"].is_array()) return d;
  for (const auto& n : graph["nodes"])
    if (n.value("type", "") == "data.normalize" && n.contains("params")) {
      const json& q = n["params"];
      if (q.contains("mode")) d["normalize"] = q["mode"];
      if (q.contains("window")) d["window"] = q["window"];
      if (q.contains("rescale")) d["rescale"] = q["rescale"];
    }
  for (const auto& n : graph["nodes"])
    if (n.value("type", "") == "eval.validate" && n.contains("params")) {
      for (const char* k : {"nets", "network", "patch", "stride", "window_batch", "lcc", "normalize", "window",
                            "rescale", "label"})
        if (n["params"].contains(k)) d[k] = n["params"][k];
      return d;
    }
  for (const auto& n : graph["nodes"])
    if (n.contains("params") && n["params"].contains("patch") && n["params"]["patch"].is_array()) {
      d["patch"] = n["params"]["patch"];
      break;
    }
  return d;
}

struct ModelArgs {
  std::string checkpoint, which = "best", network, normalize, device;
  std::vector<int64_t> patch, stride;
  int window_batch = 0;
  bool lcc = false;
  int label = -1;
};

void add_model_args(CLI::App* sub, ModelArgs& a) {
  sub->add_option("--checkpoint,-c", a.checkpoint, "a run folder (uses checkpoints/best.pt or last.pt) or a .pt file")
      ->required();
  sub->add_option("--which", a.which, "for a run folder: best (default) or last")->check(CLI::IsMember({"best", "last"}));
  sub->add_option("--network", a.network, "net1 | net2 | ensemble (default: the training graph's, else net1)")
      ->check(CLI::IsMember({"net1", "net2", "ensemble"}));
  sub->add_option("--patch", a.patch, "sliding-window patch x y z (default: the training graph's)")->expected(3);
  sub->add_option("--stride", a.stride, "sliding-window stride x y z (default: the training graph's)")->expected(3);
  sub->add_option("--window-batch", a.window_batch, "windows per forward call, 1-256 (default 4)")
      ->check(CLI::Range(1, 256));
  sub->add_flag("--lcc", a.lcc, "keep only the largest connected component");
  sub->add_option("--normalize", a.normalize, "none | zscore | zscore_nonzero | minmax | hu_window (default: the training graph's data.normalize)")
      ->check(CLI::IsMember({"none", "zscore", "zscore_nonzero", "minmax", "hu_window"}));
  sub->add_option("--label", a.label, "foreground class, 0-255 (default and 0: every non-zero class)")
      ->check(CLI::Range(0, 255));
  sub->add_option("--device", a.device, "auto | cpu | cuda | cuda:N (default: the training graph's)");
}

struct Prepared {
  std::string checkpoint_file;
  json meta, graph, doc;
};

// The one-node graph: the checkpoint's model resources and plugins plus eval,
// its global params, and `node` with the model params filled in.
Prepared prepare(const ModelArgs& a, json node_params, const std::string& node_type) {
  Prepared p;
  p.checkpoint_file = resolve_checkpoint(a.checkpoint, a.which);
  p.meta = read_checkpoint_meta(p.checkpoint_file);
  if (!p.meta.contains("graph") || !p.meta["graph"].is_object())
    throw InputError(p.checkpoint_file + ": the checkpoint carries no training graph, so its models cannot be rebuilt");
  p.graph = p.meta["graph"];
  const json defaults = inference_defaults(p.graph);

  json resources = json::object();
  const json archs = p.meta.value("architectures", json::object());
  if (p.graph.contains("resources") && p.graph["resources"].is_object())
    for (auto& [name, r] : p.graph["resources"].items())
      if (archs.empty() || archs.contains(name)) resources[name] = r;
  if (resources.empty())
    throw InputError(p.checkpoint_file + ": the checkpoint's graph declares no model resource");
  // Shapes the training run took from its dataset (runner/session.cpp) are
  // not in the graph as written; the checkpoint's architecture has them.
  for (auto& [name, r] : resources.items())
    if (archs.contains(name) && archs[name].is_object())
      for (const char* k : {"in_channels", "n_classes"})
        if (archs[name].contains(k) && !(r.contains("params") && r["params"].contains(k))) r["params"][k] = archs[name][k];

  json plugins = json::array();
  std::set<std::string> seen;
  for (const auto& pl : p.graph.value("plugins", json::array()))
    if (pl.is_string() && seen.insert(pl.get<std::string>()).second) plugins.push_back(pl);
  if (!seen.count("eval")) plugins.push_back("eval");

  json params = json::object();
  const json old = p.graph.value("params", json::object());
  for (const char* k : {"seed", "device", "torch_threads", "dataset_root"})
    if (old.contains(k)) params[k] = old[k];
  if (!a.device.empty()) params["device"] = a.device;

  for (auto& [k, v] : defaults.items()) node_params[k] = v;
  // The default (net1) is only filled from the training graph when it named one.
  if (!a.network.empty()) node_params["network"] = a.network;
  if (!a.patch.empty()) node_params["patch"] = a.patch;
  if (!a.stride.empty()) node_params["stride"] = a.stride;
  if (a.window_batch > 0) node_params["window_batch"] = a.window_batch;
  if (a.lcc) node_params["lcc"] = true;
  if (!a.normalize.empty()) node_params["normalize"] = a.normalize;
  if (a.label >= 0) node_params["label"] = a.label;
  node_params["checkpoint"] = fs::absolute(p.checkpoint_file).string();
  node_params["which"] = a.which;

  p.doc = {{"flowrun", 1},
           {"name", node_type},
           {"plugins", plugins},
           {"params", params},
           {"resources", resources},
           {"nodes", json::array({{{"id", "evaluate"}, {"type", node_type}, {"params", node_params}}})},
           {"edges", json::array()}};
  return p;
}

RunResult run_doc(const json& doc, const std::string& out_dir) {
  Session s;
  const auto plugins = doc["plugins"].get<std::vector<std::string>>();
  for (size_t i = 0; i < plugins.size(); ++i) s.loader->load(plugins[i], "the checkpoint's graph: $.plugins[" + std::to_string(i) + "]");
  ValidatedGraph g = validate_graph(parse_graph(doc, ""), *s.registry);
  configure_torch_threads(g.globals);
  RunOptions opt;
  opt.out_dir = out_dir;
  return run_graph(g, *s.registry, opt);
}

// The training graph names its dataset relative to its own file, which the
// checkpoint may not record; try the places that can hold it.
std::string checkpoint_dataset(const Prepared& p) {
  const std::string d = p.graph.value("dataset", "");
  if (d.empty()) throw InputError(p.checkpoint_file + ": the training graph names no dataset; pass --dataset");
  if (fs::path(d).is_absolute()) return d;
  std::vector<fs::path> bases;
  for (const char* k : {"graph_dir", "graph_file"})
    if (p.meta.contains(k) && p.meta[k].is_string())
      bases.push_back(std::string(k) == "graph_file" ? fs::path(p.meta[k].get<std::string>()).parent_path()
                                                      : fs::path(p.meta[k].get<std::string>()));
  bases.push_back(fs::current_path());
  bases.push_back(fs::current_path() / "graphs");
  for (const auto& b : bases)
    if (fs::is_regular_file(b / d)) return fs::absolute(b / d).lexically_normal().string();
  throw InputError(p.checkpoint_file + ": the training graph's dataset '" + d +
                   "' is not found relative to its graph or the working directory; pass --dataset");
}

}  // namespace

void add_eval_verbs(CLI::App& app) {
  {
    auto* sub = app.add_subcommand("eval", verb_doc("eval"));
    auto a = std::make_shared<ModelArgs>();
    auto dataset = std::make_shared<std::string>();
    auto split = std::make_shared<std::string>("test");
    auto out = std::make_shared<std::string>();
    auto save = std::make_shared<bool>(false);
    auto voxel = std::make_shared<bool>(false);
    auto max_cases = std::make_shared<int>(0);
    add_model_args(sub, *a);
    sub->add_option("--dataset", *dataset, "dataset description (default: the training graph's)");
    sub->add_option("--split", *split, "split to score (default test)");
    sub->add_option("--out,-o", *out, "output folder (default: <run folder>/eval-<split>)");
    sub->add_flag("--save-predictions", *save, "write the masks to OUT/predictions/<case>.nii.gz");
    sub->add_flag("--voxel", *voxel, "HD95 and ASD in voxels, as the lineage's tables (default: mm from the spacing)");
    sub->add_option("--max-cases", *max_cases, "score only the first N cases");
    sub->callback([a, dataset, split, out, save, voxel, max_cases] {
      json params = {{"split", *split}, {"save_predictions", *save}, {"voxel_metrics", *voxel},
                     {"max_cases", *max_cases}};
      Prepared p = prepare(*a, params, "eval.evaluate");
      if (!dataset->empty()) {
        if (!fs::is_regular_file(*dataset)) throw InputError("--dataset " + *dataset + ": no such file");
        p.doc["dataset"] = fs::absolute(*dataset).lexically_normal().string();
        p.doc["params"].erase("dataset_root");
      } else {
        p.doc["dataset"] = checkpoint_dataset(p);
      }
      if (out->empty()) {
        const fs::path c(a->checkpoint);
        const fs::path run = fs::is_directory(c) ? c : c.parent_path().filename() == "checkpoints"
                                                           ? c.parent_path().parent_path()
                                                           : c.parent_path();
        *out = (run / ("eval-" + *split)).string();
      }
      std::cerr << "flowrun: evaluating " << p.checkpoint_file << " on " << p.doc["dataset"].get<std::string>()
                << " split '" << *split << "' -> " << *out << "\n";
      run_doc(p.doc, *out);
      const std::string summary_file = (fs::path(*out) / "summary.json").string();
      const json summary = read_json_file(summary_file, "summary");
      // How the weights were chosen, as eval.evaluate recorded it.
      const json& sel = summary.value("selection", json::object());
      std::cerr << "flowrun: " << fs::path(p.checkpoint_file).filename().string() << ": "
                << sel.value("rule", std::string("?"));
      if (sel.contains("iteration") && sel.contains("split"))
        std::cerr << " (value " << sel.value("value", 0.0) << " at iteration " << sel["iteration"] << " on split '"
                  << sel["split"].get<std::string>() << "')"
                  << (sel["split"] == *split ? " - the split scored now: the figures are optimistic" : "");
      std::cerr << "\n";
      std::cout << result_table(summary.at(*split));
      std::cout << "written: " << summary_file << ", " << (fs::path(*out) / (*split + "_metrics.csv")).string() << "\n";
    });
  }
  {
    auto* sub = app.add_subcommand("infer", verb_doc("infer"));
    auto a = std::make_shared<ModelArgs>();
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto output = std::make_shared<std::string>();
    add_model_args(sub, *a);
    sub->add_option("input", *inputs, "image file(s), one per channel (NIfTI, NRRD, MHA, DICOM folder, file.h5:key)")
        ->required();
    sub->add_option("--output,-o", *output, "mask file to write, e.g. MASK.nii.gz")->required();
    sub->callback([a, inputs, output] {
      std::vector<std::string> abs;
      for (auto& in : *inputs) {
        const std::string file = parse_volume_path(in).file;
        if (!fs::exists(file)) throw InputError("input " + in + ": no such file");
        abs.push_back(fs::absolute(in).string());
      }
      json params = {{"input", abs}, {"output", fs::absolute(*output).string()}};
      Prepared p = prepare(*a, params, "eval.infer");
      run_doc(p.doc, "");
      std::cout << *output << "\n";
    });
  }

}

}  // namespace flowrun
