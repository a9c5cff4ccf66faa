// step_export: one CoTwin training step through flowrun's own nodes and
// plugins (vnet.model x2, cotwin.twin_forward -> pseudo_labels -> loss,
// train.sgd_step over one train.optimizer), with every tensor the reference
// needs written to a folder: the initial weights and BatchNorm buffers, the
// batch, the logits, the pseudo-labels, the loss terms, the gradients and the
// weights after the step. bench/reference/step_parity.py recomputes the same
// step in Python from the same weights and batch and compares.
//
// usage: step_export DIR [--dropout] [--filters N]     (one thread, fp32, CPU)
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "lib/ops/shift_crop.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/plugin_loader.h"
#include "core/registry.h"
#include "core/rng.h"
#include "lib/torch/segmentation_model.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {
namespace {

constexpr int64_t kLabeled = 2, kUnlabeled = 2;
const std::array<int64_t, 3> kPatch{32, 32, 16};
const std::vector<std::array<int64_t, 3>> kShifts{{2, -3, 1}, {-1, 2, -2}};

// Raw little-endian tensors plus manifest.json naming each one's file, dtype
// and shape: readable from numpy with no torch serialization in between.
class Bundle {
 public:
  explicit Bundle(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }
  void put(const std::string& name, const at::Tensor& t) {
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    std::string dtype;
    if (c.scalar_type() == at::kFloat) dtype = "float32";
    else if (c.scalar_type() == at::kLong) dtype = "int64";
    else { c = c.to(at::kFloat); dtype = "float32"; }
    const std::string file = std::to_string(count_++) + ".bin";
    std::ofstream(dir_ / file, std::ios::binary)
        .write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.nbytes()));
    manifest_["tensors"][name] = {{"file", file}, {"dtype", dtype}, {"shape", c.sizes().vec()}};
  }
  void put_model(const std::string& prefix, torch::nn::Module& m, bool grads) {
    for (const auto& p : m.named_parameters()) {
      if (grads) {
        if (p.value().grad().defined()) put(prefix + p.key(), p.value().grad());
      } else {
        put(prefix + p.key(), p.value());
      }
    }
    if (!grads)
      for (const auto& b : m.named_buffers()) put(prefix + b.key(), b.value());
  }
  json& meta() { return manifest_["meta"]; }
  void write() { std::ofstream(dir_ / "manifest.json") << manifest_.dump(1) << "\n"; }

 private:
  fs::path dir_;
  json manifest_ = {{"tensors", json::object()}, {"meta", json::object()}};
  int count_ = 0;
};

Bundle* g_bundle = nullptr;

// The batch: a random volume per sample; unlabelled samples are cut twice,
// crop B shifted by d from crop A, so the overlap is an exact correspondence.
class Source : public Node {
 public:
  void open(NodeContext& ctx) override {
    for (const char* net : {"net1", "net2"})
      g_bundle->put_model(std::string("w0/") + net + "/", ctx.resource<SegmentationModel>(net)->module(), false);
  }
  void process(NodeContext&, BatchIO& io) override {
    at::Generator gen = at::detail::createCPUGenerator(20261127);
    const int64_t m = 3;  // margin for the shifts
    std::vector<at::Tensor> a, b;
    for (int64_t s = 0; s < kLabeled + kUnlabeled; ++s) {
      // Smooth-ish structure the label can follow: noise plus a blob.
      at::Tensor v = at::randn({1, kPatch[0] + 2 * m, kPatch[1] + 2 * m, kPatch[2] + 2 * m}, gen);
      v = at::avg_pool3d(v.unsqueeze(0), 3, 1, 1).squeeze(0) * 3.0;
      using at::indexing::Slice;
      a.push_back(v.index({Slice(), Slice(m, m + kPatch[0]), Slice(m, m + kPatch[1]), Slice(m, m + kPatch[2])}));
      if (s >= kLabeled) {
        const auto& d = kShifts[static_cast<size_t>(s - kLabeled)];
        b.push_back(v.index({Slice(), Slice(m + d[0], m + d[0] + kPatch[0]), Slice(m + d[1], m + d[1] + kPatch[1]),
                             Slice(m + d[2], m + d[2] + kPatch[2])}));
      }
    }
    Packet out;
    const at::Tensor image = at::stack(a).contiguous();
    out.set("image", image);
    out.set("label", (image.slice(0, 0, kLabeled).select(1, 0) > 0.3).to(at::kLong));
    out.set("image_b", at::stack(b).contiguous());
    json shifts = json::array(), overlaps = json::array();
    for (const auto& d : kShifts) {
      shifts.push_back(d);
      Box in_a, in_b;
      overlap_boxes({kPatch[0], kPatch[1], kPatch[2]}, {d[0], d[1], d[2]}, &in_a, &in_b);
      overlaps.push_back(overlap_to_json(in_a, in_b));
    }
    out.meta = {{"labeled_count", kLabeled}, {"unlabeled_count", kUnlabeled}, {"shifts", shifts}, {"overlaps", overlaps},
                {"patch", {kPatch[0], kPatch[1], kPatch[2]}}};
    g_bundle->put("batch/image", image);
    g_bundle->put("batch/label", out.get<at::Tensor>("label"));
    g_bundle->put("batch/image_b", out.get<at::Tensor>("image_b"));
    g_bundle->meta()["shifts"] = shifts;
    io.emit("out", std::move(out));
  }
};

