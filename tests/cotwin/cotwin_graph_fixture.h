// The cotwin node tests' graph fixture, shared by the CPU suite and the CUDA
// tests: a test source emits `batch` packets, twin_forward -> pseudo_labels ->
// loss, and a capture node records every packet (and can take SGD steps over
// both nets, to see that the loss trains them). `device` and `crop` set the
// graph's device and the crops' edge length.
#pragma once

#include <algorithm>
#include <cmath>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "lib/ops/shift_crop.h"
#include "core/error.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/plugin_loader.h"
#include "core/registry.h"
#include "core/rng.h"
#include "lib/torch/segmentation_model.h"
#include "plugins/cotwin/cutmix.h"
#include "plugins/cotwin/pseudo_labels.h"

namespace flowrun::cotwintest {

using nlohmann::json;

struct Captured {
  PacketPtr forward, pseudo, loss;
  // Sum of every BatchNorm running mean of net1, after this batch's forward.
  double bn_running_mean_sum = 0;
};

// Emits random `batch` packets of L labelled + U unlabelled 16^3 crops; with
// `fixed` every batch is the same one.
class BatchSource : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const json& p = ctx.params;
    const int64_t L = p["labeled"], U = p["unlabeled"];
    const uint64_t key = p["fixed"].get<bool>() ? 99 : stream_key(ctx.seed(), io.id(), ctx.id);
    at::Generator gen = at::detail::createCPUGenerator(key);
    const int64_t n = p["crop"];
    const at::Tensor image = at::randn({L + U, 1, n, n, n}, gen);
    Packet out;
    out.set("image", image);
    // A label the nets can learn from the image: its sign.
    out.set("label", (image.slice(0, 0, L).select(1, 0) > 0).to(at::kLong));
    json shifts = json::array(), overlaps = json::array();
    if (p["with_b"].get<bool>() && U > 0) {
      out.set("image_b", at::randn({U, 1, n, n, n}, gen));
      const Index3 d = p["shift"].get<Index3>();
      Box in_a, in_b;
      overlap_boxes({n, n, n}, d, &in_a, &in_b);
      for (int64_t i = 0; i < U; ++i) {
        shifts.push_back(p["shift"]);
        overlaps.push_back(overlap_to_json(in_a, in_b));
      }
    }
    out.meta = {{"labeled_count", L}, {"unlabeled_count", U}, {"shifts", shifts}, {"overlaps", overlaps},
                {"patch", {n, n, n}}};
    io.emit("out", std::move(out));
  }
};

// Records each batch's forward, pseudo and loss packets; with `sgd` it also
// steps one SGD optimizer over both nets on the loss.
class Capture : public Node {
 public:
  Capture(std::vector<Captured>* store, std::mutex* mu) : store_(store), mu_(mu) {}
  void open(NodeContext& ctx) override {
    if (!ctx.params["sgd"].get<bool>()) return;
    std::vector<at::Tensor> params;
    for (const char* name : {"net1", "net2"})
      for (auto& t : ctx.resource<SegmentationModel>(name)->module().parameters()) params.push_back(t);
    sgd_ = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(0.01).momentum(0.9));
  }
  void process(NodeContext& ctx, BatchIO& io) override {
    double bn_sum = 0;
    for (auto& b : ctx.resource<SegmentationModel>("net1")->module().named_buffers())
      if (b.key().find("running_mean") != std::string::npos) bn_sum += b.value().sum().item<double>();
    if (sgd_) {
      sgd_->zero_grad();
      io.input("l").get<at::Tensor>("loss").backward();
      sgd_->step();
    }
    std::lock_guard<std::mutex> lock(*mu_);
    store_->push_back({io.input_ptr("f"), io.input_ptr("p"), io.input_ptr("l"), bn_sum});
  }

 private:
  std::vector<Captured>* store_;
  std::mutex* mu_;
  std::unique_ptr<torch::optim::SGD> sgd_;
};

class CotwinNodes : public ::testing::Test {
 protected:
  Registry registry;
  PluginLoader loader{registry};
  std::vector<Captured> captured;
  std::mutex mu;