// After the step: the forward, pseudo-label and loss packets, the gradients
// the step used and the weights it produced.
class Dump : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& f = io.input("f");
    const Packet& p = io.input("p");
    for (const char* k : {"logits1", "logits2", "logits1_b", "logits2_b"}) g_bundle->put(std::string("out/") + k, f.get<at::Tensor>(k));
    for (const char* k : {"fix_from1", "dyn_from1", "fix_from2", "dyn_from2"}) g_bundle->put(std::string("out/") + k, p.get<at::Tensor>(k));
    g_bundle->meta()["terms"] = io.input("l").meta["terms"];
    g_bundle->meta()["lr"] = io.input("s").meta["lr"];
    for (const char* net : {"net1", "net2"}) {
      auto& m = ctx.resource<SegmentationModel>(net)->module();
      g_bundle->put_model(std::string("grad/") + net + "/", m, true);
      g_bundle->put_model(std::string("w1/") + net + "/", m, false);
    }
  }
};

int run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [--dropout] [--filters N]\n", argv[0]);
    return 2;
  }
  bool dropout = false;
  int64_t filters = 8;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dropout") dropout = true;
    else if (a == "--filters" && i + 1 < argc) filters = std::stoll(argv[++i]);
    else { std::fprintf(stderr, "unknown argument %s\n", a.c_str()); return 2; }
  }
  at::set_num_threads(1);
  Bundle bundle(argv[1]);
  g_bundle = &bundle;

  Registry registry;
  PluginLoader loader(registry);
  for (const char* plugin : {FLOWRUN_VNET_PLUGIN, FLOWRUN_COTWIN_PLUGIN, FLOWRUN_TRAIN_PLUGIN}) loader.load(plugin);
  registry.add_node({"parity.source", "the exported batch", {}, {{"out", "batch", ""}}, {}},
                    [](const NodeContext&) { return std::make_unique<Source>(); });
  NodeSchema dump{"parity.dump", "writes the step's tensors",
                  {{"f", "forward", ""}, {"p", "pseudo", ""}, {"l", "loss", ""}, {"s", "step", ""}}, {}, {}};
  dump.serial = true;
  registry.add_node(dump, [](const NodeContext&) { return std::make_unique<Dump>(); });

  const json hyper = {{"alpha", 0.5}, {"beta", 0.5}, {"unsup_weight", 0.7}, {"lr", 0.01}, {"momentum", 0.9},
                      {"weight_decay", 1e-4}, {"n_filters", filters}, {"dropout", dropout}, {"combine", "mean"},
                      {"labeled", kLabeled}, {"unlabeled", kUnlabeled}, {"seed", 1337}};
  bundle.meta()["hyper"] = hyper;
  json edges = json::array();
  for (auto [from, to] : {std::pair{"src.out", "fwd.in"}, {"fwd.out", "pl.in"}, {"pl.out", "loss.in"},
                          {"loss.out", "step.in"}, {"fwd.out", "dump.f"}, {"pl.out", "dump.p"},
                          {"loss.out", "dump.l"}, {"step.out", "dump.s"}})
    edges.push_back(json::array({from, to}));
  auto net = [&](const char* init) {
    return json{{"type", "vnet.model"}, {"params", {{"n_filters", filters}, {"init", init}, {"dropout", dropout}}}};
  };
  const json doc = {
      {"params", {{"seed", 1337}, {"iterations", 1}, {"device", "cpu"}, {"prefetch", 1}, {"torch_threads", 1}}},
      {"resources",
       {{"net1", net("kaiming")},
        {"net2", net("xavier")},
        {"optimizer", {{"type", "train.optimizer"},
                       {"params", {{"nets", {"net1", "net2"}}, {"lr", 0.01}, {"momentum", 0.9}, {"weight_decay", 1e-4}}}}}}},
      {"nodes",
       {{{"id", "src"}, {"type", "parity.source"}},
        {{"id", "fwd"}, {"type", "cotwin.twin_forward"}},
        {{"id", "pl"}, {"type", "cotwin.pseudo_labels"}, {"params", {{"combine", "mean"}}}},
        {{"id", "loss"}, {"type", "cotwin.loss"},
         {"params", {{"alpha", 0.5}, {"beta", 0.5}, {"rampup", "constant"}, {"unsup_weight", 0.7}}}},
        {{"id", "step"}, {"type", "train.sgd_step"}, {"params", {{"schedule", "constant"}}}},
        {{"id", "dump"}, {"type", "parity.dump"}}}},
      {"edges", edges}};
  ValidatedGraph g = validate_graph(parse_graph(doc, "step_export.json"), registry);
  RunOptions o;
  o.max_threads = 1;
  run_graph(g, registry, o);
  // The dropout masks come from LibTorch's global generator, which
  // twin_forward seeds per batch: the reference needs that seed.
  bundle.meta()["dropout_seed"] = stream_key(1337, 0, "fwd");
  bundle.write();
  std::printf("step_export: wrote %s\n", argv[1]);
  return 0;
}

}  // namespace
}  // namespace flowrun

int main(int argc, char** argv) {
  try {
    return flowrun::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "step_export: %s\n", e.what());
    return 1;
  }
}