  void SetUp() override {
    loader.load(FLOWRUN_VNET_PLUGIN);
    loader.load(FLOWRUN_COTWIN_PLUGIN);
    NodeSchema src{"test.batch_source", "random batches", {}, {{"out", "batch", ""}}, {}};
    src.params.push_back(ParamSpec::integer("labeled", 2, "L", 0));
    src.params.push_back(ParamSpec::integer("unlabeled", 2, "U", 0));
    src.params.push_back(ParamSpec::boolean("with_b", true, "emit crops B"));
    src.params.push_back(ParamSpec::boolean("fixed", false, "the same batch every time"));
    src.params.push_back(ParamSpec::int_list("shift", {2, -3, 1}, "d of every unlabelled sample", 3));
    src.params.push_back(ParamSpec::integer("crop", 16, "edge of the cubic crops", 8));
    registry.add_node(src, [](const NodeContext&) { return std::make_unique<BatchSource>(); });
    NodeSchema cap{"test.capture", "records packets",
                   {{"f", "forward", ""}, {"p", "pseudo", ""}, {"l", "loss", ""}}, {}, {}};
    cap.params.push_back(ParamSpec::boolean("sgd", false, "step SGD over net1 and net2"));
    cap.serial = true;
    registry.add_node(cap, [this](const NodeContext&) { return std::make_unique<Capture>(&captured, &mu); });
  }
  void TearDown() override { captured.clear(); }  // before the plugins can unload

  // The test graph; each argument holds params merged into that node's.
  std::string device = "cpu";
  int64_t crop = 16;

  json graph(int64_t iterations, json source = json::object(), json forward = json::object(),
                    json pseudo = json::object(), json loss = json::object(), json capture = json::object(),
                    bool dropout = true) const {
    // An empty {} argument arrives as null, and pairs of strings would read
    // as objects: spell both out.
    for (json* p : {&source, &forward, &pseudo, &loss, &capture})
      if (p->is_null()) *p = json::object();
    if (!source.contains("crop")) source["crop"] = crop;
    json edges = json::array();
    for (auto [from, to] : {std::pair{"src.out", "fwd.in"}, {"fwd.out", "pl.in"}, {"pl.out", "loss.in"},
                            {"fwd.out", "cap.f"}, {"pl.out", "cap.p"}, {"loss.out", "cap.l"}})
      edges.push_back(json::array({from, to}));
    json net1 = {{"n_filters", 4}, {"init", "kaiming"}, {"dropout", dropout}};
    json net2 = {{"n_filters", 4}, {"init", "xavier"}, {"dropout", dropout}};
    return {{"params", {{"seed", 3}, {"iterations", iterations}, {"device", device}, {"prefetch", 1}}},
            {"resources", {{"net1", {{"type", "vnet.model"}, {"params", net1}}},
                           {"net2", {{"type", "vnet.model"}, {"params", net2}}}}},
            {"nodes", {{{"id", "src"}, {"type", "test.batch_source"}, {"params", source}},
                       {{"id", "fwd"}, {"type", "cotwin.twin_forward"}, {"params", forward}},
                       {{"id", "pl"}, {"type", "cotwin.pseudo_labels"}, {"params", pseudo}},
                       {{"id", "loss"}, {"type", "cotwin.loss"}, {"params", loss}},
                       {{"id", "cap"}, {"type", "test.capture"}, {"params", capture}}}},
            {"edges", edges}};
  }

  void run(const json& doc) {
    captured.clear();
    ValidatedGraph g = validate_graph(parse_graph(doc, "cotwin_test.json"), registry);
    RunOptions o;
    o.max_threads = 2;
    run_graph(g, registry, o);
    std::sort(captured.begin(), captured.end(),
              [](const Captured& a, const Captured& b) { return a.loss->batch_id < b.loss->batch_id; });
  }

  static double term(const Captured& c, const char* name) { return c.loss->meta["terms"][name].get<double>(); }
  static const at::Tensor& value(const PacketPtr& p, const char* name) { return p->get<at::Tensor>(name); }
};

}  // namespace flowrun::cotwintest
